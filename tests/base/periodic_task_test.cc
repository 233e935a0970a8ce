#include "base/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>

namespace sundial {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicTask, RunsRepeatedlyUntilStopped) {
  std::atomic<int> runs{0};
  PeriodicTask task(5ms, [&] { runs++; });
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (runs < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  task.Stop();
  int after_stop = runs.load();
  EXPECT_GE(after_stop, 3);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(runs.load(), after_stop);
}

TEST(PeriodicTask, StopDoesNotWaitForTheInterval) {
  std::atomic<int> runs{0};
  auto start = std::chrono::steady_clock::now();
  {
    PeriodicTask task(std::chrono::hours(1), [&] { runs++; });
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace sundial
