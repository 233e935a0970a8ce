#include "tsdb/xor_chunk.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/bit_stream.h"
#include "tsdb/value.h"

namespace sundial::tsdb {
namespace {

using Sample = std::pair<Timestamp, double>;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

std::string Encode(const std::vector<Sample>& samples) {
  XorChunk c;
  for (auto [t, v] : samples) c.Append(t, v);
  EXPECT_EQ(c.NumSamples(), static_cast<int>(samples.size()));
  return std::string(c.bytes());
}

std::vector<Sample> Decode(std::string_view bytes) {
  XorIterator it(bytes);
  std::vector<Sample> out;
  while (it.Next() == ValueType::kFloat) out.push_back(it.At());
  EXPECT_TRUE(it.Err().ok()) << it.Err();
  return out;
}

// Compares values bit for bit so NaN payloads and -0 count.
void ExpectBitExact(const std::vector<Sample>& got, const std::vector<Sample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first) << "sample " << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(got[i].second), std::bit_cast<uint64_t>(want[i].second))
        << "sample " << i;
  }
}

void ExpectRoundTrip(const std::vector<Sample>& samples) {
  ExpectBitExact(Decode(Encode(samples)), samples);
}

double Bits(uint64_t b) { return std::bit_cast<double>(b); }

// The expected bytes below are worked out by hand from the format in xor_chunk.h.

TEST(XorChunkTest, EmptyChunkIsTwoZeroBytes) {
  EXPECT_EQ(Hex(Encode({})), "00 00");
  EXPECT_THAT(Decode(XorChunk().bytes()), testing::IsEmpty());
}

TEST(XorChunkTest, FirstSampleIsVarintAndRawBits) {
  // zig-zag(1000) = 2000 = 0b1111'1010000 -> d0 0f; 1.0 = 3ff0000000000000.
  EXPECT_EQ(Hex(Encode({{1000, 1.0}})), "00 01 d0 0f 3f f0 00 00 00 00 00 00");
  // zig-zag(-1) = 1.
  EXPECT_EQ(Hex(Encode({{-1, 0.0}})), "00 01 01 00 00 00 00 00 00 00 00");
}

TEST(XorChunkTest, RepeatedValueAndZeroDodAreSingleBits) {
  // Second sample: uvarint(1000) = e8 07, then '0' (same value).
  // Third sample: '0' (dod 0), '0' (same value); both fit the same pad byte.
  const std::string two = "00 02 d0 0f 3f f0 00 00 00 00 00 00 e8 07 00";
  EXPECT_EQ(Hex(Encode({{1000, 1.0}, {2000, 1.0}})), two);
  EXPECT_EQ(Hex(Encode({{1000, 1.0}, {2000, 1.0}, {3000, 1.0}})),
            "00 03 d0 0f 3f f0 00 00 00 00 00 00 e8 07 00");
}

TEST(XorChunkTest, XorWindowsAndDodBucketsByHand) {
  // s1 delta 10 -> 0a. 0.0^1.0 = 3ff0..: '11' lead=2 '00010' sig=10 '001010' '1111111111'.
  // s2 dod 0 '0'; 1.0^2.0 = 7ff0..: lead 1 < 2, new window '11' '00001' '001011' + 11 ones.
  // s3 '0'; 2.0^3.0 = 0008..: lead 12, trail 51 < 52: '11' '01100' '000001' '1'.
  // s4 '0'; 3.0^2.0 = 0008..: fits window (12, 51): '10' + 1 bit '1'.
  // s5 delta 5, dod -5: '10' + 14-bit two's complement 11111111111011; value '0'.
  EXPECT_EQ(Hex(Encode({{0, 0.0}, {10, 1.0}, {20, 2.0}, {30, 3.0}, {40, 2.0}, {45, 2.0}})),
            "00 06 00 00 00 00 00 00 00 00 00 0a c4 57 fe c2 5f ff 6c 06 b7 ff 60");
}

TEST(XorChunkTest, LeadingZerosAreCappedAt31) {
  // 0 ^ 1 has 63 leading zeros, written as 31: '11' '11111' sig=33 '100001' + 33 bits:
  // 11111111 00001000 (3 of 32 zeros) 24 zeros, then 00000 '1' and padding.
  EXPECT_EQ(Hex(Encode({{0, 0.0}, {1, Bits(1)}})),
            "00 02 00 00 00 00 00 00 00 00 00 01 ff 08 00 00 00 04");
}

TEST(XorChunkTest, SixtyFourSignificantBitsAreWrittenAsZero) {
  // delta 8000000000000001: no leading or trailing zeros, sigbits 64 written as '000000'.
  EXPECT_EQ(Hex(Encode({{0, 0.0}, {1, Bits(0x8000000000000001)}})),
            "00 02 00 00 00 00 00 00 00 00 00 01 c0 04 00 00 00 00 00 00 00 08");
  ExpectRoundTrip({{0, 0.0}, {1, Bits(0x8000000000000001)}, {2, 0.0}, {3, Bits(1)}});
}

TEST(XorChunkTest, DodBucketBoundaries) {
  // Bucket n holds -(2^(n-1)-1) .. 2^(n-1); just past either end moves to the next bucket.
  std::vector<Sample> samples = {{0, 1}, {1000, 1}};
  Timestamp t = 1000, delta = 1000;
  for (int64_t dod :
       {int64_t{8192}, int64_t{-8191}, int64_t{8193}, int64_t{-8192}, int64_t{65536},
        int64_t{-65535}, int64_t{65537}, int64_t{524288}, int64_t{-524287}, int64_t{524289},
        int64_t{-524288}, int64_t{1} << 40, -(int64_t{1} << 40), int64_t{0}}) {
    delta += dod;
    t += delta;
    samples.push_back({t, 1});
  }
  ExpectRoundTrip(samples);
}

TEST(XorChunkTest, SpecialValuesRoundTripBitExact) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {0.0,
                                -0.0,
                                StaleNaN(),
                                std::numeric_limits<double>::quiet_NaN(),
                                Bits(0x7ff8000000000001),
                                Bits(0xfff0000000000001),
                                inf,
                                -inf,
                                std::numeric_limits<double>::denorm_min(),
                                -std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::max(),
                                StaleNaN(),
                                StaleNaN(),
                                1.0,
                                -0.0};
  std::vector<Sample> samples;
  for (size_t i = 0; i < values.size(); ++i)
    samples.push_back({static_cast<Timestamp>(i), values[i]});
  ExpectRoundTrip(samples);
  std::vector<Sample> decoded = Decode(Encode(samples));
  EXPECT_TRUE(IsStaleNaN(decoded[2].second));
  EXPECT_FALSE(IsStaleNaN(decoded[3].second));
}

TEST(XorChunkTest, ExtremeTimestamps) {
  constexpr Timestamp kMin = std::numeric_limits<Timestamp>::min();
  constexpr Timestamp kMax = std::numeric_limits<Timestamp>::max();
  ExpectRoundTrip({{kMin, 1}, {kMax, 2}, {kMax, 3}});
  ExpectRoundTrip({{kMin, 1}, {0, 2}, {kMax, 3}});
  ExpectRoundTrip({{-5000, 1}, {-4000, 2}, {-2500, 3}, {1, 4}, {1LL << 50, 5}});
}

TEST(XorChunkTest, IdenticalAndAlternatingValues) {
  std::vector<Sample> same, alternating;
  for (int i = 0; i < 500; ++i) {
    same.push_back({i * 15000LL, 42.0});
    alternating.push_back({i * 15000LL, i % 2 ? -1e300 : 1e-300});
  }
  ExpectRoundTrip(same);
  ExpectRoundTrip(alternating);
  // Identical values at a regular interval cost two bits per sample after the first two.
  // varint(0) 1 byte, value 8, uvarint(15000) 2 bytes, then '0' and 498 times '00'.
  EXPECT_EQ(Encode(same).size(), 2 + 1 + 8 + 2 + (1 + 498 * 2 + 7) / 8);
}

// A value of one of the kinds the encoder handles differently: random bits, a counter step,
// few significant bits, with non_finite NaN or -Inf, or a repeat of the previous value.
double RandomValue(std::mt19937_64& rng, const std::vector<Sample>& before, double* counter,
                   bool non_finite) {
  switch (rng() % (non_finite ? 6 : 4)) {
    case 0:
      return std::bit_cast<double>(rng());
    case 1:
      *counter += static_cast<double>(rng() % 1000);
      return *counter;
    case 2:
      return std::ldexp(static_cast<double>(rng() % 100), -(int)(rng() % 60));
    case 3:
      if (non_finite) {
        return rng() % 2 ? std::numeric_limits<double>::quiet_NaN()
                         : -std::numeric_limits<double>::infinity();
      }
      [[fallthrough]];
    default:
      return before.empty() ? 0.0 : before.back().second;
  }
}

TEST(XorChunkTest, RandomRoundTrip) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<Sample> samples;
    Timestamp t = static_cast<Timestamp>(rng()) >> (rng() % 64);
    const int n = 1 + static_cast<int>(rng() % 300);
    double counter = 0;
    for (int i = 0; i < n; ++i) {
      samples.push_back({t, RandomValue(rng, samples, &counter, /*non_finite=*/false)});
      // Huge deltas wrap around as two's complement, as int64 arithmetic does in Go.
      uint64_t delta = rng() % 2 ? 15000 + rng() % 50 : rng() >> (rng() % 64);
      t = static_cast<Timestamp>(static_cast<uint64_t>(t) + delta);
    }
    ExpectRoundTrip(samples);
  }
}

// The format written one field at a time with BitWriter, straight from xor_chunk.h: the
// chunk's encoder gathers a sample's fields into fewer writes and must give the same bytes.
std::string ReferenceEncode(const std::vector<Sample>& samples) {
  BitWriter w;
  w.WriteBits(samples.size(), 16);
  auto uvarint = [&w](uint64_t x) {
    for (; x >= 0x80; x >>= 7) w.WriteByte(static_cast<uint8_t>(x) | 0x80);
    w.WriteByte(static_cast<uint8_t>(x));
  };
  auto fits = [](int64_t x, int n) {
    return -((int64_t{1} << (n - 1)) - 1) <= x && x <= (int64_t{1} << (n - 1));
  };
  uint64_t prev_t = 0, prev_delta = 0, prev_v = 0;
  int lead = -1, trail = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const uint64_t t = static_cast<uint64_t>(samples[i].first);
    const uint64_t v = std::bit_cast<uint64_t>(samples[i].second);
    if (i == 0) {
      const auto st = static_cast<int64_t>(t);
      uvarint(st < 0 ? ~(t << 1) : t << 1);
      w.WriteBits(v, 64);
    } else {
      const uint64_t delta = t - prev_t;
      if (i == 1) {
        uvarint(delta);
      } else {
        const auto dod = static_cast<int64_t>(delta - prev_delta);
        if (dod == 0) {
          w.WriteBit(false);
        } else {
          const auto udod = static_cast<uint64_t>(dod);
          if (fits(dod, 14)) {
            w.WriteBits(0b10, 2);
            w.WriteBits(udod, 14);
          } else if (fits(dod, 17)) {
            w.WriteBits(0b110, 3);
            w.WriteBits(udod, 17);
          } else if (fits(dod, 20)) {
            w.WriteBits(0b1110, 4);
            w.WriteBits(udod, 20);
          } else {
            w.WriteBits(0b1111, 4);
            w.WriteBits(udod, 64);
          }
        }
      }
      prev_delta = delta;
      const uint64_t x = v ^ prev_v;
      if (x == 0) {
        w.WriteBit(false);
      } else {
        w.WriteBit(true);
        const int l = std::min(31, std::countl_zero(x));
        const int tz = std::countr_zero(x);
        if (lead >= 0 && l >= lead && tz >= trail) {
          w.WriteBit(false);
          w.WriteBits(x >> trail, 64 - lead - trail);
        } else {
          lead = l;
          trail = tz;
          w.WriteBit(true);
          w.WriteBits(l, 5);
          w.WriteBits((64 - l - tz) & 0x3f, 6);
          w.WriteBits(x >> tz, 64 - l - tz);
        }
      }
    }
    prev_t = t;
    prev_v = v;
  }
  return std::string(w.bytes());
}

TEST(XorChunkTest, EncodingEqualsTheFieldByFieldReference) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<Sample> samples;
    Timestamp t = static_cast<Timestamp>(rng()) >> (rng() % 64);
    const int n = 1 + static_cast<int>(rng() % 200);
    double counter = 0;
    for (int i = 0; i < n; ++i) {
      switch (rng() % 5) {
        case 0:  // any bits: 64 significant bits, NaNs
          samples.push_back({t, std::bit_cast<double>(rng())});
          break;
        case 1:  // a counter: mostly the previous window
          counter += static_cast<double>(rng() % 1000);
          samples.push_back({t, counter});
          break;
        case 2:  // one bit set anywhere: leading zeros above 31
          samples.push_back({t, std::bit_cast<double>(uint64_t{1} << (rng() % 64))});
          break;
        default:
          samples.push_back({t, samples.empty() ? 0.0 : samples.back().second});
      }
      // Regular, jittering, and in every dod bucket up to 64 bits.
      const uint64_t delta = rng() % 3 == 0   ? 15000
                             : rng() % 2 == 0 ? 15000 + (rng() % (uint64_t{1} << (rng() % 22)))
                                              : rng() >> (rng() % 64);
      t = static_cast<Timestamp>(static_cast<uint64_t>(t) + delta);
    }
    ASSERT_EQ(Hex(Encode(samples)), Hex(ReferenceEncode(samples))) << "round " << round;
  }
}

// Readers copy the open chunk's bytes between appends: after every append they are the whole
// chunk of the samples so far.
TEST(XorChunkTest, BytesAfterEachAppendAreTheChunkSoFar) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 50; ++round) {
    XorChunk c;
    std::vector<Sample> samples;
    Timestamp t = static_cast<Timestamp>(rng() % 1000000);
    double counter = 0;
    for (int i = 0; i < 150; ++i) {
      samples.push_back({t, RandomValue(rng, samples, &counter, /*non_finite=*/true)});
      c.Append(samples.back().first, samples.back().second);
      ASSERT_EQ(Hex(c.bytes()), Hex(ReferenceEncode(samples))) << "round " << round << " i " << i;
      t += rng() % 4 ? 15000 : static_cast<Timestamp>(rng() % (uint64_t{1} << (rng() % 40)));
    }
  }
}

TEST(XorChunkTest, MaxSamples) {
  XorChunk c;
  for (int i = 0; i < XorChunk::kMaxSamples; ++i) c.Append(i, i);
  EXPECT_EQ(c.NumSamples(), XorChunk::kMaxSamples);
  EXPECT_EQ(Decode(c.bytes()).size(), static_cast<size_t>(XorChunk::kMaxSamples));
}

TEST(XorIteratorTest, SeekContract) {
  std::string bytes = Encode({{10, 1}, {20, 2}, {30, 3}});
  XorIterator it(bytes);
  ASSERT_EQ(it.Seek(15), ValueType::kFloat);
  EXPECT_EQ(it.At(), Sample(20, 2));
  // Never moves backwards, stays on a sample that is already late enough.
  ASSERT_EQ(it.Seek(5), ValueType::kFloat);
  EXPECT_EQ(it.AtT(), 20);
  ASSERT_EQ(it.Seek(30), ValueType::kFloat);
  EXPECT_EQ(it.At(), Sample(30, 3));
  EXPECT_EQ(it.Seek(31), ValueType::kNone);
  EXPECT_EQ(it.Seek(0), ValueType::kNone);
  EXPECT_EQ(it.Next(), ValueType::kNone);

  XorIterator fresh(bytes);
  ASSERT_EQ(fresh.Seek(std::numeric_limits<Timestamp>::min()), ValueType::kFloat);
  EXPECT_EQ(fresh.At(), Sample(10, 1));
}

TEST(XorIteratorTest, DefaultIteratorHasNoSamplesAndNoError) {
  XorIterator it;
  EXPECT_EQ(it.Next(), ValueType::kNone);
  EXPECT_EQ(it.Seek(0), ValueType::kNone);
  Timestamp t[4];
  double v[4];
  EXPECT_EQ(it.NextBatch(t, v, 4), 0u);
  EXPECT_TRUE(it.Err().ok()) << it.Err();
}

TEST(XorIteratorTest, TruncatedChunkReportsCorruption) {
  std::string bytes = Encode({{10, 1}, {20, 2}, {30, 3.5}});
  for (size_t cut = 0; cut < bytes.size() - 1; ++cut) {
    XorIterator it(std::string_view(bytes).substr(0, cut));
    int n = 0;
    while (it.Next() == ValueType::kFloat) ++n;
    EXPECT_LT(n, 3) << cut;
    EXPECT_FALSE(it.Err().ok()) << cut;
  }
}

// A constant series at a steady interval takes two bits per sample, so its last samples lie in
// the final bytes, where the decoder peeks past the end. Cut anywhere, it yields a prefix of the
// samples and then reports corruption, by Next() and by NextBatch() alike.
TEST(XorIteratorTest, TruncatedDenseChunkYieldsAPrefixThenCorruption) {
  std::vector<Sample> samples;
  for (int i = 0; i < 120; ++i) samples.emplace_back(1000 + 15000 * i, i < 100 ? 1.0 : 2.5);
  const std::string bytes = Encode(samples);
  ASSERT_LT(bytes.size(), 60u);
  for (size_t cut = 0; cut < bytes.size() - 1; ++cut) {
    const std::string_view part = std::string_view(bytes).substr(0, cut);
    XorIterator it(part);
    std::vector<Sample> got;
    while (it.Next() == ValueType::kFloat) got.push_back(it.At());
    ASSERT_LT(got.size(), samples.size()) << cut;
    EXPECT_FALSE(it.Err().ok()) << cut;
    ExpectBitExact(got, std::vector<Sample>(samples.begin(), samples.begin() + got.size()));

    XorIterator batch(part);
    std::vector<Timestamp> t(samples.size());
    std::vector<double> v(samples.size());
    const size_t n = batch.NextBatch(t.data(), v.data(), samples.size());
    EXPECT_EQ(n, got.size()) << cut;
    EXPECT_FALSE(batch.Err().ok()) << cut;
  }
}

// Runs of samples that repeat the previous delta and value (two '0' bits each, e.g. `up`) of
// every length, ending at the chunk's end or at a changed delta or value, read the same through
// Next, NextBatch of any size, and Seek to every sample's time and around it.
TEST(XorIteratorTest, RunsOfRepeatsReadTheSameByNextBatchAndSeek) {
  std::vector<Sample> samples;
  Timestamp t = 5000;
  double v = 1;
  for (int run = 0; run < 70; ++run) {
    for (int i = 0; i < run; ++i) samples.emplace_back(t += 15000, v);
    samples.emplace_back(t += run % 3 == 0 ? 15001 : 15000, v += run % 2);
  }
  const std::string bytes = Encode(samples);
  ExpectBitExact(Decode(bytes), samples);
  for (size_t batch : {1, 2, 5, 33, 64, 10000}) {
    XorIterator it(bytes);
    std::vector<Timestamp> ts(batch);
    std::vector<double> vs(batch);
    std::vector<Sample> got;
    for (size_t n; (n = it.NextBatch(ts.data(), vs.data(), batch)) > 0;) {
      for (size_t i = 0; i < n; ++i) got.emplace_back(ts[i], vs[i]);
    }
    EXPECT_TRUE(it.Err().ok());
    ExpectBitExact(got, samples);
  }
  // Seek from a fresh iterator and from the sample before, to each sample's time and around it.
  for (size_t k = 1; k < samples.size(); ++k) {
    for (Timestamp d : {-1, 0, 1}) {
      const Timestamp target = samples[k].first + d;
      const auto want = std::lower_bound(samples.begin(), samples.end(), target,
                                         [](const Sample& s, Timestamp x) { return s.first < x; });
      XorIterator fresh(bytes);
      XorIterator after(bytes);
      ASSERT_EQ(after.Seek(samples[k - 1].first), ValueType::kFloat);
      for (XorIterator* it : {&fresh, &after}) {
        if (want == samples.end()) {
          EXPECT_EQ(it->Seek(target), ValueType::kNone);
          continue;
        }
        ASSERT_EQ(it->Seek(target), ValueType::kFloat) << target;
        EXPECT_EQ(it->At(), *want) << target;
        ASSERT_EQ(it->Next() == ValueType::kFloat, want + 1 != samples.end()) << target;
        if (want + 1 != samples.end()) {
          EXPECT_EQ(it->At(), *(want + 1)) << target;
        }
      }
    }
  }
  // Cut short, a Seek past the end reports the corruption.
  XorIterator cut(std::string_view(bytes).substr(0, bytes.size() / 2));
  EXPECT_EQ(cut.Seek(samples.back().first), ValueType::kNone);
  EXPECT_FALSE(cut.Err().ok());
}

// Samples of the kinds that exercise the decoder: random bits, counters, few significant bits,
// repeats, NaN and infinities, steady and jittered intervals, dods of every bucket and deltas
// too large for a checkpoint.
std::vector<Sample> MixedSamples(std::mt19937_64& rng, int n) {
  std::vector<Sample> samples;
  Timestamp t = static_cast<Timestamp>(rng() % 2000000000000);
  double counter = 0;
  for (int i = 0; i < n; ++i) {
    samples.push_back({t, RandomValue(rng, samples, &counter, /*non_finite=*/true)});
    const uint64_t kind = rng() % 16;
    uint64_t delta = 15000;
    if (kind < 4) delta += rng() % (uint64_t{1} << (kind * 7 + 1));  // each dod bucket
    if (kind == 4) delta = (uint64_t{1} << 32) + rng() % 1000;       // no checkpoint fits
    t = static_cast<Timestamp>(static_cast<uint64_t>(t) + delta);
  }
  return samples;
}

// What a decode from the chunk's start gives after Seek(target): the samples from there on.
std::vector<Sample> RestAfterSeek(XorIterator it, Timestamp target) {
  std::vector<Sample> out;
  if (it.Seek(target) != ValueType::kFloat) return out;
  out.push_back(it.At());
  while (it.Next() == ValueType::kFloat) out.push_back(it.At());
  EXPECT_TRUE(it.Err().ok()) << it.Err();
  return out;
}

// A checkpoint holds the state after sample (k + 1) * kCheckpointEvery, and an iterator resumed
// from it seeks and reads (by Next and NextBatch) exactly what one decoding from the chunk's
// start does, to every target at or after the checkpoint's sample.
TEST(XorCheckpointTest, ResumedIteratorReadsWhatADecodeFromTheStartReads) {
  std::mt19937_64 rng(11);
  int checked = 0;
  for (int round = 0; round < 60; ++round) {
    const int n = 1 + static_cast<int>(rng() % 260);
    const std::vector<Sample> samples = MixedSamples(rng, n);
    XorChunk c;
    for (auto [t, v] : samples) c.Append(t, v);
    const std::string bytes(c.bytes());
    const auto cps = c.checkpoints();
    ASSERT_LE(cps.size(), static_cast<size_t>(XorChunk::kMaxCheckpoints));
    ASSERT_LE(static_cast<int>(cps.size()), n / XorChunk::kCheckpointEvery);
    for (size_t k = 0; k < cps.size(); ++k) {
      const int read = static_cast<int>(k + 1) * XorChunk::kCheckpointEvery;
      const Sample& at = samples[static_cast<size_t>(read - 1)];
      EXPECT_EQ(cps[k].t, at.first);
      EXPECT_EQ(std::bit_cast<uint64_t>(cps[k].v), std::bit_cast<uint64_t>(at.second));
      for (int j = read - 1; j <= n; ++j) {
        const Timestamp base = j < n ? samples[static_cast<size_t>(j)].first : at.first;
        for (Timestamp d : {-1, 0, 1}) {
          const Timestamp target = j < n ? base + d : std::numeric_limits<Timestamp>::max();
          if (target < at.first) continue;
          XorIterator resumed(XorTail(bytes, cps[k]), cps[k], read, n);
          ExpectBitExact(RestAfterSeek(resumed, target), RestAfterSeek(XorIterator(bytes), target));
          ++checked;
        }
      }
      // Positioned on the checkpoint's sample: NextBatch continues after it.
      XorIterator resumed(XorTail(bytes, cps[k]), cps[k], read, n);
      ExpectBitExact({resumed.At()}, {at});
      std::vector<Timestamp> ts(samples.size());
      std::vector<double> vs(samples.size());
      const size_t got = resumed.NextBatch(ts.data(), vs.data(), samples.size());
      ASSERT_EQ(got, samples.size() - static_cast<size_t>(read));
      std::vector<Sample> rest;
      for (size_t i = 0; i < got; ++i) rest.emplace_back(ts[i], vs[i]);
      ExpectBitExact(rest, std::vector<Sample>(samples.begin() + read, samples.end()));
    }
  }
  EXPECT_GT(checked, 1000);
}

// Checkpoints::Of a chunk's bytes equals what XorChunk took while appending it.
TEST(XorCheckpointTest, CheckpointsOfBytesEqualTheAppendersOwn) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 100; ++round) {
    const std::vector<Sample> samples = MixedSamples(rng, 1 + static_cast<int>(rng() % 200));
    XorChunk c;
    for (auto [t, v] : samples) c.Append(t, v);
    const auto want = c.checkpoints();
    const XorChunk::Checkpoints got = XorChunk::Checkpoints::Of(c.bytes());
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) {
      EXPECT_EQ(got.at[k].t, want[k].t);
      EXPECT_EQ(std::bit_cast<uint64_t>(got.at[k].v), std::bit_cast<uint64_t>(want[k].v));
      EXPECT_EQ(got.at[k].t_delta, want[k].t_delta);
      EXPECT_EQ(got.at[k].bit_pos, want[k].bit_pos);
      EXPECT_EQ(got.at[k].trailing, want[k].trailing);
    }
  }
  EXPECT_EQ(XorChunk::Checkpoints::Of("").size(), 0u);
}

TEST(XorCheckpointTest, SteadyScrapesGetACheckpointEveryKSamples) {
  XorChunk c;
  for (int i = 0; i < 120; ++i) c.Append(1000 + 15000 * i, i % 7);
  ASSERT_EQ(c.checkpoints().size(), 3u);
  EXPECT_EQ(c.checkpoints()[2].t, 1000 + 15000 * 95);
  // A delta too large for the field: no checkpoint from there on.
  XorChunk wide;
  for (int i = 0; i < 120; ++i) wide.Append(i < 40 ? 15000 * i : (int64_t{1} << 40) * i, i);
  EXPECT_EQ(wide.checkpoints().size(), 1u);
}

// A tail cut short, or a checkpoint that does not fit the chunk, is corruption, not a crash.
TEST(XorCheckpointTest, ResumingFromABadTailReportsCorruption) {
  std::vector<Sample> samples;
  for (int i = 0; i < 120; ++i) samples.emplace_back(1000 + 15000 * i, i * 1.5);
  XorChunk c;
  for (auto [t, v] : samples) c.Append(t, v);
  const std::string bytes(c.bytes());
  const XorCheckpoint cp = c.checkpoints()[1];
  const std::string_view tail = XorTail(bytes, cp);
  for (size_t cut = 0; cut + 1 < tail.size(); ++cut) {
    XorIterator it(tail.substr(0, cut), cp, 64, 120);
    int n = 0;
    while (it.Next() == ValueType::kFloat) ++n;
    EXPECT_LT(n, 120 - 64) << cut;
    EXPECT_FALSE(it.Err().ok()) << cut;
  }
  EXPECT_TRUE(XorTail(bytes.substr(0, 3), cp).empty());
  for (auto [read, total] : {std::pair{1, 120}, std::pair{121, 120}}) {
    XorIterator bad(tail, cp, read, total);
    EXPECT_EQ(bad.Next(), ValueType::kNone);
    EXPECT_FALSE(bad.Err().ok());
  }
}

}  // namespace
}  // namespace sundial::tsdb
