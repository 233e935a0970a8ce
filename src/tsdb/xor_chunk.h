// The XOR ("Gorilla") chunk encoding, byte-identical to Prometheus' chunkenc XOR chunk
// (prometheus tsdb/docs/format/chunks.md):
//
//   uint16 big-endian sample count
//   sample 0: varint timestamp, 64-bit value
//   sample 1: uvarint timestamp delta, XOR-encoded value
//   sample n: delta-of-delta timestamp ('0' | '10'+14 bits | '110'+17 | '1110'+20 | '1111'+64),
//             XOR-encoded value ('0' same value | '10' + bits within the previous
//             leading/trailing zero window | '11' + 5-bit leading zeros (capped at 31) + 6-bit
//             significant bit count (0 meaning 64) + the significant bits)
//
//   XorChunk c;
//   c.Append(1000, 1.5);  c.Append(2000, 2.5);
//   XorIterator it(c.bytes());
//   while (it.Next() == ValueType::kFloat) { auto [t, v] = it.At(); }
#ifndef SUNDIAL_TSDB_XOR_CHUNK_H_
#define SUNDIAL_TSDB_XOR_CHUNK_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "base/big_endian.h"
#include "tsdb/bit_stream.h"
#include "tsdb/value.h"

namespace sundial::tsdb {

// The decoder's state right after one sample of a chunk. An iterator resumed from it reads the
// chunk only from there on (XorTail), so a seek into the chunk's middle does not decode the
// samples before.
struct XorCheckpoint {
  Timestamp t = 0;  // the sample's
  double v = 0;
  uint32_t t_delta = 0;  // t minus the previous sample's
  uint16_t bit_pos = 0;  // where the next sample starts, in bits after the 2-byte header
  uint8_t leading = 0;   // the value's leading/trailing zero window
  uint8_t trailing = 0;
};

// The bytes of chunk (header included) an iterator resumed from cp reads; empty if the chunk is
// shorter than cp says (the iterator then reports corruption).
inline std::string_view XorTail(std::string_view chunk, const XorCheckpoint& cp) {
  const size_t from = 2 + cp.bit_pos / 8;
  return from < chunk.size() ? chunk.substr(from) : std::string_view();
}

// A growing XOR chunk with its encoder state. Not thread-safe; readers copy bytes() under the
// owner's lock (the bytes are self-consistent after every Append).
class XorChunk {
 public:
  // A chunk holds at most this many samples (the count header is 16 bits).
  static constexpr int kMaxSamples = 0xffff;
  // A checkpoint is taken after sample kCheckpointEvery, 2 * kCheckpointEvery, ... up to
  // kMaxCheckpoints of them, while its bit position and time delta fit XorCheckpoint.
  static constexpr int kCheckpointEvery = 32;
  static constexpr int kMaxCheckpoints = 3;
  // Checkpoint k is taken after sample (k + 1) * kCheckpointEvery; those not taken (yet) have
  // bit_pos 0. 72 bytes: a 80-byte malloc chunk.
  struct Checkpoints {
    // The checkpoints XorChunk would have taken of chunk; fewer if it is corrupt.
    static Checkpoints Of(std::string_view chunk);

    std::array<XorCheckpoint, kMaxCheckpoints> at;
    size_t size() const {
      size_t n = 0;
      while (n < at.size() && at[n].bit_pos != 0) ++n;
      return n;
    }
    std::span<const XorCheckpoint> span() const {
      return std::span<const XorCheckpoint>(at).first(size());
    }
  };

  XorChunk();

  // Appends one sample. Timestamps are not checked (the head orders samples); deltas between
  // any int64 timestamps encode correctly. REQUIRES: NumSamples() < kMaxSamples. Inline (WAL
  // replay appends every sample through it): samples 0 and 1 and a delta-of-delta of more than
  // 20 bits are written out of line.
  [[gnu::always_inline]] void Append(Timestamp t, double v);

  int NumSamples() const { return num_; }
  // The encoded chunk. Invalidated by the next Append().
  std::string_view bytes() const { return stream_.bytes(); }
  // The checkpoints taken so far.
  std::span<const XorCheckpoint> checkpoints() const {
    return checkpoints_ != nullptr ? checkpoints_->span() : std::span<const XorCheckpoint>();
  }
  // Hands the checkpoints over (null if none were taken); the chunk takes no more.
  std::unique_ptr<const Checkpoints> TakeCheckpoints() { return std::move(checkpoints_); }

 private:
  // Records the state after sample number `read` (a multiple of kCheckpointEvery) if it is the
  // next checkpoint and fits.
  void TakeCheckpoint(int read);
  // Writes the prefix_bits low bits of prefix (the timestamp's, 0..24), then v XOR-encoded.
  [[gnu::always_inline]] void WriteValue(double v, uint64_t prefix, int prefix_bits);
  // Append's writes of sample 0 or 1 (t_delta: t minus sample 0's time), and of a sample whose
  // delta-of-delta needs 64 bits.
  [[gnu::noinline]] void WriteStart(Timestamp t, double v, uint64_t t_delta);
  [[gnu::noinline]] void WriteWide(uint64_t dod, double v);
  // Whether x fits the nbits bucket: Prometheus' bitRange, -(2^(n-1)-1) <= x <= 2^(n-1).
  static bool InBitRange(int64_t x, int nbits) {
    return -((int64_t{1} << (nbits - 1)) - 1) <= x && x <= (int64_t{1} << (nbits - 1));
  }

  BitWriter stream_;
  Timestamp t_ = 0;
  double v_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = 0xff;  // 0xff: no leading/trailing window yet
  uint8_t trailing_ = 0;
  uint16_t num_ = 0;  // the count in the header, kept here so reading it touches no chunk bytes
  // Allocated at the first checkpoint, apart from the chunk: appends never read them, and the
  // state appends do read stays dense in memory (inline, they made appends 25% slower).
  std::unique_ptr<Checkpoints> checkpoints_;
};

inline void XorChunk::Append(Timestamp t, double v) {
  const int num = num_;
  uint64_t t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
  if (num < 2) {
    if (num == 0) t_delta = 0;
    WriteStart(t, v, t_delta);
  } else {
    const int64_t dod = static_cast<int64_t>(t_delta - t_delta_);
    // The dod's control bits and bits, handed to WriteValue to go out with the value's.
    const auto udod = static_cast<uint64_t>(dod);
    if (dod == 0) {
      WriteValue(v, 0, 1);
    } else if (InBitRange(dod, 14)) {
      WriteValue(v, (uint64_t{0b10} << 14) | (udod & 0x3fff), 16);
    } else if (InBitRange(dod, 17)) {
      WriteValue(v, (uint64_t{0b110} << 17) | (udod & 0x1ffff), 20);
    } else if (InBitRange(dod, 20)) {
      WriteValue(v, (uint64_t{0b1110} << 20) | (udod & 0xfffff), 24);
    } else {
      WriteWide(udod, v);
    }
  }
  t_ = t;
  v_ = v;
  t_delta_ = t_delta;
  ++num_;
  StoreBigEndian16(stream_.data(), static_cast<uint16_t>(num + 1));
  if ((num + 1) % kCheckpointEvery == 0) TakeCheckpoint(num + 1);
}

inline void XorChunk::WriteValue(double v, uint64_t prefix, int prefix_bits) {
  const uint64_t delta = std::bit_cast<uint64_t>(v) ^ std::bit_cast<uint64_t>(v_);
  if (delta == 0) {  // '0'
    stream_.WriteBits(prefix << 1, prefix_bits + 1);
    return;
  }
  // The prefix and the value's control bits (head), then its significant bits; one write when
  // they fit 64 bits.
  const int leading = std::min(std::countl_zero(delta), 31);  // the field is 5 bits wide
  const int trailing = std::countr_zero(delta);
  uint64_t head;
  int head_bits;
  // leading_ is 0xff (above any leading) until the first window is written.
  if (leading >= leading_ && trailing >= trailing_) {
    // '10' and the bits within the previous window.
    head = (prefix << 2) | 0b10;
    head_bits = prefix_bits + 2;
  } else {
    leading_ = static_cast<uint8_t>(leading);
    trailing_ = static_cast<uint8_t>(trailing);
    // '11', 5 bits of leading zeros, 6 of significant bits (64 does not fit: 0 never occurs
    // otherwise, so it stands for 64), then the significant bits.
    const auto sigbits = static_cast<uint64_t>(64 - leading - trailing);
    head = (prefix << 13) | (uint64_t{0b11} << 11) | (static_cast<uint64_t>(leading) << 6) |
           (sigbits & 0x3f);
    head_bits = prefix_bits + 13;
  }
  const int sigbits = 64 - leading_ - trailing_;
  const uint64_t sig = delta >> trailing_;
  if (head_bits + sigbits <= 64) {  // then sigbits < 64
    stream_.WriteBits((head << sigbits) | sig, head_bits + sigbits);
  } else {
    stream_.WriteBits(head, head_bits);
    stream_.WriteBits(sig, sigbits);
  }
}

// Decodes an XOR chunk. Does not own the bytes: they must outlive the iterator and not change.
// Follows the SampleIterator contract (tsdb/storage.h) without the virtual calls.
class XorIterator {
 public:
  // An iterator over no samples: Next() returns kNone and Err() is OK.
  XorIterator() = default;
  explicit XorIterator(std::string_view chunk);
  // An iterator positioned on the sample cp was taken after: At() returns it, Next() goes on
  // after it and Seek() from it. tail is XorTail(chunk, cp), read the number of samples up to and
  // including cp's (>= 2) and total the chunk's sample count.
  XorIterator(std::string_view tail, const XorCheckpoint& cp, int read, int total);

  ValueType Next();
  ValueType Seek(Timestamp t);
  // The state after the current sample, to resume from; false if it does not fit XorCheckpoint.
  // REQUIRES: made from a whole chunk (not resumed), and the last Next()/Seek() returned kFloat.
  bool Checkpoint(XorCheckpoint* cp) const;
  // REQUIRES: the last Next()/Seek() returned kFloat.
  std::pair<Timestamp, double> At() const { return {t_, v_}; }
  Timestamp AtT() const { return t_; }
  // Decodes up to n further samples into t[] and v[], as n calls of Next() and At() would;
  // returns how many. Fewer than n only at the end of the chunk or on corruption (Err()).
  size_t NextBatch(Timestamp* t, double* v, size_t n);
  // Corruption (a chunk shorter than its header says) is reported here; Next() then returns
  // kNone.
  absl::Status Err() const { return err_; }

 private:
  // Next() for sample 2 on. NextFast reads a sample's fields from one peeked window without a
  // bounds check per field (past the end the window holds zeros) and checks once, after the
  // sample, that it stayed within the chunk. A 64-bit dod does not fit the window: NextSlow,
  // which checks every field, reads it.
  // Inlined into the loops of Next, NextBatch and Seek (this file only).
  [[gnu::always_inline]] inline ValueType NextFast();
  ValueType NextSlow();
  bool ReadValue();
  ValueType Fail();

  // Bits of a dod bucket by its number of leading '1' bits.
  static constexpr int kDodBits[] = {0, 14, 17, 20, 64};

  BitReader reader_;
  int total_ = 0;
  int read_ = 0;
  bool done_ = false;  // Next() ran past the last sample
  Timestamp t_ = 0;
  double v_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
  absl::Status err_;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_XOR_CHUNK_H_
