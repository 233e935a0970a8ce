#include "base/byte_size.h"

#include <gtest/gtest.h>

namespace sundial {
namespace {

TEST(ParseByteSize, PowersOfTwoWithRequiredUnit) {
  EXPECT_EQ(*ParseByteSize("0B"), 0);
  EXPECT_EQ(*ParseByteSize("512MB"), 512LL << 20);
  EXPECT_EQ(*ParseByteSize("1KB"), 1024);
  EXPECT_EQ(*ParseByteSize("3GiB"), 3LL << 30);
  EXPECT_EQ(*ParseByteSize("2EB"), 2LL << 60);
}

TEST(ParseByteSize, RejectsMissingOrUnknownUnits) {
  EXPECT_EQ(ParseByteSize("12").status().message(), "units: unknown unit  in 12");
  EXPECT_EQ(ParseByteSize("12XB").status().message(), "units: unknown unit XB in 12XB");
  EXPECT_FALSE(ParseByteSize("MB").ok());
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_FALSE(ParseByteSize("8EB").ok());  // 2^63 overflows
}

TEST(FormatByteSize, ShortestExactUnit) {
  EXPECT_EQ(FormatByteSize(512LL << 20), "512MB");
  EXPECT_EQ(FormatByteSize(1000), "1000B");
  EXPECT_EQ(FormatByteSize(0), "0B");
  EXPECT_EQ(FormatByteSize(1536), "1536B");
  EXPECT_EQ(FormatByteSize(1LL << 40), "1TB");
}

}  // namespace
}  // namespace sundial
