#include "base/xxhash.h"

#include <gtest/gtest.h>

#include <string>

namespace sundial {
namespace {

// Reference values of XXH64 with seed 0 (from the xxHash reference implementation).
TEST(XxHash64, KnownVectors) {
  EXPECT_EQ(XxHash64(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(XxHash64("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(XxHash64("abc"), 0x44BC2CF5AD770999ULL);
}

TEST(XxHash64, LongInputsUseAllLanes) {
  std::string a(100, 'x');
  std::string b = a;
  b[70] = 'y';
  EXPECT_NE(XxHash64(a), XxHash64(b));
  EXPECT_EQ(XxHash64(a), XxHash64(std::string(100, 'x')));
  EXPECT_NE(XxHash64(a, 1), XxHash64(a, 0));
}

}  // namespace
}  // namespace sundial
