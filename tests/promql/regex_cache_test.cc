#include "promql/regex_cache.h"

#include "gtest/gtest.h"

namespace sundial::promql {
namespace {

TEST(RegexCacheTest, CompilesOnceAnchoredWithDotMatchingNewlines) {
  const std::shared_ptr<const RE2> a = LabelReplaceRegex("a.c|x");
  ASSERT_TRUE(a->ok());
  EXPECT_EQ(LabelReplaceRegex("a.c|x"), a);  // the same compiled object
  EXPECT_NE(LabelReplaceRegex("a.c"), a);
  EXPECT_TRUE(RE2::FullMatch("abc", *a));
  EXPECT_TRUE(RE2::PartialMatch("a\nc", *a));
  EXPECT_FALSE(RE2::PartialMatch("zabc", *a));  // anchored, also for the first alternative
  EXPECT_FALSE(RE2::PartialMatch("xx", *a));    // and for the last
}

TEST(RegexCacheTest, AnInvalidPatternStaysInvalid) {
  for (int i = 0; i < 2; ++i) {
    const std::shared_ptr<const RE2> re = LabelReplaceRegex("(unclosed");
    ASSERT_NE(re, nullptr);
    EXPECT_FALSE(re->ok());
  }
}

}  // namespace
}  // namespace sundial::promql
