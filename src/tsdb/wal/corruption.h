// CorruptionError: a WAL could not be read past a point. Carries where, so that Repair() can cut
// the log there and keep everything before it.
//
//   if (std::optional<Corruption> c = GetCorruption(status)) {
//     RETURN_IF_ERROR(Repair(fs, *c));
//   }
#ifndef SUNDIAL_TSDB_WAL_CORRUPTION_H_
#define SUNDIAL_TSDB_WAL_CORRUPTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace sundial::tsdb::wal {

struct Corruption {
  std::string dir;  // the WAL (or checkpoint) directory
  int segment = 0;  // index of the segment file
  // Byte offset in the segment where the first unreadable record starts; every record that
  // starts before it is intact. 0 for a missing segment.
  int64_t offset = 0;
  std::string reason;
};

// A DataLoss status whose message names dir, segment, offset and reason, with the position
// attached so GetCorruption() can recover it.
absl::Status CorruptionError(const Corruption& c);
absl::Status CorruptionError(std::string_view dir, int segment, int64_t offset,
                             std::string_view reason);

bool IsCorruptionError(const absl::Status& status);
// The position of a CorruptionError, nullopt for any other status.
std::optional<Corruption> GetCorruption(const absl::Status& status);

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_CORRUPTION_H_
