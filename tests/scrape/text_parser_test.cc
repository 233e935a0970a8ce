#include "scrape/text_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>

#include "base/str_cat.h"
#include "base/strings.h"
#include "scrape/parse_helpers.h"

namespace sundial::scrape {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Parse(std::string_view body) {
  TextParser p(body);
  return Render(p);
}

std::string Error(std::string_view body) {
  TextParser p(body);
  return FirstError(p);
}

TEST(TextParser, MetadataSeriesAndComments) {
  EXPECT_THAT(Parse("# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n"
                    "# \tTYPE go_gc_duration_seconds summary\n"
                    "go_gc_duration_seconds{quantile=\"0\"} 4.9351e-05\n"
                    "go_gc_duration_seconds{quantile=\"0.25\",} 7.4e-05\n"
                    "go_gc_duration_seconds { quantile = \"1.0\", a = \"b\" } 8\n"
                    "# Hrandom comment starting with prefix of HELP\n"
                    "#\n"
                    "go_gc_duration_seconds_count 99\n"
                    "some:aggregate:rate5m{a_b=\"c\"}\t1\n"
                    "go_goroutines 33  \t123123\n"),
              ElementsAre("help go_gc_duration_seconds A summary of the GC invocation durations.",
                          "type go_gc_duration_seconds summary",
                          "series go_gc_duration_seconds{quantile=\"0\"} "
                          "{__name__=\"go_gc_duration_seconds\", quantile=\"0\"} 4.9351e-05",
                          "series go_gc_duration_seconds{quantile=\"0.25\",} "
                          "{__name__=\"go_gc_duration_seconds\", quantile=\"0.25\"} 7.4e-05",
                          "series go_gc_duration_seconds { quantile = \"1.0\", a = \"b\" } "
                          "{__name__=\"go_gc_duration_seconds\", a=\"b\", quantile=\"1.0\"} 8",
                          "comment # Hrandom comment starting with prefix of HELP", "comment #",
                          "series go_gc_duration_seconds_count "
                          "{__name__=\"go_gc_duration_seconds_count\"} 99",
                          "series some:aggregate:rate5m{a_b=\"c\"} "
                          "{__name__=\"some:aggregate:rate5m\", a_b=\"c\"} 1",
                          "series go_goroutines {__name__=\"go_goroutines\"} 33 @123123"));
}

TEST(TextParser, HelpEscapesAndEmptyHelp) {
  EXPECT_THAT(Parse("# HELP a x\\\\y\\nz \\t \\\"q\\\"\n# HELP b\n# HELP c \n"),
              ElementsAre("help a x\\y\nz \\t \\\"q\\\"", "help b ", "help c "));
}

TEST(TextParser, LabelValueEscapes) {
  EXPECT_THAT(Parse("m{a=\"\\\"q\\\"\",b=\"x\\\\y\",c=\"l1\\nl2\",d=\"\\t\"} 1"),
              ElementsAre("series m{a=\"\\\"q\\\"\",b=\"x\\\\y\",c=\"l1\\nl2\",d=\"\\t\"} "
                          "{__name__=\"m\", a=\"\\\"q\\\"\", b=\"x\\\\y\", c=\"l1\\nl2\", "
                          "d=\"\\\\t\"} 1"));
}

TEST(TextParser, EmptyLabelSetMissingNewlineAndUtf8) {
  EXPECT_THAT(Parse("a{} 1\nb{x=\"日本\"} 2"),
              ElementsAre("series a{} {__name__=\"a\"} 1",
                          "series b{x=\"日本\"} {__name__=\"b\", x=\"日本\"} 2"));
}

TEST(TextParser, BlankLinesAndLeadingWhitespace) {
  EXPECT_THAT(Parse("\n\n   \n  a 1\n\t\n"), ElementsAre("series a {__name__=\"a\"} 1"));
  EXPECT_THAT(Parse(""), ElementsAre());
  EXPECT_THAT(Parse("a 1\n\0garbage{{{"), ElementsAre("series a {__name__=\"a\"} 1"));
}

TEST(TextParser, FloatSpellingsGoAccepts) {
  struct Case {
    std::string text;
    double want;
  } cases[] = {
      {"+Inf", INFINITY},
      {"-Inf", -INFINITY},
      {"inf", INFINITY},
      {"Infinity", INFINITY},
      {"-infinity", -INFINITY},
      {"+INF", INFINITY},
      {"1e3", 1000},
      {"1E+3", 1000},
      {".5", 0.5},
      {"5.", 5},
      {"-0.25", -0.25},
      {"+7", 7},
      {"1e-400", 0},
      {"0012", 12},
  };
  for (const Case& c : cases) {
    const std::string body = "m " + c.text + "\n";  // the parser keeps views into it
    TextParser p(body);
    ASSERT_TRUE(p.Next().ok()) << c.text;
    EXPECT_EQ(p.Value(), c.want) << c.text;
  }
  for (std::string nan : {"NaN", "nan", "NAN"}) {
    const std::string body = "m " + nan;
    TextParser p(body);
    ASSERT_TRUE(p.Next().ok()) << nan;
    EXPECT_EQ(std::bit_cast<uint64_t>(p.Value()), 0x7ff8000000000001ULL) << nan;
  }
}

TEST(TextParser, Errors) {
  struct Case {
    std::string body, error;
  } cases[] = {
      {"a", "expected value after metric, got \"INVALID\""},
      {"a{b='c'} 1\n", "expected label value, got \"INVALID\""},
      {"a{b=\n", "expected label value, got \"INVALID\""},
      {"a{\xff=\"foo\"} 1\n", "expected label name, got \"INVALID\""},
      {"a{b=\"\xff\"} 1\n", "invalid UTF-8 label value"},
      {"a true\n", "strconv.ParseFloat: parsing \"true\": invalid syntax"},
      {"something_weird{problem=\"", "expected label value, got \"INVALID\""},
      {"empty_label_name{=\"\"} 0", "expected label name, got \"EQUAL\""},
      {"foo 1_2\n", "unsupported character in float"},
      {"foo 0x1p-3\n", "unsupported character in float"},
      {"foo 0x1\n", "strconv.ParseFloat: parsing \"0x1\": invalid syntax"},
      {"foo +nan\n", "strconv.ParseFloat: parsing \"+nan\": invalid syntax"},
      {"foo 1e999\n", "strconv.ParseFloat: parsing \"1e999\": value out of range"},
      {"foo 1\r\n", "strconv.ParseFloat: parsing \"1\\r\": invalid syntax"},
      {"foo 0 1_2\n", "expected next entry after timestamp, got \"INVALID\""},
      {"foo 0 1 2\n", "expected next entry after timestamp, got \"TIMESTAMP\""},
      {"foo 0 -1\n", "expected timestamp or new record, got \"INVALID\""},
      {"foo 0 99999999999999999999\n",
       "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"},
      {"{a=\"ok\"} 1", "\"INVALID\" is not a valid start token"},
      {"# TYPE #\n", "expected metric name after TYPE, got \"INVALID\""},
      {"# HELP #\n", "expected metric name after HELP, got \"INVALID\""},
      {"# TYPE m countr\n", "invalid metric type \"countr\""},
      {"# TYPE m  counter\n", "invalid metric type \" counter\""},
      {"# HELP m \xff\n", "help text is not a valid utf8 string"},
      {"a{b=\x00\"ssss\"} 1\n", "expected label value, got \"INVALID\""},
      {std::string("a{b\x00=\"hiih\"}\t1", 14), "expected equal, got \"INVALID\""},
      {std::string("a\x00{b=\"ddd\"} 1", 14), "expected value after metric, got \"INVALID\""},
      {"a{b=\"c\"}{} 1", "expected value after metric, got \"BOPEN\""},
      {"a{b=\"c\\\n\"} 1", "expected label value, got \"INVALID\""},
  };
  for (const Case& c : cases) EXPECT_EQ(Error(c.body), c.error) << GoQuote(c.body);
}

TEST(TextParser, NullBytesInsideLabelValuesAndHelp) {
  std::string body("m{a=\"x\0y\"} 1\n# HELP m a\0b\n", 26);
  TextParser p(body);
  ASSERT_EQ(*p.Next(), Entry::kSeries);
  LabelsBuilder b;
  p.Labels(&b);
  EXPECT_EQ(b.Get("a"), std::string_view("x\0y", 3));
  ASSERT_EQ(*p.Next(), Entry::kHelp);
  EXPECT_EQ(p.Help(), std::string_view("a\0b", 3));
}

TEST(TextParser, VeryLongLine) {
  std::string value(1 << 20, 'v');
  std::string body = "m{a=\"" + value + "\"} 1 2\n";
  TextParser p(body);
  ASSERT_EQ(*p.Next(), Entry::kSeries);
  LabelsBuilder b;
  p.Labels(&b);
  EXPECT_EQ(b.Get("a").size(), value.size());
  EXPECT_EQ(p.Timestamp(), 2);
  EXPECT_EQ(*p.Next(), Entry::kEof);
}

TEST(TextParser, HistogramFamily) {
  EXPECT_THAT(Parse("# TYPE h histogram\nh_bucket{le=\"0.1\"} 3\nh_bucket{le=\"+Inf\"} 5\n"
                    "h_sum 1.5\nh_count 5\n"),
              ElementsAre("type h histogram",
                          "series h_bucket{le=\"0.1\"} {__name__=\"h_bucket\", le=\"0.1\"} 3",
                          "series h_bucket{le=\"+Inf\"} {__name__=\"h_bucket\", le=\"+Inf\"} 5",
                          "series h_sum {__name__=\"h_sum\"} 1.5",
                          "series h_count {__name__=\"h_count\"} 5"));
}

TEST(TextParser, ArbitraryBytesNeverCrash) {
  uint64_t seed = 42;
  std::string alphabet = "ab{}=\",# \t\n\\0.+-eE_:HELPTYPEInfNa\xff\x00";
  for (int round = 0; round < 20000; ++round) {
    std::string body;
    int n = static_cast<int>(seed % 40);
    for (int i = 0; i < n; ++i) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      body.push_back(alphabet[(seed >> 33) % alphabet.size()]);
    }
    TextParser p(body);
    Render(p);
  }
}

// Each series line as "<series text>|<value> [@<ts>]", then an "error: ..." if one ends the
// body, parsing with hints[i] given before the i-th series line; *taken counts the lines whose
// hint the parser took (each of which must have exactly the hint's text).
std::vector<std::string> ParseHinted(std::string_view body, const std::vector<std::string>& hints,
                                     int* taken) {
  TextParser p(body);
  std::vector<std::string> out;
  size_t n = 0;
  for (int guard = 0; guard < 100000; ++guard) {
    p.ExpectSeries(n < hints.size() ? std::string_view(hints[n]) : std::string_view());
    absl::StatusOr<Entry> e = p.Next();
    if (!e.ok()) {
      out.push_back(StrCat("error: ", e.status().message()));
      break;
    }
    if (*e == Entry::kEof) break;
    if (*e != Entry::kSeries) continue;
    std::string line = StrCat(p.Series(), "|", p.Value());
    if (p.Timestamp()) StrAppend(&line, " @", *p.Timestamp());
    if (p.SeriesExpected()) {
      ++*taken;
      EXPECT_EQ(p.Series(), hints[n]) << body;
    }
    ++n;
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> SeriesTexts(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    if (!l.starts_with("error: ")) out.push_back(l.substr(0, l.rfind('|')));
  }
  return out;
}

TEST(TextParser, ExpectedSeriesSkipsOnlyIdenticalSeriesText) {
  const std::string body =
      "m 1\nm_total 2\nm {a=\"b\"} 3\n# TYPE m gauge\nm{a=\"b\"} 4 77\nm{a=\"b\"}5\n"
      "m{a=\"b\"} x\n";
  int none = 0, taken = 0;
  const std::vector<std::string> plain = ParseHinted(body, {}, &none);
  EXPECT_THAT(plain,
              ElementsAre("m|1", "m_total|2", "m {a=\"b\"}|3", "m{a=\"b\"}|4 @77", "m{a=\"b\"}|5",
                          "error: strconv.ParseFloat: parsing \"x\": invalid syntax"));
  // A bare name is not taken for a longer name or for the name of a label set; the TYPE line
  // between two series keeps the hint for the next series; a taken hint still fails on a bad
  // value.
  EXPECT_EQ(ParseHinted(body, {"m", "m", "m", "m{a=\"b\"}", "m{a=\"b\"}", "m{a=\"b\"}"}, &taken),
            plain);
  EXPECT_EQ(taken, 3);
  EXPECT_EQ(none, 0);
}

TEST(TextParser, ExpectedSeriesNeverChangesTheParse) {
  // Bodies of a few mostly well-formed lines, some bytes then overwritten at random.
  uint64_t seed = 7;
  const auto next = [&seed](size_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((seed >> 33) % n);
  };
  const std::vector<std::string> parts[] = {
      {"a", "ab", "a_b", "a:b"},
      {"", "", " ", "{", "{x=\"1\"}", " {x=\"1\"}", "{x=\"1\",y=\"2\",}", "{x=\"\\\"\"}"},
      {" 1", " 2", "\t-3e1", " 4 123", "5", " Nan", " x"},
      {"\n", "\n", "\n# TYPE a gauge\n", ""}};
  const std::string alphabet = "ab{}=\",# \t\n\\0.1e_:";
  std::vector<std::string> last_series;
  int taken_total = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string body;
    for (size_t lines = next(5); lines > 0; --lines) {
      for (const std::vector<std::string>& choices : parts) body += choices[next(choices.size())];
    }
    for (size_t flips = next(4); flips > 0 && !body.empty(); --flips) {
      body[next(body.size())] = alphabet[next(alphabet.size())];
    }
    int taken = 0;
    const std::vector<std::string> plain = ParseHinted(body, {}, &taken);
    const std::vector<std::string> own = SeriesTexts(plain);
    // Its own series texts (all taken), those of the last body, and shifted by one.
    EXPECT_EQ(ParseHinted(body, own, &taken), plain) << body;
    EXPECT_EQ(ParseHinted(body, last_series, &taken), plain) << body;
    std::vector<std::string> shifted = own;
    if (!shifted.empty()) shifted.erase(shifted.begin());
    EXPECT_EQ(ParseHinted(body, shifted, &taken), plain) << body;
    taken_total += taken;
    if (!own.empty()) last_series = own;
  }
  EXPECT_GT(taken_total, 1000);
}

}  // namespace
}  // namespace sundial::scrape
