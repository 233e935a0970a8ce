// Byte encoding helpers for the block files (index, chunks, tombstones): big-endian fixed-width
// integers and Go-compatible varints (encoding/binary Uvarint/Varint, zig-zag for signed).
//
//   std::string buf;
//   PutBE32(&buf, 7);  PutUvarint(&buf, 300);  PutUvarintStr(&buf, "name");
//   Decoder d(buf);
//   uint32_t a = d.BE32();  uint64_t b = d.Uvarint();  std::string_view s = d.UvarintStr();
//   if (!d.ok()) ...   // ran past the end or a malformed varint
#ifndef SUNDIAL_TSDB_BLOCK_ENCODING_H_
#define SUNDIAL_TSDB_BLOCK_ENCODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sundial::tsdb::block {

inline void PutBE32(std::string* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>((v >> s) & 0xff));
}
inline void PutBE64(std::string* out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out->push_back(static_cast<char>((v >> s) & 0xff));
}
inline void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline void PutVarint(std::string* out, int64_t v) {
  PutUvarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
inline void PutUvarintStr(std::string* out, std::string_view s) {
  PutUvarint(out, s.size());
  out->append(s);
}
// Overwrites 4 bytes at pos with v, big-endian. REQUIRES: pos + 4 <= out->size().
inline void SetBE32(std::string* out, size_t pos, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*out)[pos + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
}
inline uint32_t ReadBE32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}
inline uint64_t ReadBE64(const char* p) { return (uint64_t{ReadBE32(p)} << 32) | ReadBE32(p + 4); }
// Pads with zero bytes until out->size() is a multiple of align.
inline void PadTo(std::string* out, size_t align) {
  size_t rem = out->size() % align;
  if (rem != 0) out->append(align - rem, '\0');
}

// Reads from a byte view. Once a read fails (past the end, bad varint) ok() is false and every
// later read returns 0 / empty.
class Decoder {
 public:
  explicit Decoder(std::string_view b) : b_(b) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return b_.size(); }
  std::string_view rest() const { return b_; }

  uint8_t Byte() {
    if (!Need(1)) return 0;
    uint8_t v = static_cast<uint8_t>(b_[0]);
    b_.remove_prefix(1);
    return v;
  }
  uint32_t BE32() {
    if (!Need(4)) return 0;
    uint32_t v = ReadBE32(b_.data());
    b_.remove_prefix(4);
    return v;
  }
  uint64_t BE64() {
    if (!Need(8)) return 0;
    uint64_t v = ReadBE64(b_.data());
    b_.remove_prefix(8);
    return v;
  }
  uint64_t Uvarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      uint8_t c = static_cast<uint8_t>(b_[0]);
      b_.remove_prefix(1);
      if (shift == 63 && c > 1) break;  // overflows 64 bits
      v |= uint64_t{c & 0x7fu} << shift;
      if (c < 0x80) return v;
    }
    ok_ = false;
    b_ = {};
    return 0;
  }
  int64_t Varint() {
    uint64_t u = Uvarint();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
  std::string_view Bytes(size_t n) {
    if (!Need(n)) return {};
    std::string_view v = b_.substr(0, n);
    b_.remove_prefix(n);
    return v;
  }
  std::string_view UvarintStr() {
    uint64_t n = Uvarint();
    if (!ok_) return {};
    return Bytes(n);
  }
  void Skip(size_t n) { Bytes(n); }

 private:
  bool Need(size_t n) {
    if (ok_ && b_.size() >= n) return true;
    ok_ = false;
    b_ = {};
    return false;
  }

  std::string_view b_;
  bool ok_ = true;
};

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_ENCODING_H_
