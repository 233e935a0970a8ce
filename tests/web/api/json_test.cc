#include "web/api/json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sundial::web::api {
namespace {

std::string Ts(int64_t ms) {
  std::string out;
  AppendTimestamp(&out, ms);
  return out;
}
std::string SampleValue(double v) {
  std::string out;
  AppendSampleValue(&out, v);
  return out;
}
std::string ScalarValue(double v) {
  std::string out;
  AppendScalarValue(&out, v);
  return out;
}
std::string GoNumber(double v) {
  std::string out;
  AppendGoJsonNumber(&out, v);
  return out;
}

TEST(JsonTimestampTest, MillisecondsAsPrometheusWritesThem) {
  // Observed from Prometheus 2.42: /api/v1/query?query=vector(1)&time=...
  EXPECT_EQ(Ts(1435781451781), "1435781451.781");
  EXPECT_EQ(Ts(1435781451000), "1435781451");
  EXPECT_EQ(Ts(1435781451100), "1435781451.100");
  EXPECT_EQ(Ts(1435781451010), "1435781451.010");
  EXPECT_EQ(Ts(1435781451001), "1435781451.001");
  EXPECT_EQ(Ts(-1500), "-1.500");
  EXPECT_EQ(Ts(1), "0.001");
  EXPECT_EQ(Ts(0), "0");
  EXPECT_EQ(Ts(-1000), "-1");
  EXPECT_EQ(Ts(std::numeric_limits<int64_t>::max()), "9223372036854775.807");
  EXPECT_EQ(Ts(std::numeric_limits<int64_t>::min()), "-9223372036854775.808");
}

TEST(JsonValueTest, SampleValuesAsJsonutilMarshalValue) {
  // Observed from Prometheus 2.42 vector results.
  EXPECT_EQ(SampleValue(1), R"("1")");
  EXPECT_EQ(SampleValue(1e-7), R"("1e-07")");
  EXPECT_EQ(SampleValue(-1.5e-7), R"("-1.5e-07")");
  EXPECT_EQ(SampleValue(1e21), R"("1e+21")");
  EXPECT_EQ(SampleValue(1e300), R"("1e+300")");
  EXPECT_EQ(SampleValue(9.999999e20), R"("999999900000000000000")");
  EXPECT_EQ(SampleValue(123456789), R"("123456789")");
  EXPECT_EQ(SampleValue(0.1 + 0.2), R"("0.30000000000000004")");
  EXPECT_EQ(SampleValue(1e-6), R"("0.000001")");
  EXPECT_EQ(SampleValue(-0.0), R"("-0")");
  EXPECT_EQ(SampleValue(0), R"("0")");
  EXPECT_EQ(SampleValue(std::numeric_limits<double>::infinity()), R"("+Inf")");
  EXPECT_EQ(SampleValue(-std::numeric_limits<double>::infinity()), R"("-Inf")");
  EXPECT_EQ(SampleValue(std::nan("")), R"("NaN")");
  EXPECT_EQ(SampleValue(5e-324), R"("5e-324")");
  EXPECT_EQ(SampleValue(1.7976931348623157e308), R"("1.7976931348623157e+308")");
  EXPECT_EQ(SampleValue(2.5), R"("2.5")");
  EXPECT_EQ(SampleValue(1e20), R"("100000000000000000000")");
  EXPECT_EQ(SampleValue(123456789012345680000.0), R"("123456789012345680000")");
  EXPECT_EQ(SampleValue(1234.5678), R"("1234.5678")");
  EXPECT_EQ(SampleValue(-7), R"("-7")");
  EXPECT_EQ(SampleValue(999999999999999), R"("999999999999999")");
  EXPECT_EQ(SampleValue(9007199254740993.0), R"("9007199254740992")");
  EXPECT_EQ(SampleValue(-1e15), R"("-1000000000000000")");
  EXPECT_EQ(SampleValue(0.5), R"("0.5")");
  EXPECT_EQ(SampleValue(1.0 / 3), R"("0.3333333333333333")");
}

TEST(JsonValueTest, ScalarValuesNeverUseAnExponent) {
  // Observed from Prometheus 2.42 scalar results.
  EXPECT_EQ(ScalarValue(1e-7), R"("0.0000001")");
  EXPECT_EQ(ScalarValue(1e21), R"("1000000000000000000000")");
  EXPECT_EQ(ScalarValue(1e300), "\"1" + std::string(300, '0') + "\"");
  EXPECT_EQ(ScalarValue(-0.0), R"("-0")");
  EXPECT_EQ(ScalarValue(1e23), R"("100000000000000000000000")");
  EXPECT_EQ(ScalarValue(-123.456e-3), R"("-0.123456")");
  EXPECT_EQ(ScalarValue(1.5), R"("1.5")");
  EXPECT_EQ(ScalarValue(2), R"("2")");
  EXPECT_EQ(ScalarValue(0.1 + 0.2), R"("0.30000000000000004")");
  EXPECT_EQ(ScalarValue(std::numeric_limits<double>::infinity()), R"("+Inf")");
  EXPECT_EQ(ScalarValue(std::nan("")), R"("NaN")");
  EXPECT_EQ(ScalarValue(5e-324), "\"0." + std::string(323, '0') + "5\"");
}

TEST(JsonValueTest, GoJsonNumbers) {
  // Scalar and string results carry their time through Go's encoding/json.
  EXPECT_EQ(GoNumber(1435781451.5), "1435781451.5");
  EXPECT_EQ(GoNumber(1795271914.05), "1795271914.05");
  EXPECT_EQ(GoNumber(4), "4");
  EXPECT_EQ(GoNumber(0), "0");
  EXPECT_EQ(GoNumber(1e-7), "1e-7");
  EXPECT_EQ(GoNumber(1.5e-10), "1.5e-10");
  EXPECT_EQ(GoNumber(1e21), "1e+21");
  EXPECT_EQ(GoNumber(-2.5), "-2.5");
}

// The digits of a fixed-notation string without sign, point and the zeros around them.
std::string SignificantDigits(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d.push_back(c);
  }
  d.erase(0, std::min(d.find_first_not_of('0'), d.size()));
  d.erase(d.find_last_not_of('0') + 1);
  return d;
}

// Every value written in fixed notation reads back as itself, has no exponent, and carries
// exactly the shortest round-trip digits (those of std::to_chars' scientific form, which is
// how Go chooses them), over random bit patterns of every magnitude the fixed form covers.
TEST(JsonValueTest, FixedNotationHasTheShortestRoundTripDigits) {
  std::mt19937_64 rng(20261122);
  int checked = 0;
  for (int i = 0; i < 400000; ++i) {
    double v;
    if (i % 4 == 0) {  // any bit pattern: magnitudes from 5e-324 to 1.8e308
      const uint64_t bits = rng();
      std::memcpy(&v, &bits, sizeof v);
      if (!std::isfinite(v)) continue;
    } else {  // the magnitudes samples have, 1e-8 to 1e17, some with few digits
      const double mantissa = std::uniform_real_distribution<double>(-10, 10)(rng);
      v = mantissa * std::pow(10.0, static_cast<int>(rng() % 26) - 9);
      if (i % 4 == 1) v = std::round(v * 1e3) / 1e3;
    }
    for (const std::string& written : {SampleValue(v), ScalarValue(v)}) {
      const std::string text = written.substr(1, written.size() - 2);
      if (text.find('e') != std::string::npos) {
        EXPECT_TRUE(std::fabs(v) < 1e-6 || std::fabs(v) >= 1e21) << text;
        continue;
      }
      EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
      EXPECT_EQ(std::signbit(v), text[0] == '-') << text;
      char sci[64];
      auto res = std::to_chars(sci, sci + sizeof sci, std::fabs(v), std::chars_format::scientific);
      std::string_view mantissa(sci, static_cast<size_t>(res.ptr - sci));
      mantissa = mantissa.substr(0, mantissa.find('e'));
      ASSERT_EQ(SignificantDigits(text), SignificantDigits(mantissa)) << text << " " << v;
      ++checked;
    }
  }
  EXPECT_GT(checked, 200000);
}

TEST(JsonLabelsTest, ObjectInLabelOrder) {
  std::string out;
  AppendLabels(&out, Labels{{"job", "a<b"}, {"__name__", "up"}});
  EXPECT_EQ(out, R"({"__name__":"up","job":"a\u003cb"})");
  out.clear();
  AppendLabels(&out, Labels{});
  EXPECT_EQ(out, "{}");
}

// Labels with nothing to escape are written in place after what out holds; one string to
// escape anywhere makes the whole object take the escaping path. Both spell the same JSON.
TEST(JsonLabelsTest, InPlaceAndEscapingPathsAgree) {
  const std::vector<Labels> sets = {
      Labels{{"a", "1"}},
      Labels{{"__name__", "http_requests_total"}, {"code", "200"}, {"pod", "svc-1-abc"}},
      Labels{{"__name__", "m"}, {"path", "/a?b=c&d"}},
      Labels{{"__name__", "m"}, {"quote\"d", "x"}, {"z", "\n"}},
  };
  for (const Labels& labels : sets) {
    std::string want = "prefix{";
    bool first = true;
    for (const Label& l : labels) {
      if (!first) want += ',';
      first = false;
      AppendJsonString(&want, l.name);
      want += ':';
      AppendJsonString(&want, l.value);
    }
    want += '}';
    std::string out = "prefix";
    AppendLabels(&out, labels);
    EXPECT_EQ(out, want);
  }
}

}  // namespace
}  // namespace sundial::web::api
