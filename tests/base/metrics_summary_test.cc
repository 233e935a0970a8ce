#include "base/metrics_summary.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/metrics_registry.h"
#include "base/metrics_snapshot.h"

namespace sundial::metrics {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// A clock that moves only when told to.
struct FakeClock {
  SummaryOptions::Clock::time_point t{};
  std::function<SummaryOptions::Clock::time_point()> Fn() {
    return [this] { return t; };
  }
};

// client_golang's default window (10 minutes in 5 spans) on the given clock, if any.
SummaryOptions WithObjectives(std::map<double, double> objectives, FakeClock* clock = nullptr) {
  SummaryOptions o;
  o.objectives = std::move(objectives);
  if (clock != nullptr) o.now = clock->Fn();
  return o;
}

SummaryOptions WalFsyncObjectives(FakeClock* clock) {
  return WithObjectives({{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}}, clock);
}

std::vector<double> Quantiles(const MetricSnapshot& m) {
  std::vector<double> out;
  for (const SummaryQuantile& q : m.quantiles) out.push_back(q.value);
  return out;
}

TEST(Summary, WithoutObjectivesOnlySumAndCount) {
  Summary s;
  s.Observe(0.25);
  s.Observe(1.5);
  MetricSnapshot m;
  s.Collect(&m);
  EXPECT_TRUE(m.quantiles.empty());
  EXPECT_EQ(m.count, 2u);
  EXPECT_EQ(m.sum, 1.75);
}

TEST(Summary, EmptyQuantilesAreNaN) {
  FakeClock clock;
  Summary s(WalFsyncObjectives(&clock));
  MetricSnapshot m;
  s.Collect(&m);
  ASSERT_EQ(m.quantiles.size(), 3u);
  EXPECT_EQ(m.quantiles[0].quantile, 0.5);
  EXPECT_EQ(m.quantiles[1].quantile, 0.9);
  EXPECT_EQ(m.quantiles[2].quantile, 0.99);
  for (double v : Quantiles(m)) EXPECT_TRUE(std::isnan(v));
  EXPECT_EQ(m.count, 0u);
  EXPECT_EQ(m.sum, 0);
}

TEST(Summary, QuantilesAreRanksOfTheObservations) {
  FakeClock clock;
  Summary s(WalFsyncObjectives(&clock));
  // 1..1000 in a shuffled order: the q-quantile is the ceil(q*1000)-th smallest.
  for (int i = 0; i < 1000; ++i) s.Observe(static_cast<double>((i * 7919) % 1000 + 1));
  MetricSnapshot m;
  s.Collect(&m);
  EXPECT_EQ(Quantiles(m), (std::vector<double>{500, 900, 990}));
  EXPECT_EQ(m.count, 1000u);
  EXPECT_EQ(m.sum, 500500);

  Summary one(WithObjectives({{0, 0}, {0.5, 0.05}, {1, 0}}, &clock));
  one.Observe(3);
  MetricSnapshot single;
  one.Collect(&single);
  EXPECT_EQ(Quantiles(single), (std::vector<double>{3, 3, 3}));
}

TEST(Summary, QuantilesForgetObservationsOutsideTheWindow) {
  FakeClock clock;
  Summary s(WalFsyncObjectives(&clock));  // spans of 2 minutes
  s.Observe(100);
  clock.t += minutes(5);
  s.Observe(1);
  MetricSnapshot m;
  s.Collect(&m);
  EXPECT_EQ(Quantiles(m), (std::vector<double>{1, 100, 100}));

  // At 10m the window starts at 2m (spans end at 2, 4, ..., 12 minutes): 100 is gone.
  clock.t += minutes(5);
  s.Collect(&m);
  EXPECT_EQ(Quantiles(m), (std::vector<double>{1, 1, 1}));

  // At 16m the window starts at 8m: nothing is left, but _sum and _count keep everything.
  clock.t += minutes(6);
  s.Collect(&m);
  for (double v : Quantiles(m)) EXPECT_TRUE(std::isnan(v));
  EXPECT_EQ(m.count, 2u);
  EXPECT_EQ(m.sum, 101);

  // The window keeps sliding after idle time.
  clock.t += minutes(60);
  s.Observe(7);
  clock.t += seconds(1);
  s.Collect(&m);
  EXPECT_EQ(Quantiles(m), (std::vector<double>{7, 7, 7}));
}

TEST(Summary, NaNCountsButTakesNoRank) {
  FakeClock clock;
  Summary s(WalFsyncObjectives(&clock));
  s.Observe(2);
  s.Observe(std::nan(""));
  MetricSnapshot m;
  s.Collect(&m);
  EXPECT_EQ(m.count, 2u);
  EXPECT_TRUE(std::isnan(m.sum));
  EXPECT_EQ(Quantiles(m), (std::vector<double>{2, 2, 2}));
}

TEST(Summary, ConcurrentObservationsAddUp) {
  Summary s(WithObjectives({{0.5, 0.05}}));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&s] {
      for (int i = 0; i < 1000; ++i) s.Observe(1);
    });
  }
  for (std::thread& t : threads) t.join();
  MetricSnapshot m;
  s.Collect(&m);
  EXPECT_EQ(m.count, 4000u);
  EXPECT_EQ(m.sum, 4000);
  EXPECT_EQ(Quantiles(m), (std::vector<double>{1}));
}

// The lines client_golang writes for Prometheus 2.42's three TSDB summaries.
TEST(Summary, ExposedAsPrometheusExposesIt) {
  FakeClock clock;
  Registry r;
  Summary& fsync = r.NewSummary("prometheus_tsdb_wal_fsync_duration_seconds",
                                "Duration of write log fsync.", WalFsyncObjectives(&clock));
  r.NewSummary("prometheus_tsdb_head_gc_duration_seconds",
               "Runtime of garbage collection in the head block.");
  EXPECT_EQ(r.Expose(),
            "# HELP prometheus_tsdb_head_gc_duration_seconds Runtime of garbage collection in the "
            "head block.\n"
            "# TYPE prometheus_tsdb_head_gc_duration_seconds summary\n"
            "prometheus_tsdb_head_gc_duration_seconds_sum 0\n"
            "prometheus_tsdb_head_gc_duration_seconds_count 0\n"
            "# HELP prometheus_tsdb_wal_fsync_duration_seconds Duration of write log fsync.\n"
            "# TYPE prometheus_tsdb_wal_fsync_duration_seconds summary\n"
            "prometheus_tsdb_wal_fsync_duration_seconds{quantile=\"0.5\"} NaN\n"
            "prometheus_tsdb_wal_fsync_duration_seconds{quantile=\"0.9\"} NaN\n"
            "prometheus_tsdb_wal_fsync_duration_seconds{quantile=\"0.99\"} NaN\n"
            "prometheus_tsdb_wal_fsync_duration_seconds_sum 0\n"
            "prometheus_tsdb_wal_fsync_duration_seconds_count 0\n");
  fsync.Observe(0.5);
  fsync.Observe(0.25);
  const std::string text = r.Expose();
  EXPECT_NE(text.find("prometheus_tsdb_wal_fsync_duration_seconds{quantile=\"0.5\"} 0.25\n"
                      "prometheus_tsdb_wal_fsync_duration_seconds{quantile=\"0.9\"} 0.5\n"
                      "prometheus_tsdb_wal_fsync_duration_seconds{quantile=\"0.99\"} 0.5\n"
                      "prometheus_tsdb_wal_fsync_duration_seconds_sum 0.75\n"
                      "prometheus_tsdb_wal_fsync_duration_seconds_count 2\n"),
            std::string::npos)
      << text;
}

TEST(Summary, LabelledFamilyPutsQuantileLast) {
  Registry r;
  SummaryFamily& f =
      r.NewSummaryFamily("rpc_seconds", "RPC latency.", {"method"}, WithObjectives({{0.5, 0.05}}));
  f.WithLabelValues({"get"}).Observe(3);
  EXPECT_EQ(r.Expose(),
            "# HELP rpc_seconds RPC latency.\n"
            "# TYPE rpc_seconds summary\n"
            "rpc_seconds{method=\"get\",quantile=\"0.5\"} 3\n"
            "rpc_seconds_sum{method=\"get\"} 3\n"
            "rpc_seconds_count{method=\"get\"} 1\n");
}

TEST(SummaryDeathTest, RejectsBadOptions) {
  EXPECT_DEATH(Summary(WithObjectives({{1.5, 0.01}})), "must be in \\[0, 1\\]");
  SummaryOptions no_buckets;
  no_buckets.age_buckets = 0;
  EXPECT_DEATH(Summary(std::move(no_buckets)), "age_buckets");
  Registry r;
  EXPECT_DEATH(r.NewSummaryFamily("x", "x", {"quantile"}), "reserved");
}

}  // namespace
}  // namespace sundial::metrics
