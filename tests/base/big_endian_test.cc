#include "base/big_endian.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace sundial {
namespace {

TEST(BigEndian, AppendWritesMostSignificantByteFirst) {
  std::string buf;
  AppendBigEndian32(&buf, 0x01020304u);
  AppendBigEndian64(&buf, 0x1112131415161718ull);
  EXPECT_EQ(buf, std::string("\x01\x02\x03\x04\x11\x12\x13\x14\x15\x16\x17\x18", 12));
}

TEST(BigEndian, LoadsReadAtAnyAlignment) {
  const std::string bytes("\xff\x80\x01\x02\x03\x04\x05\x06\x07\x08", 10);
  EXPECT_EQ(LoadBigEndian16(bytes.data()), 0xff80u);
  EXPECT_EQ(LoadBigEndian16(bytes.data() + 1), 0x8001u);
  EXPECT_EQ(LoadBigEndian32(bytes.data() + 1), 0x80010203u);
  EXPECT_EQ(LoadBigEndian64(bytes.data() + 2), 0x0102030405060708ull);
  EXPECT_EQ(LoadBigEndian64(bytes.data() + 1), 0x8001020304050607ull);
}

TEST(BigEndian, StoreOverwritesInPlaceAndRoundTrips) {
  std::string buf(15, '\0');
  StoreBigEndian16(buf.data() + 1, 0xabcd);
  StoreBigEndian32(buf.data() + 3, 0xdeadbeefu);
  StoreBigEndian64(buf.data() + 7, 0x8000000000000001ull);
  EXPECT_EQ(buf, std::string("\x00\xab\xcd\xde\xad\xbe\xef\x80\x00\x00\x00\x00\x00\x00\x01", 15));
  EXPECT_EQ(LoadBigEndian16(buf.data() + 1), 0xabcdu);
  EXPECT_EQ(LoadBigEndian32(buf.data() + 3), 0xdeadbeefu);
  EXPECT_EQ(LoadBigEndian64(buf.data() + 7), 0x8000000000000001ull);
}

}  // namespace
}  // namespace sundial
