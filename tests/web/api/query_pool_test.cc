// QueryPool: the concurrency limit holds across tasks run on its threads and tasks handed out.
#include "web/api/query_pool.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "gtest/gtest.h"
#include "testing/wait_until.h"

namespace sundial::web::api {
namespace {

using namespace std::chrono_literals;
using sundial::testing::WaitUntil;

TEST(QueryPoolTest, AnAcceptedTaskRunsWhereItIsCalled) {
  QueryPool pool(2);
  std::thread::id ran_on;
  std::function<void()> handed;
  pool.SubmitOrRunElsewhere([&] { ran_on = std::this_thread::get_id(); },
                            [&](std::function<void()>& t) {
                              handed = std::move(t);
                              return true;
                            });
  ASSERT_TRUE(handed);
  handed();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(QueryPoolTest, ARefusedTaskRunsOnThePool) {
  QueryPool pool(1);
  std::atomic<bool> ran{false};
  std::thread::id ran_on;
  pool.SubmitOrRunElsewhere(
      [&] {
        ran_on = std::this_thread::get_id();
        ran = true;
      },
      [](std::function<void()>& t) {
        EXPECT_TRUE(t);
        return false;
      });
  ASSERT_TRUE(WaitUntil([&] { return ran.load(); }));
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(QueryPoolTest, AHandedOutTaskHoldsItsSlot) {
  QueryPool pool(1);
  std::function<void()> handed;
  std::atomic<bool> first_ran{false}, second_ran{false};
  pool.SubmitOrRunElsewhere([&] { first_ran = true; },
                            [&](std::function<void()>& t) {
                              handed = std::move(t);
                              return true;
                            });
  // The only slot is taken: the next task is queued, not offered.
  bool offered = false;
  pool.SubmitOrRunElsewhere([&] { second_ran = true; },
                            [&](std::function<void()>&) {
                              offered = true;
                              return false;
                            });
  EXPECT_FALSE(offered);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(second_ran);  // waits for the slot
  handed();
  EXPECT_TRUE(first_ran);
  EXPECT_TRUE(WaitUntil([&] { return second_ran.load(); }));
}

TEST(QueryPoolTest, AHandedOutTaskDroppedUncalledGivesItsSlotBack) {
  QueryPool pool(1);
  auto handed = std::make_unique<std::function<void()>>();
  std::atomic<bool> first_ran{false}, second_ran{false};
  pool.SubmitOrRunElsewhere([&] { first_ran = true; },
                            [&](std::function<void()>& t) {
                              *handed = std::move(t);
                              return true;
                            });
  pool.Submit([&] { second_ran = true; });
  handed.reset();
  EXPECT_TRUE(WaitUntil([&] { return second_ran.load(); }));
  EXPECT_FALSE(first_ran);
}

TEST(QueryPoolTest, AHandedOutTaskCalledAfterThePoolIsGoneDoesNotRun) {
  std::function<void()> handed;
  bool ran = false;
  {
    QueryPool pool(1);
    pool.SubmitOrRunElsewhere([&] { ran = true; },
                              [&](std::function<void()>& t) {
                                handed = std::move(t);
                                return true;
                              });
  }
  handed();
  EXPECT_FALSE(ran);
}

TEST(QueryPoolTest, DestructionWaitsForATaskRunningElsewhere) {
  std::atomic<bool> started{false}, release{false}, finished{false};
  std::thread runner, releaser;
  {
    QueryPool pool(1);
    pool.SubmitOrRunElsewhere(
        [&] {
          started = true;
          WaitUntil([&] { return release.load(); });
          finished = true;
        },
        [&](std::function<void()>& t) {
          runner = std::thread(std::move(t));
          return true;
        });
    ASSERT_TRUE(WaitUntil([&] { return started.load(); }));
    releaser = std::thread([&] {
      std::this_thread::sleep_for(50ms);
      release = true;
    });
  }
  EXPECT_TRUE(finished);
  runner.join();
  releaser.join();
}

}  // namespace
}  // namespace sundial::web::api
