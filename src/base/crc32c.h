// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by the Prometheus WAL, index
// and chunk files.
//
//   uint32_t crc = Crc32c("123456789");            // 0xE3069283
//   crc = Crc32cExtend(Crc32c(a), b.data(), b.size());   // == Crc32c(a + b)
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at runtime) and a
// slicing-by-8 table otherwise. Thread-safe; no allocation.
#ifndef SUNDIAL_BASE_CRC32C_H_
#define SUNDIAL_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sundial {

// Returns the CRC-32C of data[0, n) continuing from crc, the CRC of the bytes before them
// (0 for none). Pre- and post-inversion are handled inside.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

namespace crc32c_internal {
// Both implementations, for tests and benchmarks. Same contract as Crc32cExtend.
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n);
// REQUIRES: HasHardwareCrc32c().
uint32_t ExtendHardware(uint32_t crc, const void* data, size_t n);
bool HasHardwareCrc32c();
}  // namespace crc32c_internal

}  // namespace sundial

#endif  // SUNDIAL_BASE_CRC32C_H_
