#include "base/hand_off.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sundial {
namespace {

TEST(HandOffTest, ValuesArriveInOrderAcrossThreads) {
  HandOff<int> q(3);
  std::thread producer([&] {
    for (int i = 0; i < 10000; ++i) ASSERT_TRUE(q.Push(i));
    q.Finish();
  });
  std::vector<int> got;
  while (std::optional<int> v = q.Pop()) got.push_back(*v);
  producer.join();
  ASSERT_EQ(got.size(), 10000u);
  for (int i = 0; i < 10000; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], i);
}

TEST(HandOffTest, FinishLetsTheConsumerDrainWhatIsQueued) {
  HandOff<int> q(4);
  ASSERT_TRUE(q.Push(1));
  ASSERT_TRUE(q.Push(2));
  q.Finish();
  EXPECT_EQ(q.Pop(), 1);
  EXPECT_EQ(q.Pop(), 2);
  EXPECT_EQ(q.Pop(), std::nullopt);
  EXPECT_EQ(q.Pop(), std::nullopt);
}

TEST(HandOffTest, PushWaitsForSpace) {
  HandOff<int> q(1);
  ASSERT_TRUE(q.Push(1));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    EXPECT_TRUE(q.Push(2));
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed.load());  // the queue is full until the consumer takes a value
  EXPECT_EQ(q.Pop(), 1);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.Pop(), 2);
}

TEST(HandOffTest, CloseReleasesAWaitingProducerAndConsumer) {
  HandOff<int> full(1);
  ASSERT_TRUE(full.Push(1));
  std::thread producer([&] { EXPECT_FALSE(full.Push(2)); });
  HandOff<int> empty(1);
  std::thread consumer([&] { EXPECT_EQ(empty.Pop(), std::nullopt); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  full.Close();
  empty.Close();
  producer.join();
  consumer.join();
  EXPECT_EQ(full.Pop(), std::nullopt);  // queued values are dropped
  EXPECT_FALSE(full.Push(3));
}

}  // namespace
}  // namespace sundial
