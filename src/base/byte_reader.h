// Reads the fields of a binary record or file section from the front of a byte view: bytes,
// big-endian integers, Go varints (varint.h) and length-prefixed strings. The first failure
// (past the end, a varint over 64 bits) sticks: ok() turns false, the view is dropped and every
// later read returns 0 or empty, so a decoder checks ok() once after its reads.
//
//   ByteReader r(record);
//   uint8_t type = r.Byte();  uint64_t ref = r.BigEndian64();  std::string_view s =
//   r.UvarintString(); if (!r.ok()) return Malformed();
#ifndef SUNDIAL_BASE_BYTE_READER_H_
#define SUNDIAL_BASE_BYTE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/big_endian.h"
#include "base/varint.h"

namespace sundial {

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : rest_(data) {}

  bool ok() const { return ok_; }
  bool empty() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }
  // The bytes not read yet.
  std::string_view rest() const { return rest_; }

  uint8_t Byte() {
    if (!Need(1)) return 0;
    const auto b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }
  uint32_t BigEndian32() {
    if (!Need(4)) return 0;
    const uint32_t v = LoadBigEndian32(rest_.data());
    rest_.remove_prefix(4);
    return v;
  }
  uint64_t BigEndian64() {
    if (!Need(8)) return 0;
    const uint64_t v = LoadBigEndian64(rest_.data());
    rest_.remove_prefix(8);
    return v;
  }
  uint64_t Uvarint() {
    // Most varints (refs, deltas, lengths) take one byte.
    if (!rest_.empty() && static_cast<uint8_t>(rest_[0]) < 0x80) {
      const auto b = static_cast<uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      return b;
    }
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      const auto b = static_cast<uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      if (shift == 63 && b > 1) break;  // overflows 64 bits
      v |= uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) return v;
    }
    return Fail();
  }
  int64_t Varint() { return ZigZagDecode(Uvarint()); }
  std::string_view Bytes(uint64_t n) {
    if (!Need(n)) return {};
    const std::string_view v = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return v;
  }
  // A uvarint length, then that many bytes.
  std::string_view UvarintString() {
    const uint64_t n = Uvarint();
    if (!ok_) return {};
    return Bytes(n);
  }
  void Skip(uint64_t n) { Bytes(n); }

 private:
  bool Need(uint64_t n) {
    if (rest_.size() >= n) return true;  // a failed reader's view is empty
    Fail();
    return false;
  }
  uint64_t Fail() {
    ok_ = false;
    rest_ = {};
    return 0;
  }

  std::string_view rest_;
  bool ok_ = true;
};

}  // namespace sundial

#endif  // SUNDIAL_BASE_BYTE_READER_H_
