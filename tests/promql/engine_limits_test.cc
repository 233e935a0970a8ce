#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/head.h"

namespace sundial::promql {
namespace {

void Load(tsdb::Head* head, int series, int samples) {
  auto app = head->NewAppender();
  for (int s = 0; s < series; ++s) {
    Labels l{{"__name__", "m"}, {"i", std::to_string(s)}};
    for (int k = 0; k < samples; ++k) {
      ASSERT_TRUE(app->Append(0, l, k * 15000, k).ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
}

TEST(EngineLimitsTest, MaxSamplesFailsWithPrometheusMessage) {
  tsdb::Head head;
  Load(&head, 10, 100);
  // At 1000 s the 10m windows hold 40 samples (k = 27..66): 10 rates + 40 = 50 held at once.
  EngineOptions opts;
  opts.max_samples = 49;
  Result r = Engine(opts).InstantQuery(&head, "sum(rate(m[10m]))", 1000 * 1000);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status.message(),
            "query processing would load too many samples into memory in query execution");
  opts.max_samples = 50;
  Result ok = Engine(opts).InstantQuery(&head, "sum(rate(m[10m]))", 1000 * 1000);
  EXPECT_TRUE(ok.status.ok()) << ok.status;
  EXPECT_EQ(ok.stats.peak_samples, 50);
  EXPECT_EQ(ok.stats.samples_loaded, 10 * 40);
}

// Prometheus counts what a query holds at once, not everything it reads: a range query over
// more samples than the limit is answered when its result and one window fit.
TEST(EngineLimitsTest, RangeQueryIsLimitedByWhatItHoldsNotByWhatItReads) {
  tsdb::Head head;
  Load(&head, 10, 100);  // samples every 15 s from 0 to 1485 s
  // Steps 0, 60, ..., 1440 s: 24 of the 25 1m windows hold 4 samples and give a rate, so
  // 240 rates + 4 are held; the query reads 97 samples of each series.
  const char* q = "sum(rate(m[1m]))";
  EngineOptions opts;
  opts.max_samples = 244;
  Result ok = Engine(opts).RangeQuery(&head, q, 0, 1440 * 1000, 60 * 1000);
  ASSERT_TRUE(ok.status.ok()) << ok.status;
  EXPECT_EQ(ok.stats.samples_loaded, 10 * 97);
  EXPECT_EQ(ok.stats.peak_samples, 244);
  EXPECT_EQ(std::get<Matrix>(ok.value).at(0).points.size(), 24u);
  opts.max_samples = 243;
  Result r = Engine(opts).RangeQuery(&head, q, 0, 1440 * 1000, 60 * 1000);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kResourceExhausted);
}

// An aggregation drops the points of its input: a query holding two aggregations side by side
// counts their outputs, not both inputs.
TEST(EngineLimitsTest, AggregationReleasesItsInput) {
  tsdb::Head head;
  Load(&head, 10, 100);
  EngineOptions opts;
  opts.max_samples = 10 * 25 + 25;  // one selector's 250 points over 25 steps, plus a sum
  Result one = Engine(opts).RangeQuery(&head, "m", 0, 1440 * 1000, 60 * 1000);
  ASSERT_TRUE(one.status.ok()) << one.status;
  EXPECT_EQ(one.stats.peak_samples, 250);
  Result both = Engine(opts).RangeQuery(&head, "sum(m) / sum(m)", 0, 1440 * 1000, 60 * 1000);
  ASSERT_TRUE(both.status.ok()) << both.status;
  EXPECT_EQ(both.stats.peak_samples, 25 + 250);
  Result joined = Engine(opts).RangeQuery(&head, "m / m", 0, 1440 * 1000, 60 * 1000);
  EXPECT_EQ(joined.status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(EngineLimitsTest, CancelFlagAbortsQuery) {
  tsdb::Head head;
  Load(&head, 3, 10);
  std::atomic<bool> cancel{true};
  QueryControl control;
  control.cancel = &cancel;
  Result r = Engine().RangeQuery(&head, "m", 0, 150000, 15000, control);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(r.status.message(), "query was canceled in query execution");
}

TEST(EngineLimitsTest, TimeoutAbortsQuery) {
  tsdb::Head head;
  Load(&head, 50, 200);
  EngineOptions opts;
  opts.timeout_ms = 1;
  Engine engine(opts);
  // A heavy nested subquery cannot finish in a millisecond.
  Result r = engine.RangeQuery(&head, "max_over_time(sum(rate(m[5m]))[1h:1s])", 0, 3000000, 1000);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status.message(), "query timed out in query execution");
}

TEST(EngineLimitsTest, RangeQueryRejectsRangeVectorAndBadStep) {
  tsdb::Head head;
  Load(&head, 1, 10);
  Engine engine;
  EXPECT_FALSE(engine.RangeQuery(&head, "m[5m]", 0, 100000, 15000).status.ok());
  EXPECT_FALSE(engine.RangeQuery(&head, "m", 0, 100000, 0).status.ok());
  EXPECT_FALSE(engine.InstantQuery(&head, "sum(", 0).status.ok());
}

TEST(EngineLimitsTest, RangeQueryEvaluatesEveryStep) {
  tsdb::Head head;
  Load(&head, 2, 10);
  Result r = Engine().RangeQuery(&head, "sum(m) + 1", 0, 45000, 15000);
  ASSERT_TRUE(r.status.ok()) << r.status;
  const Matrix& m = std::get<Matrix>(r.value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].points.size(), 4u);
  EXPECT_EQ(m[0].points[3].t, 45000);
  EXPECT_EQ(m[0].points[3].v, 7);  // 3 + 3 + 1
}

}  // namespace
}  // namespace sundial::promql
