#include "base/duration.h"

#include <gtest/gtest.h>

namespace sundial {
namespace {

TEST(ParseDuration, AcceptsPrometheusSyntax) {
  struct Case {
    const char* text;
    int64_t ms;
  } cases[] = {
      {"0", 0},
      {"0s", 0},
      {"15s", 15000},
      {"1m", 60000},
      {"1h30m", 5400000},
      {"2d", 172800000},
      {"1w", 604800000},
      {"1y", 31536000000},
      {"100ms", 100},
      {"1m500ms", 60500},
      {"1y2w3d4h5m6s7ms",
       31536000000 + 2 * 604800000 + 3 * 86400000 + 4 * 3600000 + 5 * 60000 + 6000 + 7},
  };
  for (const Case& c : cases) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status();
    EXPECT_EQ(d->count(), c.ms) << c.text;
  }
}

TEST(ParseDuration, RejectsBadInput) {
  for (const char* text : {"1", "s", "1x", "1m1h", "1s1s", "-1s", "1.5h", " 1s", "1s ", "1d1y"}) {
    auto d = ParseDuration(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().message(), std::string("not a valid duration string: \"") + text + "\"");
  }
  EXPECT_EQ(ParseDuration("").status().message(), "empty duration string");
  EXPECT_EQ(ParseDuration("99999999999999999999y").status().message(), "duration out of range");
  EXPECT_EQ(ParseDuration("300000000y").status().message(), "duration out of range");
}

TEST(FormatDuration, MatchesPrometheusString) {
  EXPECT_EQ(FormatDuration(Duration(0)), "0s");
  EXPECT_EQ(FormatDuration(Duration(15000)), "15s");
  EXPECT_EQ(FormatDuration(Duration(5400000)), "1h30m");
  EXPECT_EQ(FormatDuration(Duration(90LL * 86400000)), "90d");  // not 12w6d
  EXPECT_EQ(FormatDuration(Duration(14LL * 86400000)), "2w");
  EXPECT_EQ(FormatDuration(Duration(365LL * 86400000)), "1y");
  EXPECT_EQ(FormatDuration(Duration(61500)), "1m1s500ms");
  EXPECT_EQ(FormatDuration(Duration(-60000)), "-1m");
}

TEST(FormatDuration, RoundTrips) {
  for (const char* text : {"1h30m", "90d", "2w", "1y", "1m1s500ms", "5m", "1d12h"}) {
    auto d = ParseDuration(text);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(FormatDuration(*d), text);
  }
}

}  // namespace
}  // namespace sundial
