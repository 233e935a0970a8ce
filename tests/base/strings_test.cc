#include "base/strings.h"

#include <gtest/gtest.h>

namespace sundial {
namespace {

TEST(GoQuote, EscapesLikeStrconvQuote) {
  EXPECT_EQ(GoQuote("plain"), "\"plain\"");
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("\n\t\r\a\b\f\v"), "\"\\n\\t\\r\\a\\b\\f\\v\"");
  EXPECT_EQ(GoQuote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(GoQuote("h\xc3\xa9llo"), "\"h\xc3\xa9llo\"");  // printable UTF-8 kept
  EXPECT_EQ(GoQuote("\xff"), "\"\\xff\"");                 // invalid byte
  EXPECT_EQ(GoQuote("\xc2\x85"), "\"\\u0085\"");           // C1 control
}

TEST(IsValidUtf8, RejectsMalformed) {
  EXPECT_TRUE(IsValidUtf8("abc \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

}  // namespace
}  // namespace sundial
