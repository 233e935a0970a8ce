#include "base/metrics_histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "base/metrics_snapshot.h"

namespace sundial::metrics {
namespace {

std::vector<uint64_t> CumulativeCounts(const MetricSnapshot& m) {
  std::vector<uint64_t> out;
  for (const HistogramBucket& b : m.buckets) out.push_back(b.cumulative_count);
  return out;
}

TEST(Histogram, BucketsAreCumulativeAndInclusive) {
  Histogram h({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 7.0, -3.0}) h.Observe(v);
  MetricSnapshot m;
  h.Collect(&m);
  ASSERT_EQ(m.buckets.size(), 3u);
  EXPECT_EQ(m.buckets[0].upper_bound, 1);
  EXPECT_EQ(m.buckets[2].upper_bound, 5);
  EXPECT_EQ(CumulativeCounts(m), (std::vector<uint64_t>{3, 5, 6}));  // le is inclusive
  EXPECT_EQ(m.count, 7u);                                            // +Inf bucket
  EXPECT_EQ(m.sum, 13);
}

TEST(Histogram, NaNAndInfGoToInfBucket) {
  Histogram h({1, 2, INFINITY});  // a trailing +Inf is accepted and implied
  h.Observe(std::nan(""));
  h.Observe(INFINITY);
  MetricSnapshot m;
  h.Collect(&m);
  EXPECT_EQ(h.upper_bounds(), (std::vector<double>{1, 2}));
  EXPECT_EQ(CumulativeCounts(m), (std::vector<uint64_t>{0, 0}));
  EXPECT_EQ(m.count, 2u);
  EXPECT_TRUE(std::isnan(m.sum));
}

TEST(Histogram, BucketHelpers) {
  EXPECT_EQ(DefaultBuckets(),
            (std::vector<double>{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}));
  EXPECT_EQ(LinearBuckets(1, 2, 4), (std::vector<double>{1, 3, 5, 7}));
  EXPECT_EQ(ExponentialBuckets(100, 4, 4), (std::vector<double>{100, 400, 1600, 6400}));
}

TEST(HistogramDeathTest, RejectsUnsortedBuckets) {
  EXPECT_DEATH(Histogram({1, 1}), "strictly increasing");
  EXPECT_DEATH(Histogram({2, 1}), "strictly increasing");
  EXPECT_DEATH(ExponentialBuckets(0, 2, 3), "ExponentialBuckets");
  EXPECT_DEATH(LinearBuckets(0, 1, 0), "LinearBuckets");
}

TEST(Histogram, ConcurrentObservationsAddUpExactly) {
  Histogram h({1, 10});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 30000; ++i) {
        h.Observe(0.5);
        h.Observe(5);
        h.Observe(50);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  MetricSnapshot m;
  h.Collect(&m);
  EXPECT_EQ(CumulativeCounts(m), (std::vector<uint64_t>{240000, 480000}));
  EXPECT_EQ(m.count, 720000u);
  EXPECT_EQ(m.sum, 240000 * 55.5);
}

}  // namespace
}  // namespace sundial::metrics
