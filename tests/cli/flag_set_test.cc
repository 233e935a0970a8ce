#include "cli/flag_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sundial::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Owns argv storage for a parse.
absl::StatusOr<std::vector<std::string>> ParseArgs(FlagSet& flags, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return flags.Parse(argv.data(), argv.data() + argv.size());
}

struct Fixture {
  std::string name = "default";
  bool enabled = false;
  bool on_by_default = true;
  int64_t count = 7;
  double ratio = 0.5;
  sundial::Duration timeout = std::chrono::minutes(2);
  std::vector<std::string> features;
  FlagSet flags{"prog", "test"};
  Fixture() {
    flags.String("name", &name, "h");
    flags.Bool("enabled", &enabled, "h");
    flags.Bool("on", &on_by_default, "h");
    flags.Int("count", &count, "h");
    flags.Float("ratio", &ratio, "h");
    flags.Duration("timeout", &timeout, "h");
    flags.Strings("feature", &features, "h", true);
  }
};

TEST(FlagSet, ParsesBothValueSpellingsAndPositionals) {
  Fixture f;
  auto pos = ParseArgs(f.flags, {"--name=x", "check", "--count", "12", "--timeout=1h30m", "file"});
  ASSERT_TRUE(pos.ok()) << pos.status();
  EXPECT_THAT(*pos, ElementsAre("check", "file"));
  EXPECT_EQ(f.name, "x");
  EXPECT_EQ(f.count, 12);
  EXPECT_EQ(f.timeout, std::chrono::minutes(90));
  EXPECT_TRUE(f.flags.IsSet("name"));
  EXPECT_FALSE(f.flags.IsSet("ratio"));
}

TEST(FlagSet, BoolsAcceptNegationAndExplicitValues) {
  Fixture f;
  ASSERT_TRUE(ParseArgs(f.flags, {"--enabled", "--no-on"}).ok());
  EXPECT_TRUE(f.enabled);
  EXPECT_FALSE(f.on_by_default);
  ASSERT_TRUE(ParseArgs(f.flags, {"--enabled=false", "--on=true"}).ok());
  EXPECT_FALSE(f.enabled);
  EXPECT_TRUE(f.on_by_default);
}

TEST(FlagSet, RepeatedAndCommaSeparatedValuesAccumulate) {
  Fixture f;
  ASSERT_TRUE(ParseArgs(f.flags, {"--feature=a,b", "--feature", "c"}).ok());
  EXPECT_THAT(f.features, ElementsAre("a", "b", "c"));
}

TEST(FlagSet, DoubleDashEndsFlags) {
  Fixture f;
  auto pos = ParseArgs(f.flags, {"--", "--name=x"});
  ASSERT_TRUE(pos.ok());
  EXPECT_THAT(*pos, ElementsAre("--name=x"));
  EXPECT_EQ(f.name, "default");
}

TEST(FlagSet, ErrorsNameTheFlag) {
  Fixture f;
  EXPECT_EQ(ParseArgs(f.flags, {"--foo"}).status().message(), "unknown long flag '--foo'");
  EXPECT_EQ(ParseArgs(f.flags, {"--no-name"}).status().message(), "unknown long flag '--no-name'");
  EXPECT_EQ(ParseArgs(f.flags, {"-x"}).status().message(), "unknown short flag '-x'");
  EXPECT_EQ(ParseArgs(f.flags, {"--count"}).status().message(),
            "expected argument for flag '--count'");
  EXPECT_EQ(ParseArgs(f.flags, {"--timeout=abc"}).status().message(),
            "invalid value \"abc\" for flag '--timeout': not a valid duration string: \"abc\"");
  EXPECT_THAT(std::string(ParseArgs(f.flags, {"--count=1x"}).status().message()),
              HasSubstr("'--count'"));
  EXPECT_THAT(std::string(ParseArgs(f.flags, {"--ratio=fast"}).status().message()),
              HasSubstr("'--ratio'"));
  EXPECT_THAT(std::string(ParseArgs(f.flags, {"--enabled=maybe"}).status().message()),
              HasSubstr("'--enabled'"));
}

TEST(FlagSet, UsageShowsDefaultsAndHidesHidden) {
  Fixture f;
  f.flags.Hide("ratio");
  std::string usage = f.flags.Usage();
  EXPECT_THAT(usage, HasSubstr("--name=\"default\""));
  EXPECT_THAT(usage, HasSubstr("--timeout=2m"));
  EXPECT_THAT(usage, HasSubstr("--count=7"));
  EXPECT_THAT(usage, ::testing::Not(HasSubstr("--ratio")));
}

TEST(FlagSet, ValuesListEveryFlagWithItsCurrentValueSortedByName) {
  Fixture f;
  f.flags.Hide("ratio");
  f.flags.Custom(
      "level", [](std::string_view) { return absl::OkStatus(); }, "info", "h");
  ASSERT_TRUE(ParseArgs(f.flags, {"--no-on", "--timeout=90m", "--feature=a,b", "--feature", "c",
                                  "--name", "x y"})
                  .ok());
  EXPECT_THAT(f.flags.Values(),
              ElementsAre(std::pair<std::string, std::string>("count", "7"),
                          std::pair<std::string, std::string>("enabled", "false"),
                          std::pair<std::string, std::string>("feature", "a,b,c"),
                          std::pair<std::string, std::string>("level", "info"),
                          std::pair<std::string, std::string>("name", "x y"),
                          std::pair<std::string, std::string>("on", "false"),
                          std::pair<std::string, std::string>("ratio", "0.5"),
                          std::pair<std::string, std::string>("timeout", "1h30m")));
  // A custom flag shows the text it was last given; values follow later changes.
  ASSERT_TRUE(ParseArgs(f.flags, {"--level=debug"}).ok());
  f.count = 9;
  std::vector<std::pair<std::string, std::string>> v = f.flags.Values();
  EXPECT_EQ(v[0].second, "9");
  EXPECT_EQ(v[3].second, "debug");
}

}  // namespace
}  // namespace sundial::cli
