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

// Writes whole 64-bit words into a zero-filled buffer kept at least 8 bytes longer than the
// stream, so a write is one load, OR and store whatever its alignment. Every bit written is in
// the buffer at once: bytes() is complete after every write.
class BitWriter {
 public:
  void WriteBit(bool bit) { WriteBits(bit ? 1 : 0, 1); }

  // Writes the low `nbits` bits of u (higher bits are ignored), most significant first.
  // REQUIRES: 0 <= nbits <= 64.
  [[gnu::always_inline]] void WriteBits(uint64_t u, int nbits) {
    if (nbits == 0) return;
    uint64_t left = u << (64 - nbits);  // left-aligned, zeros below
    // With up to 7 bits of the byte already written, more than 57 bits span two words.
    if (nbits > 57) {
      WriteLeft(left & ~uint64_t{0xffffffff}, 32);
      left <<= 32;
      nbits -= 32;
    }
    WriteLeft(left, nbits);
  }

  void WriteByte(uint8_t b) { WriteBits(b, 8); }
  // Room for a stream of `bytes` bytes without regrowing.
  void Reserve(size_t bytes) {
    if (bytes + kSlack > buf_.size()) buf_.resize(bytes + kSlack);
  }
  // Bits written so far.
  size_t BitsWritten() const { return pos_; }

  // The stream so far. The view is invalidated by the next write.
  std::string_view bytes() const { return std::string_view(buf_.data(), (pos_ + 7) / 8); }
  // Mutable access for in-place header updates within bytes().
  char* data() { return buf_.data(); }

 private:
  // The buffer holds the byte being written and 7 after it.
  static constexpr size_t kSlack = 7;

  // Writes the top nbits of left. REQUIRES: 1 <= nbits <= 57, the bits of left below them zero.
  [[gnu::always_inline]] void WriteLeft(uint64_t left, int nbits) {
    const size_t byte = pos_ >> 3;
    if (byte + 8 > buf_.size()) Grow(byte + 8);
    char* p = buf_.data() + byte;
    // The bytes after the one holding pos_ are still zero.
    StoreBigEndian64(p, LoadBigEndian64(p) | (left >> (pos_ & 7)));
    pos_ += static_cast<size_t>(nbits);
  }

  // Doubles the stream's room (a reserved 128 bytes become 256, as std::string's growth would
  // without the slack). A new string: resize() would double the capacity, slack included. Out of
  // line, so that a write saves no registers for it.
  [[gnu::noinline, gnu::cold]] void Grow(size_t size) {
    const size_t doubled = buf_.empty() ? 0 : 2 * buf_.size() - kSlack;  // size() >= kSlack
    std::string bigger(std::max(size, doubled), '\0');
    std::memcpy(bigger.data(), buf_.data(), buf_.size());
    buf_.swap(bigger);
  }

  std::string buf_;  // zero past the stream's last bit
  size_t pos_ = 0;   // bits written
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
