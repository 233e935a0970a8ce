#include "base/json_string.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace sundial {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(JsonStringTest, EscapesLikeGo) {
  EXPECT_EQ(Str(""), R"("")");
  EXPECT_EQ(Str("plain text"), R"("plain text")");
  EXPECT_EQ(Str("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(Str("a<b>c&d"), R"("a\u003cb\u003ec\u0026d")");
  // Observed from Prometheus 2.42 for label_replace(vector(1), "a", "\x01\b\f\n\r\t...").
  EXPECT_EQ(Str("\x01\b\f\n\r\t"), R"("\u0001\u0008\u000c\n\r\t")");
  EXPECT_EQ(Str(std::string_view("\0\x1f", 2)), R"("\u0000\u001f")");
  EXPECT_EQ(Str("\x7f"), "\"\x7f\"");
  EXPECT_EQ(Str("\u2028x\u2029"), R"("\u2028x\u2029")");
  EXPECT_EQ(Str("\u2027"), "\"\u2027\"");
}

// Every ASCII byte, alone and between letters, as Go's encoding/json writes it.
TEST(JsonStringTest, EveryAsciiByte) {
  for (int c = 0; c < 0x80; ++c) {
    std::string want;
    switch (c) {
      case '"':
        want = "\\\"";
        break;
      case '\\':
        want = "\\\\";
        break;
      case '\n':
        want = "\\n";
        break;
      case '\r':
        want = "\\r";
        break;
      case '\t':
        want = "\\t";
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          want = buf;
        } else {
          want = std::string(1, static_cast<char>(c));
        }
    }
    const std::string byte(1, static_cast<char>(c));
    EXPECT_EQ(Str(byte), "\"" + want + "\"") << c;
    EXPECT_EQ(Str("ab" + byte + "cd"), "\"ab" + want + "cd\"") << c;
  }
}

// Among strings of one byte between letters, IsPlainJsonString holds exactly where
// AppendJsonString copies the string unchanged.
TEST(JsonStringTest, PlainStringsAreCopiedUnchanged) {
  for (int c = 0; c < 0x100; ++c) {
    const std::string s = "ab" + std::string(1, static_cast<char>(c)) + "cd";
    EXPECT_EQ(IsPlainJsonString(s), Str(s) == "\"" + s + "\"") << c;
  }
  EXPECT_TRUE(IsPlainJsonString(""));
  EXPECT_TRUE(IsPlainJsonString("http_requests_total"));
  EXPECT_FALSE(IsPlainJsonString("caf\xc3\xa9"));  // copied unchanged too, but not ASCII
}

TEST(JsonStringTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Str("é😀€"), "\"é😀€\"");
  EXPECT_EQ(Str("\xff"), R"("\ufffd")");
  EXPECT_EQ(Str("a\xc3"), R"("a\ufffd")");                              // truncated sequence
  EXPECT_EQ(Str("\xc0\x80"), R"("\ufffd\ufffd")");                      // overlong NUL
  EXPECT_EQ(Str("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // surrogate U+D800
  EXPECT_EQ(Str("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(Str("\xe2\x82"), R"("\ufffd\ufffd")");
  EXPECT_EQ(Str("ok\x80ok"), R"("ok\ufffdok")");
}

}  // namespace
}  // namespace sundial
