#include "tsdb/bit_stream.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sundial::tsdb {
namespace {

// The stream as a list of bits, packed the way bit_stream.h says: most significant bit of each
// byte first, unused low bits of the last byte zero.
std::string Pack(const std::vector<bool>& bits) {
  std::string out((bits.size() + 7) / 8, '\0');
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) out[i / 8] = static_cast<char>(out[i / 8] | (0x80 >> (i % 8)));
  }
  return out;
}

TEST(BitWriterTest, EmptyStreamHasNoBytes) {
  BitWriter w;
  EXPECT_EQ(w.BitsWritten(), 0u);
  EXPECT_EQ(w.bytes().size(), 0u);
  w.WriteBits(0xffff, 0);
  EXPECT_EQ(w.bytes().size(), 0u);
}

TEST(BitWriterTest, BitsByHand) {
  BitWriter w;
  w.WriteBit(true);
  w.WriteBits(0b01, 2);
  EXPECT_EQ(w.bytes(), std::string("\xa0", 1));
  w.WriteBits(0xfff, 8);  // only the low 8 bits count
  EXPECT_EQ(w.bytes(), std::string("\xbf\xe0", 2));
  w.WriteBits(0x8000000000000001, 64);
  EXPECT_EQ(w.BitsWritten(), 75u);
  EXPECT_EQ(w.bytes(), std::string("\xbf\xf0\x00\x00\x00\x00\x00\x00\x00\x20", 10));
}

// Every write of every width at every alignment, with garbage above the width, against the
// bit-list model; bytes() is checked after each write (readers copy it between appends), and
// a reader gets the values back.
TEST(BitWriterTest, RandomWritesEqualTheBitByBitModel) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 200; ++round) {
    BitWriter w;
    if (round % 2 == 0) w.Reserve(rng() % 64);
    std::vector<bool> model;
    std::vector<std::pair<uint64_t, int>> writes;
    const int n = 1 + static_cast<int>(rng() % 100);
    for (int i = 0; i < n; ++i) {
      const int nbits = static_cast<int>(rng() % 65);
      const uint64_t u = rng();
      w.WriteBits(u, nbits);
      for (int b = nbits - 1; b >= 0; --b) model.push_back((u >> b) & 1);
      writes.emplace_back(nbits == 64 ? u : u & ((uint64_t{1} << nbits) - 1), nbits);
      ASSERT_EQ(w.BitsWritten(), model.size());
      ASSERT_EQ(w.bytes(), Pack(model)) << "round " << round << " write " << i;
    }
    const std::string bytes(w.bytes());
    BitReader r(bytes);
    for (auto [want, nbits] : writes) {
      uint64_t got = 0;
      ASSERT_TRUE(r.ReadBits(nbits, &got));
      EXPECT_EQ(got, want);
    }
  }
}

TEST(BitWriterTest, HeaderRewrittenInPlace) {
  BitWriter w;
  w.WriteBits(0, 16);
  w.WriteBits(0b101, 3);
  w.data()[0] = '\x12';
  w.data()[1] = '\x34';
  w.WriteBits(1, 1);
  EXPECT_EQ(w.bytes(), std::string("\x12\x34\xb0", 3));
}

}  // namespace
}  // namespace sundial::tsdb
