#include "tsdb/db/ref_table.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::tsdb {
namespace {

using ::testing::ElementsAre;

struct Value {
  int v = 0;
};

TEST(RefTableTest, FindsWhatWasInsertedAndKeepsTheFirstValue) {
  RefTable<Value> t;
  EXPECT_EQ(t.Find(0), nullptr);
  EXPECT_EQ(t.Find(5000), nullptr);
  t.TryEmplace(1, Value{10});
  t.TryEmplace(3000, Value{30});
  EXPECT_EQ(t.TryEmplace(1, Value{99}).v, 10);
  ASSERT_NE(t.Find(1), nullptr);
  EXPECT_EQ(t.Find(1)->v, 10);
  EXPECT_EQ(t.Find(3000)->v, 30);
  EXPECT_EQ(t.Find(2), nullptr);
  EXPECT_EQ(t.Find(2999), nullptr);
  EXPECT_TRUE(t.Contains(3000));
  EXPECT_FALSE(t.Contains(1u << 30));
  EXPECT_EQ(t.size(), 2u);
  t.Find(3000)->v = 31;
  EXPECT_EQ(t.Find(3000)->v, 31);
}

TEST(RefTableTest, EraseIfVisitsInRefOrderAndFreesEmptiedPages) {
  RefTable<Value> t;
  for (uint64_t ref = 1; ref <= 5000; ++ref) t.TryEmplace(ref, Value{static_cast<int>(ref)});
  std::vector<uint64_t> kept;
  t.EraseIf([&](uint64_t ref, Value& v) {
    EXPECT_EQ(static_cast<uint64_t>(v.v), ref);
    if (ref % 1000 == 0) kept.push_back(ref);
    return ref % 1000 != 0;
  });
  EXPECT_THAT(kept, ElementsAre(1000, 2000, 3000, 4000, 5000));
  EXPECT_EQ(t.size(), 5u);
  EXPECT_EQ(t.Find(999), nullptr);
  EXPECT_EQ(t.Find(2000)->v, 2000);
  // An erased ref can come back (a page freed in between is allocated again).
  t.EraseIf([](uint64_t, Value&) { return true; });
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.Find(2000), nullptr);
  EXPECT_EQ(t.TryEmplace(2000, Value{7}).v, 7);
  EXPECT_EQ(t.size(), 1u);
}

TEST(RefTableTest, EraseOneAndVisitTheRestInRefOrder) {
  RefTable<Value> t;
  for (uint64_t ref : {5000u, 7u, 1030u, 8u}) t.TryEmplace(ref, Value{static_cast<int>(ref)});
  t.Erase(1030);
  t.Erase(1030);  // absent: nothing happens
  t.Erase(1u << 30);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.Find(1030), nullptr);
  std::vector<uint64_t> refs;
  t.ForEach([&](uint64_t ref, Value& v) {
    EXPECT_EQ(v.v, static_cast<int>(ref));
    refs.push_back(ref);
  });
  EXPECT_THAT(refs, ElementsAre(7, 8, 5000));
}

}  // namespace
}  // namespace sundial::tsdb
