// Big-endian fixed-width integers, the byte order of every Prometheus on-disk format (WAL pages
// and records, block index, chunks and tombstones, head chunk files). Loads and stores are one
// unaligned memory access and a byte swap.
//
//   std::string buf;
//   AppendBigEndian32(&buf, 7);
//   uint32_t v = LoadBigEndian32(buf.data());   // 7
#ifndef SUNDIAL_BASE_BIG_ENDIAN_H_
#define SUNDIAL_BASE_BIG_ENDIAN_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace sundial {
namespace big_endian_internal {

template <typename T>
T Swap(T v) {
  if constexpr (std::endian::native == std::endian::big) {
    return v;
  } else if constexpr (sizeof(T) == 2) {
    return __builtin_bswap16(v);
  } else if constexpr (sizeof(T) == 4) {
    return __builtin_bswap32(v);
  } else {
    return __builtin_bswap64(v);
  }
}

template <typename T>
T Load(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return Swap(v);
}

template <typename T>
void Store(void* p, T v) {
  v = Swap(v);
  std::memcpy(p, &v, sizeof v);
}

template <typename T>
void Append(std::string* out, T v) {
  v = Swap(v);
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}

}  // namespace big_endian_internal

// The integer in the bytes at p. REQUIRES: p points at 2, 4 or 8 readable bytes.
inline uint16_t LoadBigEndian16(const void* p) { return big_endian_internal::Load<uint16_t>(p); }
inline uint32_t LoadBigEndian32(const void* p) { return big_endian_internal::Load<uint32_t>(p); }
inline uint64_t LoadBigEndian64(const void* p) { return big_endian_internal::Load<uint64_t>(p); }

// Writes v over the bytes at p. REQUIRES: p points at 2, 4 or 8 writable bytes.
inline void StoreBigEndian16(void* p, uint16_t v) { big_endian_internal::Store(p, v); }
inline void StoreBigEndian32(void* p, uint32_t v) { big_endian_internal::Store(p, v); }
inline void StoreBigEndian64(void* p, uint64_t v) { big_endian_internal::Store(p, v); }

// Appends v to *out.
inline void AppendBigEndian32(std::string* out, uint32_t v) { big_endian_internal::Append(out, v); }
inline void AppendBigEndian64(std::string* out, uint64_t v) { big_endian_internal::Append(out, v); }

}  // namespace sundial

#endif  // SUNDIAL_BASE_BIG_ENDIAN_H_
