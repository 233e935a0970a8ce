// XXH64, the 64-bit xxHash, seed 0 by default. Stable across processes and machines, and the
// same function Prometheus uses for label-set hashes (so target jitter offsets can match).
#ifndef SUNDIAL_BASE_XXHASH_H_
#define SUNDIAL_BASE_XXHASH_H_

#include <cstdint>
#include <string_view>

namespace sundial {

uint64_t XxHash64(std::string_view data, uint64_t seed = 0);

}  // namespace sundial

#endif  // SUNDIAL_BASE_XXHASH_H_
