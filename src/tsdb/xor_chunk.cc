#include "tsdb/xor_chunk.h"

#include <algorithm>
#include <bit>

#include "base/big_endian.h"

namespace sundial::tsdb {
namespace {

void WriteUvarint(BitWriter* w, uint64_t x) {
  while (x >= 0x80) {
    w->WriteByte(static_cast<uint8_t>(x) | 0x80);
    x >>= 7;
  }
  w->WriteByte(static_cast<uint8_t>(x));
}

// Zig-zag as Go's binary.PutVarint.
void WriteVarint(BitWriter* w, int64_t x) {
  uint64_t ux = static_cast<uint64_t>(x) << 1;
  if (x < 0) ux = ~ux;
  WriteUvarint(w, ux);
}

bool ReadUvarint(BitReader* r, uint64_t* out) {
  uint64_t x = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    uint8_t b;
    if (!r->ReadByte(&b)) return false;
    if (b < 0x80) {
      if (shift == 63 && b > 1) return false;  // overflows 64 bits
      *out = x | (static_cast<uint64_t>(b) << shift);
      return true;
    }
    x |= static_cast<uint64_t>(b & 0x7f) << shift;
  }
  return false;
}

bool ReadVarint(BitReader* r, int64_t* out) {
  uint64_t ux;
  if (!ReadUvarint(r, &ux)) return false;
  int64_t x = static_cast<int64_t>(ux >> 1);
  if (ux & 1) x = ~x;
  *out = x;
  return true;
}

}  // namespace

XorChunk::XorChunk() {
  stream_.Reserve(128);  // as Prometheus: a typical 120-sample chunk fits without regrowing
  stream_.WriteBits(0, 16);
}

void XorChunk::WriteStart(Timestamp t, double v, uint64_t t_delta) {
  if (num_ == 0) {
    WriteVarint(&stream_, t);
    stream_.WriteBits(std::bit_cast<uint64_t>(v), 64);
  } else {
    WriteUvarint(&stream_, t_delta);
    WriteValue(v, 0, 0);
  }
}

void XorChunk::WriteWide(uint64_t dod, double v) {
  stream_.WriteBits(0b1111, 4);
  stream_.WriteBits(dod, 64);
  WriteValue(v, 0, 0);
}

void XorChunk::TakeCheckpoint(int read) {
  if (read > kMaxCheckpoints * kCheckpointEvery) return;
  if (checkpoints_ == nullptr) {
    if (read != kCheckpointEvery) return;  // handed over already
    checkpoints_ = std::make_unique<Checkpoints>();
  }
  const size_t pos = stream_.BitsWritten() - 16;
  const size_t k = checkpoints_->size();
  if (static_cast<size_t>(read) != (k + 1) * kCheckpointEvery || pos > UINT16_MAX ||
      t_delta_ > UINT32_MAX) {
    return;
  }
  // leading_ is 0xff while no value changed; a decoder's window is unused until one does.
  checkpoints_->at[k] = {t_,
                         v_,
                         static_cast<uint32_t>(t_delta_),
                         static_cast<uint16_t>(pos),
                         static_cast<uint8_t>(leading_ == 0xff ? 0 : leading_),
                         trailing_};
}

XorIterator::XorIterator(std::string_view chunk) {
  if (chunk.size() < 2) {
    err_ = absl::DataLossError("xor chunk: shorter than its header");
    return;
  }
  total_ = LoadBigEndian16(chunk.data());
  reader_ = BitReader(chunk.substr(2));
}

XorIterator::XorIterator(std::string_view tail, const XorCheckpoint& cp, int read, int total)
    : reader_(tail, cp.bit_pos % 8),
      total_(total),
      read_(read),
      t_(cp.t),
      v_(cp.v),
      t_delta_(cp.t_delta),
      leading_(cp.leading),
      trailing_(cp.trailing) {
  if (read < 2 || read > total || cp.leading + cp.trailing > 64) {
    err_ = absl::DataLossError("xor chunk: checkpoint outside the chunk");
  }
}

bool XorIterator::Checkpoint(XorCheckpoint* cp) const {
  if (reader_.BitsRead() > UINT16_MAX || t_delta_ > UINT32_MAX) return false;
  *cp = {t_,
         v_,
         static_cast<uint32_t>(t_delta_),
         static_cast<uint16_t>(reader_.BitsRead()),
         leading_,
         trailing_};
  return true;
}

XorChunk::Checkpoints XorChunk::Checkpoints::Of(std::string_view chunk) {
  Checkpoints out;
  XorIterator it(chunk);
  size_t k = 0;
  for (size_t read = 1; k < out.at.size() && it.Next() == ValueType::kFloat; ++read) {
    if (read == (k + 1) * kCheckpointEvery && !it.Checkpoint(&out.at[k++])) {
      out.at[k - 1] = XorCheckpoint();
      break;
    }
  }
  return out;
}

ValueType XorIterator::Fail() {
  err_ = absl::DataLossError("xor chunk: truncated sample data");
  return ValueType::kNone;
}

ValueType XorIterator::Next() {
  if (!err_.ok() || done_) return ValueType::kNone;
  if (read_ == total_) {
    done_ = true;
    return ValueType::kNone;
  }
  if (read_ >= 2) return NextFast();
  if (read_ == 0) {
    uint64_t bits;
    if (!ReadVarint(&reader_, &t_) || !reader_.ReadBits(64, &bits)) return Fail();
    v_ = std::bit_cast<double>(bits);
    ++read_;
    return ValueType::kFloat;
  }
  // The second sample: a plain time delta.
  if (!ReadUvarint(&reader_, &t_delta_)) return Fail();
  t_ = static_cast<Timestamp>(static_cast<uint64_t>(t_) + t_delta_);
  if (!ReadValue()) return Fail();
  ++read_;
  return ValueType::kFloat;
}

ValueType XorIterator::NextSlow() {
  // Delta of delta: up to four '1' bits select the bucket. One peek covers the prefix and the
  // short buckets.
  const uint64_t w = reader_.Peek();
  const size_t left = reader_.BitsLeft();
  const int prefix = std::min(std::countl_one(w), 4);
  const size_t used = prefix < 4 ? static_cast<size_t>(prefix) + 1 : 4;
  const int sz = kDodBits[prefix];
  if (used > left) return Fail();
  int64_t dod = 0;
  if (sz == 0) {
    reader_.Skip(used);
  } else if (sz < 64 && used + static_cast<size_t>(sz) <= left) {
    uint64_t bits = (w << used) >> (64 - sz);
    reader_.Skip(used + static_cast<size_t>(sz));
    if (bits > (uint64_t{1} << (sz - 1))) bits -= uint64_t{1} << sz;  // sign
    dod = static_cast<int64_t>(bits);
  } else {
    reader_.Skip(used);
    uint64_t bits;
    if (!reader_.ReadBits(sz, &bits)) return Fail();
    if (sz < 64 && bits > (uint64_t{1} << (sz - 1))) bits -= uint64_t{1} << sz;  // sign
    dod = static_cast<int64_t>(bits);
  }
  t_delta_ += static_cast<uint64_t>(dod);
  t_ = static_cast<Timestamp>(static_cast<uint64_t>(t_) + t_delta_);
  if (!ReadValue()) return Fail();
  ++read_;
  return ValueType::kFloat;
}

ValueType XorIterator::NextFast() {
  // One window holds the dod (at most 4 + 20 bits here) and the value's control bits (at most
  // 13): 57 valid bits. The significant bits of the value take a second read.
  uint64_t w = reader_.Peek();
  const int prefix = std::min(std::countl_one(w), 4);
  size_t used;
  if (prefix == 0) {
    used = 1;
  } else if (prefix < 4) {
    const int sz = kDodBits[prefix];
    uint64_t bits = (w << (prefix + 1)) >> (64 - sz);
    if (bits > (uint64_t{1} << (sz - 1))) bits -= uint64_t{1} << sz;  // sign
    t_delta_ += bits;
    used = static_cast<size_t>(prefix + 1 + sz);
  } else {  // a 64-bit dod: rare, and longer than the window
    return NextSlow();
  }
  t_ = static_cast<Timestamp>(static_cast<uint64_t>(t_) + t_delta_);
  w <<= used;
  if ((w >> 63) == 0) {  // same value
    reader_.Skip(used + 1);
    if (reader_.Overran()) return Fail();
    ++read_;
    return ValueType::kFloat;
  }
  if ((w >> 62) & 1) {  // new leading/trailing window: 5 + 6 bits
    const uint64_t leading = (w << 2) >> 59;
    uint64_t sigbits = (w << 7) >> 58;
    if (sigbits == 0) sigbits = 64;
    if (leading + sigbits > 64) return Fail();
    leading_ = static_cast<uint8_t>(leading);
    trailing_ = static_cast<uint8_t>(64 - leading - sigbits);
    used += 13;
  } else {
    used += 2;
  }
  reader_.Skip(used);
  uint64_t bits = 0;
  if (reader_.Overran() || !reader_.ReadBits(64 - leading_ - trailing_, &bits)) return Fail();
  v_ = std::bit_cast<double>(std::bit_cast<uint64_t>(v_) ^ (bits << trailing_));
  ++read_;
  return ValueType::kFloat;
}

bool XorIterator::ReadValue() {
  const uint64_t w = reader_.Peek();
  const size_t left = reader_.BitsLeft();
  if (left < 1) return false;
  if ((w >> 63) == 0) {  // same value
    reader_.Skip(1);
    return true;
  }
  if (left < 2) return false;
  if ((w >> 62) & 1) {  // new leading/trailing window: 5 + 6 bits
    if (left < 13) return false;
    const uint64_t leading = (w << 2) >> 59;
    uint64_t sigbits = (w << 7) >> 58;
    if (sigbits == 0) sigbits = 64;
    if (leading + sigbits > 64) return false;
    leading_ = static_cast<uint8_t>(leading);
    trailing_ = static_cast<uint8_t>(64 - leading - sigbits);
    reader_.Skip(13);
  } else {
    reader_.Skip(2);
  }
  const int sigbits = 64 - leading_ - trailing_;
  uint64_t bits;
  if (!reader_.ReadBits(sigbits, &bits)) return false;
  v_ = std::bit_cast<double>(std::bit_cast<uint64_t>(v_) ^ (bits << trailing_));
  return true;
}

size_t XorIterator::NextBatch(Timestamp* t, double* v, size_t n) {
  size_t k = 0;
  // The fast path inlined while it applies; the checked Next() for the rest.
  while (k < n && read_ >= 2 && read_ < total_ && err_.ok()) {
    if (NextFast() != ValueType::kFloat) return k;
    t[k] = t_;
    v[k] = v_;
    ++k;
  }
  for (; k < n; ++k) {
    if (Next() != ValueType::kFloat) break;
    t[k] = t_;
    v[k] = v_;
  }
  return k;
}

ValueType XorIterator::Seek(Timestamp t) {
  if (!err_.ok() || done_) return ValueType::kNone;
  // The first two samples by the checked Next(); from the third on the fast path, inlined.
  while (read_ < 2 && (read_ == 0 || t_ < t)) {
    if (Next() == ValueType::kNone) return ValueType::kNone;
  }
  while (t_ < t) {
    if (read_ == total_) {
      done_ = true;
      return ValueType::kNone;
    }
    if (NextFast() != ValueType::kFloat) return ValueType::kNone;
  }
  return ValueType::kFloat;
}

}  // namespace sundial::tsdb
