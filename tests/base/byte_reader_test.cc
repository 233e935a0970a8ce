#include "base/byte_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "base/varint.h"

namespace sundial {
namespace {

// Encodings as Go's encoding/binary writes them.
TEST(Varint, MatchesGoEncoding) {
  std::string buf;
  PutUvarint(&buf, 300);
  EXPECT_EQ(buf, "\xac\x02");
  buf.clear();
  PutVarint(&buf, -1);
  PutVarint(&buf, 1);
  PutVarint(&buf, -64);
  EXPECT_EQ(buf, std::string("\x01\x02\x7f", 3));
  buf.clear();
  PutUvarint(&buf, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(buf, std::string(9, '\xff') + "\x01");
}

TEST(ByteReader, ReadsBackWhatWasWritten) {
  std::string buf;
  buf.push_back('\x07');
  AppendBigEndian32(&buf, 0xdeadbeefu);
  AppendBigEndian64(&buf, 42);
  PutUvarint(&buf, 1u << 20);
  PutVarint(&buf, std::numeric_limits<int64_t>::min());
  PutUvarintString(&buf, "job");
  PutUvarintString(&buf, "");
  buf += "tail";

  ByteReader r(buf);
  EXPECT_EQ(r.Byte(), 7);
  EXPECT_EQ(r.BigEndian32(), 0xdeadbeefu);
  EXPECT_EQ(r.BigEndian64(), 42u);
  EXPECT_EQ(r.Uvarint(), 1u << 20);
  EXPECT_EQ(r.Varint(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.UvarintString(), "job");
  EXPECT_EQ(r.UvarintString(), "");
  EXPECT_EQ(r.remaining(), 4u);
  EXPECT_EQ(r.rest(), "tail");
  r.Skip(4);
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(r.ok());
}

TEST(ByteReader, ReadingPastTheEndFailsAndSticks) {
  ByteReader r(std::string_view("\x01\x02\x03", 3));
  EXPECT_EQ(r.BigEndian32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.Byte(), 0);  // the bytes that were there are not read after a failure
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, StringLongerThanTheRestFails) {
  std::string buf;
  PutUvarint(&buf, 10);
  buf += "short";
  ByteReader r(buf);
  EXPECT_EQ(r.UvarintString(), "");
  EXPECT_FALSE(r.ok());
}

TEST(ByteReader, MalformedVarintsFail) {
  const std::string over_64_bits = std::string(10, '\xff') + "\x01";
  ByteReader overflow(over_64_bits);
  EXPECT_EQ(overflow.Uvarint(), 0u);
  EXPECT_FALSE(overflow.ok());

  const std::string continued = std::string(3, '\x80');
  ByteReader unterminated(continued);
  EXPECT_EQ(unterminated.Uvarint(), 0u);
  EXPECT_FALSE(unterminated.ok());

  const std::string max_64_bits = std::string(9, '\xff') + "\x01";  // the 64th bit is allowed
  ByteReader largest(max_64_bits);
  EXPECT_EQ(largest.Uvarint(), std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(largest.ok());
}

// The unbounded fast path decodes what the checked reader does, and refuses the same overflow.
TEST(Varint, UnboundedDecodeAgreesWithByteReader) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, uint64_t{1} << 14,
                     (uint64_t{1} << 21) - 1, uint64_t{1} << 21, uint64_t{1} << 35,
                     std::numeric_limits<uint64_t>::max()}) {
    std::string buf;
    PutUvarint(&buf, v);
    const size_t size = buf.size();
    buf += "next";
    const auto* p = reinterpret_cast<const uint8_t*>(buf.data());
    uint64_t got = 0;
    ASSERT_TRUE(GetUvarintUnbounded(&p, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_EQ(p, reinterpret_cast<const uint8_t*>(buf.data()) + size);
    EXPECT_EQ(ByteReader(buf).Uvarint(), v);
  }
  const std::string over_64_bits = std::string(9, '\xff') + "\x02";
  const auto* p = reinterpret_cast<const uint8_t*>(over_64_bits.data());
  uint64_t got = 0;
  EXPECT_FALSE(GetUvarintUnbounded(&p, &got));
}

}  // namespace
}  // namespace sundial
