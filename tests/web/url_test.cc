#include "web/internal/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sundial::web::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(UrlTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%e2%9c%93", true), "\xe2\x9c\x93");
  EXPECT_EQ(PercentDecode("%", true), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", true), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz", true), std::nullopt);
}

TEST(UrlTest, ParseQueryKeepsOrderAndRepeats) {
  ParamMap params;
  EXPECT_TRUE(ParseQueryInto("match[]=up&match%5B%5D=a%2Bb&&x&match[]=x+y&e=", &params));
  std::vector<std::pair<std::string, std::string>> got(params.begin(), params.end());
  EXPECT_THAT(got, ElementsAre(Pair("e", ""), Pair("match[]", "up"), Pair("match[]", "a+b"),
                               Pair("match[]", "x y"), Pair("x", "")));
}

TEST(UrlTest, ParseQuerySkipsBadPairsLikeGo) {
  ParamMap params;
  EXPECT_FALSE(ParseQueryInto("a=1;b=2&c=%zz&d=4", &params));
  std::vector<std::pair<std::string, std::string>> got(params.begin(), params.end());
  EXPECT_THAT(got, ElementsAre(Pair("d", "4")));
}

TEST(UrlTest, EqualsIgnoreCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-type"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "content-typ"));
}

}  // namespace
}  // namespace sundial::web::internal
