#include "web/api/params.h"

#include <gtest/gtest.h>

namespace sundial::web::api {
namespace {

int64_t Time(std::string_view s) {
  absl::StatusOr<int64_t> t = ParseTime(s);
  EXPECT_TRUE(t.ok()) << s << ": " << t.status();
  return t.ok() ? *t : -1;
}

std::string TimeError(std::string_view s) {
  absl::StatusOr<int64_t> t = ParseTime(s);
  return t.ok() ? "ok" : std::string(t.status().message());
}

TEST(ParseTimeTest, FloatSeconds) {
  EXPECT_EQ(Time("1435781451.781"), 1435781451781);
  EXPECT_EQ(Time("1435781451"), 1435781451000);
  EXPECT_EQ(Time("1435781451.1"), 1435781451100);
  EXPECT_EQ(Time("+4"), 4000);
  EXPECT_EQ(Time("-1.5"), -1500);
  EXPECT_EQ(Time("1e3"), 1000000);
  EXPECT_EQ(Time("1.0005"), 1000);  // 1.0005 is 1.000499... in binary; Prometheus gives 1
  EXPECT_EQ(Time("1.0015"), 1002);
  EXPECT_EQ(Time("0"), 0);
}

TEST(ParseTimeTest, Rfc3339) {
  EXPECT_EQ(Time("2015-07-01T20:10:51.781Z"), 1435781451781);
  EXPECT_EQ(Time("2015-07-01T20:10:51Z"), 1435781451000);
  EXPECT_EQ(Time("2015-07-01T22:10:51.781+02:00"), 1435781451781);
  EXPECT_EQ(Time("2015-07-01T20:10:51.781123456Z"), 1435781451781);
  EXPECT_EQ(Time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Time("1969-12-31T23:59:59Z"), -1000);
  EXPECT_EQ(Time("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(Time(kMinTimeFormatted), kMinTimeMs);
  EXPECT_EQ(Time(kMaxTimeFormatted), kMaxTimeMs);
}

TEST(ParseTimeTest, Errors) {
  EXPECT_EQ(TimeError("abc"), R"(cannot parse "abc" to a valid timestamp)");
  EXPECT_EQ(TimeError(""), R"(cannot parse "" to a valid timestamp)");
  EXPECT_EQ(TimeError("2023-02-30T00:00:00Z"),
            R"(cannot parse "2023-02-30T00:00:00Z" to a valid timestamp)");
  EXPECT_EQ(TimeError("2015-07-01 20:10:51Z"),
            R"(cannot parse "2015-07-01 20:10:51Z" to a valid timestamp)");
  EXPECT_EQ(TimeError("1_000"), R"(cannot parse "1_000" to a valid timestamp)");
  EXPECT_EQ(TimeError("a\"b\n"), R"(cannot parse "a\"b\n" to a valid timestamp)");
}

TEST(ParseDurationTest, SecondsAndPrometheusDurations) {
  EXPECT_EQ(*ParseDurationNs("15"), 15000000000);
  EXPECT_EQ(*ParseDurationNs("1.5"), 1500000000);
  EXPECT_EQ(*ParseDurationNs("0"), 0);
  EXPECT_EQ(*ParseDurationNs("-3"), -3000000000);
  EXPECT_EQ(*ParseDurationNs("1m30s"), 90000000000);
  EXPECT_EQ(*ParseDurationNs("1s"), 1000000000);
  EXPECT_EQ(*ParseDurationNs("100ms"), 100000000);
  EXPECT_EQ(ParseDurationNs("abc").status().message(), R"(cannot parse "abc" to a valid duration)");
  EXPECT_EQ(ParseDurationNs("-1s").status().message(), R"(cannot parse "-1s" to a valid duration)");
  EXPECT_EQ(ParseDurationNs("1e10").status().message(),
            R"(cannot parse "1e10" to a valid duration. It overflows int64)");
}

TEST(ParseTimeParamTest, DefaultAndPrefix) {
  HttpRequest req;
  req.params.emplace("time", "x");
  EXPECT_EQ(*ParseTimeParam(req, "start", 42), 42);
  EXPECT_EQ(ParseTimeParam(req, "time", 42).status().message(),
            R"(Invalid time value for 'time': cannot parse "x" to a valid timestamp)");
  EXPECT_EQ(InvalidParam("time", "boom"), R"(invalid parameter "time": boom)");
}

}  // namespace
}  // namespace sundial::web::api
