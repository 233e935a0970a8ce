#include "model/matcher.h"

#include <gtest/gtest.h>

namespace sundial {
namespace {

Matcher Make(MatchType t, std::string_view v) {
  auto m = Matcher::Create(t, "l", v);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

TEST(Matcher, EqualityAndEmpty) {
  EXPECT_TRUE(Make(MatchType::kEqual, "a").Matches("a"));
  EXPECT_FALSE(Make(MatchType::kEqual, "a").Matches("ab"));
  EXPECT_TRUE(Make(MatchType::kEqual, "").MatchesEmpty());
  EXPECT_TRUE(Make(MatchType::kNotEqual, "a").MatchesEmpty());
  EXPECT_FALSE(Make(MatchType::kNotEqual, "").MatchesEmpty());
}

TEST(Matcher, RegexIsFullyAnchored) {
  Matcher m = Make(MatchType::kRegexp, "b.*");
  EXPECT_TRUE(m.Matches("bar"));
  EXPECT_FALSE(m.Matches("abar"));
  Matcher g = Make(MatchType::kRegexp, "a|b(c)?");
  EXPECT_TRUE(g.Matches("bc"));
  EXPECT_FALSE(g.Matches("abc"));
  EXPECT_TRUE(Make(MatchType::kNotRegexp, "a+").Matches("b"));
  EXPECT_FALSE(Make(MatchType::kNotRegexp, "a+").Matches("aa"));
}

TEST(Matcher, DotMatchesNewline) {
  EXPECT_TRUE(Make(MatchType::kRegexp, "a.b").Matches("a\nb"));
  EXPECT_TRUE(Make(MatchType::kRegexp, "x(.*)").Matches("x\n\n"));
}

TEST(Matcher, FastPathsAgreeWithRegex) {
  Matcher set = Make(MatchType::kRegexp, "web|api|web");
  EXPECT_EQ(set.regex_kind(), Matcher::RegexKind::kLiteralSet);
  EXPECT_EQ(set.SetMatches(), (std::vector<std::string>{"api", "web"}));
  EXPECT_TRUE(set.Matches("api"));
  EXPECT_FALSE(set.Matches("ap"));
  Matcher prefix = Make(MatchType::kRegexp, "http_.*");
  EXPECT_EQ(prefix.regex_kind(), Matcher::RegexKind::kPrefix);
  EXPECT_EQ(prefix.Prefix(), "http_");
  EXPECT_TRUE(prefix.Matches("http_"));
  EXPECT_FALSE(prefix.Matches("grpc_"));
  EXPECT_TRUE(Make(MatchType::kRegexp, ".*").MatchesEmpty());
  EXPECT_FALSE(Make(MatchType::kRegexp, ".+").MatchesEmpty());
  EXPECT_TRUE(Make(MatchType::kRegexp, "").MatchesEmpty());
  EXPECT_TRUE(Make(MatchType::kRegexp, "a|").MatchesEmpty());
  EXPECT_EQ(Make(MatchType::kRegexp, "a.b").regex_kind(), Matcher::RegexKind::kGeneral);
}

TEST(Matcher, InvalidRegexNamesThePattern) {
  auto m = Matcher::Create(MatchType::kRegexp, "l", "(a");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("invalid regular expression \"(a\""), std::string::npos)
      << m.status();
}

TEST(Matcher, ToString) {
  EXPECT_EQ(Make(MatchType::kNotRegexp, "a\"b").ToString(), "l!~\"a\\\"b\"");
}

}  // namespace
}  // namespace sundial
