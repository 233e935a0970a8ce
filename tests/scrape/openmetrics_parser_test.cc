#include "scrape/openmetrics_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/strings.h"
#include "scrape/parse_helpers.h"

namespace sundial::scrape {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Parse(std::string_view body, bool created = false) {
  OpenMetricsParser p(body, {.created_timestamps = created});
  return Render(p);
}

std::string Error(std::string_view body) {
  OpenMetricsParser p(body);
  return FirstError(p);
}

TEST(OpenMetricsParser, FamiliesExemplarsTimestamps) {
  EXPECT_THAT(
      Parse("# TYPE foo_seconds counter\n"
            "# UNIT foo_seconds seconds\n"
            "# HELP foo_seconds Some \\\"text\\\" and \\\\ and \\n.\n"
            "foo_seconds_total 17.0 1520879607.789 # {id=\"counter-test\"} 5\n"
            "foo_seconds_created 1520430000.123\n"
            "# TYPE hh histogram\n"
            "hh_bucket{le=\"+Inf\"} 1 # {id=\"x\",b=\"\\\"\"} 0.5 123.456\n"
            "hh_count 1\n"
            "# TYPE s stateset\n"
            "s{s=\"a\"} 1\n"
            "# EOF\n"),
      ElementsAre("type foo_seconds counter", "unit foo_seconds seconds",
                  "help foo_seconds Some \"text\" and \\ and \n.",
                  "series foo_seconds_total {__name__=\"foo_seconds_total\"} 17 @1520879607789 "
                  "ex={id=\"counter-test\"} 5",
                  "series foo_seconds_created {__name__=\"foo_seconds_created\"} 1520430000.123",
                  "type hh histogram",
                  "series hh_bucket{le=\"+Inf\"} {__name__=\"hh_bucket\", le=\"+Inf\"} 1 "
                  "ex={b=\"\\\"\", id=\"x\"} 0.5 @123456",
                  "series hh_count {__name__=\"hh_count\"} 1", "type s stateset",
                  "series s{s=\"a\"} {__name__=\"s\", s=\"a\"} 1"));
}

TEST(OpenMetricsParser, CreatedTimestampsWhenAsked) {
  std::string body =
      "# TYPE foo counter\n"
      "foo_total{a=\"1\"} 17\n"
      "foo_created{a=\"1\"} 1520430000.5\n"
      "foo_total{a=\"2\"} 3\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 1\n"
      "h_bucket{le=\"+Inf\"} 2\n"
      "h_count 2\n"
      "h_sum 1\n"
      "h_created 10\n"
      "# TYPE g gauge\n"
      "g 1\n"
      "# EOF";
  EXPECT_THAT(Parse(body, true),
              ElementsAre("type foo counter",
                          "series foo_total{a=\"1\"} {__name__=\"foo_total\", a=\"1\"} 17 "
                          "ct=1520430000500",
                          "series foo_total{a=\"2\"} {__name__=\"foo_total\", a=\"2\"} 3",
                          "type h histogram",
                          "series h_bucket{le=\"1\"} {__name__=\"h_bucket\", le=\"1\"} 1 ct=10000",
                          "series h_bucket{le=\"+Inf\"} {__name__=\"h_bucket\", le=\"+Inf\"} 2 "
                          "ct=10000",
                          "series h_count {__name__=\"h_count\"} 2 ct=10000",
                          "series h_sum {__name__=\"h_sum\"} 1 ct=10000", "type g gauge",
                          "series g {__name__=\"g\"} 1"));
  // Without the option _created lines are ordinary samples.
  EXPECT_EQ(Parse(body, false).size(), 12u);
}

TEST(OpenMetricsParser, EofRules) {
  EXPECT_THAT(Parse("a 1\n# EOF"), ElementsAre("series a {__name__=\"a\"} 1"));
  EXPECT_THAT(Parse("# EOF\n"), ElementsAre());
  EXPECT_EQ(Error("a 1\n"), "data does not end with # EOF");
  EXPECT_EQ(Error(""), "data does not end with # EOF");
  EXPECT_EQ(Error("a 1"), "data does not end with # EOF");
  EXPECT_EQ(Error("# EOF\na 1\n"), "unexpected data after # EOF");
  EXPECT_EQ(Error("# EOF\n\n"), "unexpected data after # EOF");
}

TEST(OpenMetricsParser, Errors) {
  struct Case {
    std::string body, error;
  } cases[] = {
      {"\n# EOF\n", "\"INVALID\" \"\\n\" is not a valid start token"},
      {"# foo\n# EOF\n", "\"INVALID\" \"f\" is not a valid start token"},
      {"# HEL x\n# EOF\n", "\"INVALID\" \" \" is not a valid start token"},
      {" a 1\n# EOF\n", "\"INVALID\" \" \" is not a valid start token"},
      {"# TYPE\n", "\"INVALID\" \"\\n\" is not a valid start token"},
      {"# TYPE c\n# EOF\n", "expected text in TYPE"},
      {"# HELP  c x\n# EOF\n", "expected metric name after HELP, got \"INVALID\""},
      {"# TYPE c untyped\n# EOF\n", "invalid metric type \"untyped\""},
      {"# UNIT metric suffix\n# EOF\n", "unit not a suffix of metric \"metric\""},
      {"# UNIT m_suffix suffix\n# EOF\n", ""},
      {"# UNIT msuffix suffix\n# EOF\n", "unit not a suffix of metric \"msuffix\""},
      {"a  1\n# EOF\n", "expected value after metric, got \"INVALID\""},
      {"a\n# EOF\n", "expected value after metric, got \"LINEBREAK\""},
      {"a 1 \n# EOF\n", "expected timestamp or # symbol, got \"INVALID\""},
      {"a{b=\"c\",} 1\n# EOF\n", "expected label name, got \"BCLOSE\""},
      {"a{,b=\"c\"} 1\n# EOF\n", "expected label name or left brace, got \"COMMA\""},
      {"a{b=\"c\"d=\"e\"} 1\n# EOF\n", "expected comma, got \"LNAME\""},
      {"a{b=\"c\" } 1\n# EOF\n", "expected comma or left brace, got \"INVALID\""},
      {"a{b =\"c\"} 1\n# EOF\n", "expected equal, got \"INVALID\""},
      {"a{b=\"c\n\"} 1\n# EOF\n", "expected label value, got \"INVALID\""},
      {"a{b=\"\xff\"} 1\n# EOF\n", "invalid UTF-8 label value"},
      {"a 1 2 3\n# EOF\n", "expected next entry after timestamp, got \"TIMESTAMP\""},
      {"a 1 NaN\n# EOF\n", "invalid timestamp"},
      {"a 1 1e300\n# EOF\n", "invalid timestamp"},
      {"a 1 # {b=\"c\"} 1\n# EOF\n", "metric name a does not support exemplars"},
      {"a_total 1 # {b=\"c\"}\n# EOF\n", "expected value after exemplar labels, got \"LINEBREAK\""},
      {"a_total 1 # {b=\"c\"} 1 Inf\n# EOF\n", "invalid exemplar timestamp"},
      {"a_total 1 # {b=\"c\"} 1 2 3\n# EOF\n",
       "expected next entry after exemplar timestamp, got \"TIMESTAMP\""},
      {"a_total 1 # {b=\"c\"} 1 2", "expected next entry after exemplar timestamp, got \"EOF\""},
      {"a_total 1 # {b=\"c\"} 1", "data does not end with # EOF"},
      {"a 1_0\n# EOF\n", "unsupported character in float"},
      // Spec MUSTs that Prometheus does not check.
      {"# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n",
       "metric family \"a\" appears more than once"},
      {"# TYPE a gauge\n# TYPE b gauge\n# HELP a x\n# EOF\n",
       "metric family \"a\" appears more than once"},
      {"# TYPE a gauge\n# TYPE a gauge\n# EOF\n", "duplicate TYPE line for metric family \"a\""},
      {"a 1\n# HELP a x\n# EOF\n", "HELP line for metric family \"a\" after its samples"},
  };
  for (const Case& c : cases) EXPECT_EQ(Error(c.body), c.error) << GoQuote(c.body);
}

TEST(OpenMetricsParser, ArbitraryBytesNeverCrash) {
  uint64_t seed = 7;
  std::string alphabet = "ab_{}=\",# \n\\0.+-e#EOFHELPTYPEUNIT total_created\xff";
  for (int round = 0; round < 20000; ++round) {
    std::string body;
    int n = static_cast<int>(seed % 48);
    for (int i = 0; i < n; ++i) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      body.push_back(alphabet[(seed >> 33) % alphabet.size()]);
    }
    OpenMetricsParser p(body, {.created_timestamps = (round & 1) != 0});
    Render(p);
  }
}

}  // namespace
}  // namespace sundial::scrape
