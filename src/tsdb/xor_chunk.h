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

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "tsdb/bit_stream.h"
#include "tsdb/value.h"

namespace sundial::tsdb {

// A growing XOR chunk with its encoder state. Not thread-safe; readers copy bytes() under the
// owner's lock (the bytes are self-consistent after every Append).
class XorChunk {
 public:
  // A chunk holds at most this many samples (the count header is 16 bits).
  static constexpr int kMaxSamples = 0xffff;

  XorChunk();

  // Appends one sample. Timestamps are not checked (the head orders samples); deltas between
  // any int64 timestamps encode correctly. REQUIRES: NumSamples() < kMaxSamples.
  void Append(Timestamp t, double v);

  int NumSamples() const { return num_; }
  // The encoded chunk. Invalidated by the next Append().
  std::string_view bytes() const { return stream_.bytes(); }

 private:
  // Writes the prefix_bits low bits of prefix (the timestamp's, 0..24), then v XOR-encoded.
  void WriteValue(double v, uint64_t prefix, int prefix_bits);

  BitWriter stream_;
  Timestamp t_ = 0;
  double v_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = 0xff;  // 0xff: no leading/trailing window yet
  uint8_t trailing_ = 0;
  uint16_t num_ = 0;  // the count in the header, kept here so reading it touches no chunk bytes
};

// Decodes an XOR chunk. Does not own the bytes: they must outlive the iterator and not change.
// Follows the SampleIterator contract (tsdb/storage.h) without the virtual calls.
class XorIterator {
 public:
  explicit XorIterator(std::string_view chunk);

  ValueType Next();
  ValueType Seek(Timestamp t);
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
