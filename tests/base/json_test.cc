#include "base/json.h"

#include <gtest/gtest.h>

#include <string_view>

namespace sundial {
namespace {

TEST(JsonTest, ParsesDocumentsAndRejectsBrokenText) {
  absl::StatusOr<Json> j = Json::Parse(
      R"( {"a": [1, -2.5e3, true, null, "x\"\u00e9\ud83d\ude00\n"], "b": {"c": {}}, "a2": []} )");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ((*j)["a"].items().size(), 5u);
  EXPECT_EQ((*j)["a"].items()[0].integer(), 1);
  EXPECT_TRUE((*j)["a"].items()[2].boolean());
  EXPECT_TRUE((*j)["a"].items()[3].is_null());
  EXPECT_EQ((*j)["a"].items()[4].str(), "x\"\xC3\xA9\xF0\x9F\x98\x80\n");
  EXPECT_TRUE((*j)["b"]["c"].is_object());
  EXPECT_TRUE((*j)["missing"]["deeper"].is_null());
  EXPECT_EQ((*j)["b"].str(), "");
  for (std::string_view bad : {"", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "{} x", "01x"}) {
    EXPECT_FALSE(Json::Parse(bad).ok()) << bad;
  }
}

TEST(JsonTest, NumbersKeepTheirTextAndConvert) {
  absl::StatusOr<Json> j = Json::Parse(R"({"i": 1700000000000, "f": -2.5e3, "s": "7"})");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ((*j)["i"].integer(), 1700000000000);
  EXPECT_EQ((*j)["i"].literal(), "1700000000000");
  EXPECT_EQ((*j)["f"].number(), -2500);
  EXPECT_EQ((*j)["f"].literal(), "-2.5e3");
  EXPECT_EQ((*j)["s"].literal(), "");  // a string is not a number
  EXPECT_EQ((*j)["s"].number(), 0);
}

TEST(JsonTest, LaterDuplicateMembersWinAndErrorsNameTheOffset) {
  absl::StatusOr<Json> j = Json::Parse(R"({"a": 1, "a": 2})");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ((*j)["a"].integer(), 2);
  EXPECT_EQ(Json::Parse("[1, x]").status().message(), "invalid character at offset 4");
  EXPECT_EQ(Json::Parse("[1").status().message(), "unexpected end of JSON input");
}

}  // namespace
}  // namespace sundial
