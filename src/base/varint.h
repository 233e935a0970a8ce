// Go-compatible varints (encoding/binary): little-endian base-128 unsigned, zig-zag signed. The
// integer encoding of Prometheus' WAL records and block index. ByteReader (byte_reader.h) reads
// them back.
//
//   std::string buf;
//   PutUvarint(&buf, 300);  PutVarint(&buf, -2);  PutUvarintString(&buf, "job");
#ifndef SUNDIAL_BASE_VARINT_H_
#define SUNDIAL_BASE_VARINT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sundial {

inline void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t u) {
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

inline void PutVarint(std::string* out, int64_t v) { PutUvarint(out, ZigZagEncode(v)); }

// Decodes the uvarint at *p and moves *p past it, without a bounds check per byte (the fast
// paths; ByteReader checks): false if it overflows 64 bits.
// REQUIRES: the varint ends inside the buffer, or 10 bytes at *p are readable.
inline bool GetUvarintUnbounded(const uint8_t** p, uint64_t* v) {
  const uint8_t* q = *p;
  // One to three bytes (lengths, time and ref deltas) without the loop.
  uint64_t r = q[0] & 0x7Fu;
  if (q[0] < 0x80) {
    *v = r;
    *p = q + 1;
    return true;
  }
  r |= uint64_t{q[1] & 0x7Fu} << 7;
  if (q[1] < 0x80) {
    *v = r;
    *p = q + 2;
    return true;
  }
  r |= uint64_t{q[2] & 0x7Fu} << 14;
  if (q[2] < 0x80) {
    *v = r;
    *p = q + 3;
    return true;
  }
  q += 3;
  for (int shift = 21; shift < 64; shift += 7) {
    const uint8_t b = *q++;
    if (shift == 63 && b > 1) return false;
    r |= uint64_t{b & 0x7Fu} << shift;
    if (b < 0x80) {
      *v = r;
      *p = q;
      return true;
    }
  }
  return false;
}

// The length as a uvarint, then the bytes.
inline void PutUvarintString(std::string* out, std::string_view s) {
  PutUvarint(out, s.size());
  out->append(s);
}

}  // namespace sundial

#endif  // SUNDIAL_BASE_VARINT_H_
