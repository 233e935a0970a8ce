// Big-endian bit streams for chunk encodings, matching Prometheus' chunkenc bstream: bits are
// written from the most significant bit of each byte down; unused low bits of the last byte are
// zero.
//
//   BitWriter w;  w.WriteBits(0b10, 2);  w.WriteBits(dod, 14);
//   BitReader r(w.bytes());  uint64_t b;  r.ReadBits(2, &b);
#ifndef SUNDIAL_TSDB_BIT_STREAM_H_
#define SUNDIAL_TSDB_BIT_STREAM_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/big_endian.h"

namespace sundial::tsdb {

class BitWriter {
 public:
  void WriteBit(bool bit) {
    if (free_ == 0) {
      bytes_.push_back(0);
      free_ = 8;
    }
    --free_;
    if (bit) bytes_.back() = static_cast<char>(bytes_.back() | (1 << free_));
  }

  // Writes the low `nbits` bits of u, most significant first. REQUIRES: 0 <= nbits <= 64.
  void WriteBits(uint64_t u, int nbits) {
    if (free_ > 0 && nbits > 0) {  // top up the last byte
      const int n = std::min(nbits, free_);
      const uint64_t chunk = (u >> (nbits - n)) & ((uint64_t{1} << n) - 1);
      bytes_.back() =
          static_cast<char>(static_cast<uint8_t>(bytes_.back()) | (chunk << (free_ - n)));
      free_ -= n;
      nbits -= n;
    }
    while (nbits >= 8) {  // whole bytes
      nbits -= 8;
      bytes_.push_back(static_cast<char>(u >> nbits));
    }
    if (nbits > 0) {  // the start of a new byte
      bytes_.push_back(static_cast<char>(u << (8 - nbits)));
      free_ = 8 - nbits;
    }
  }

  void WriteByte(uint8_t b) { WriteBits(b, 8); }
  void Reserve(size_t bytes) { bytes_.reserve(bytes); }
  // Bits written so far.
  size_t BitsWritten() const { return bytes_.size() * 8 - static_cast<size_t>(free_); }

  // The stream so far. The view is invalidated by the next write.
  std::string_view bytes() const { return bytes_; }
  // Mutable access for in-place header updates. REQUIRES: the size is not changed.
  char* data() { return bytes_.data(); }

 private:
  std::string bytes_;
  int free_ = 0;  // unused low bits of the last byte
};

// Reads a stream written by BitWriter. Does not own the bytes: they must outlive the reader.
class BitReader {
 public:
  BitReader() = default;
  explicit BitReader(std::string_view data) : data_(data), size_bits_(data.size() * 8) {}
  // A reader of data that starts reading at bit `pos` of it.
  BitReader(std::string_view data, size_t pos) : BitReader(data) { pos_ = pos; }

  // Reads nbits (0..64) into *out, most significant first. False, with *out untouched, when
  // fewer than nbits remain.
  bool ReadBits(int nbits, uint64_t* out) {
    if (pos_ + nbits > size_bits_) return false;
    if (nbits <= 56) {
      *out = nbits == 0 ? 0 : (Window() << (pos_ & 7)) >> (64 - nbits);
      pos_ += nbits;
      return true;
    }
    uint64_t hi = 0, lo = 0;
    ReadBits(32, &hi);
    ReadBits(nbits - 32, &lo);
    *out = (hi << (nbits - 32)) | lo;
    return true;
  }

  bool ReadBit(bool* bit) {
    if (pos_ >= size_bits_) return false;
    *bit = (static_cast<uint8_t>(data_[pos_ >> 3]) >> (7 - (pos_ & 7))) & 1;
    ++pos_;
    return true;
  }

  // The bits from the current position on, left-aligned: at least the top 57 are the stream's
  // (zero past its end; see BitsLeft()). Does not move.
  uint64_t Peek() const { return Window() << (pos_ & 7); }
  // REQUIRES: !Overran().
  size_t BitsLeft() const { return size_bits_ - pos_; }
  // Bits read (or skipped) so far.
  size_t BitsRead() const { return pos_; }
  // May move past the end (a decoder that skips fields it peeked checks Overran() afterwards);
  // past the end Peek() sees zeros and ReadBits() fails.
  void Skip(size_t n) { pos_ += n; }
  bool Overran() const { return pos_ > size_bits_; }

  bool ReadByte(uint8_t* b) {
    uint64_t v;
    if (!ReadBits(8, &v)) return false;
    *b = static_cast<uint8_t>(v);
    return true;
  }

 private:
  // Eight bytes starting at the byte holding pos_, big-endian, zero past the end.
  uint64_t Window() const {
    const size_t byte = pos_ >> 3;
    if (byte + 8 <= data_.size()) return LoadBigEndian64(data_.data() + byte);
    char tail[8] = {};
    if (byte < data_.size()) std::memcpy(tail, data_.data() + byte, data_.size() - byte);
    return LoadBigEndian64(tail);
  }

  std::string_view data_;
  size_t size_bits_ = 0;
  size_t pos_ = 0;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_BIT_STREAM_H_
