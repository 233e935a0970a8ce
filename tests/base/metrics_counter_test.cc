#include "base/metrics_counter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "base/metrics_snapshot.h"

namespace sundial::metrics {
namespace {

TEST(Counter, IncAndAdd) {
  Counter c;
  EXPECT_EQ(c.Value(), 0);
  c.Inc();
  c.Add(41);
  c.Add(0.5);
  EXPECT_EQ(c.Value(), 42.5);
  MetricSnapshot m;
  c.Collect(&m);
  EXPECT_EQ(m.value, 42.5);
}

TEST(Counter, IgnoresNegativeAndNaN) {
  Counter c;
  c.Add(3);
  c.Add(-1);
  c.Add(std::nan(""));
  EXPECT_EQ(c.Value(), 3);
}

TEST(Counter, ConcurrentIncrementsAddUpExactly) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100000;
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        c.Inc();
        c.Add(0.5);  // exact in binary, takes the compare-and-swap path
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c.Value(), 1.5 * kThreads * kPerThread);
}

}  // namespace
}  // namespace sundial::metrics
