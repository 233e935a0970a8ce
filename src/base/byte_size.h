// Byte sizes as Prometheus spells them: "512MB", "1GB", "100KiB"... Units are powers of two
// (1KB = 1024B), and a unit is required.
#ifndef SUNDIAL_BASE_BYTE_SIZE_H_
#define SUNDIAL_BASE_BYTE_SIZE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sundial {

// Accepts an integer followed by B, KB, MB, GB, TB, PB or EB (and the KiB... spellings).
// Errors: `units: unknown unit  in 12`-style wording naming the input.
absl::StatusOr<int64_t> ParseByteSize(std::string_view text);

// The shortest exact spelling: 536870912 -> "512MB", 1000 -> "1000B".
std::string FormatByteSize(int64_t bytes);

}  // namespace sundial

#endif  // SUNDIAL_BASE_BYTE_SIZE_H_
