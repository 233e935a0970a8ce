#include "base/metrics_gauge.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sundial::metrics {
namespace {

TEST(Gauge, SetAddSub) {
  Gauge g;
  g.Set(10);
  g.Inc();
  g.Dec();
  g.Dec();
  g.Add(2.5);
  g.Sub(0.5);
  EXPECT_EQ(g.Value(), 11);
  g.Set(-3);
  EXPECT_EQ(g.Value(), -3);
}

TEST(Gauge, ConcurrentAddsAddUpExactly) {
  Gauge g;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50000; ++i) {
        g.Add(0.25);
        g.Inc();
        g.Dec();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(g.Value(), 8 * 50000 * 0.25);
}

}  // namespace
}  // namespace sundial::metrics
