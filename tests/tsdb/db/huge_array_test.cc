#include "tsdb/db/huge_array.h"

#include <cstdint>
#include <utility>

#include "gtest/gtest.h"

namespace sundial::tsdb {
namespace {

// Every element of a starts zeroed and keeps what is written to it.
void CheckZeroedAndWritable(const HugeArray<uint64_t>& a) {
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], 0u) << i;
  for (size_t i = 0; i < a.size(); ++i) a[i] = i * 3 + 1;
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], i * 3 + 1) << i;
}

TEST(HugeArrayTest, SmallAndLargeArraysAreZeroedAndWritable) {
  for (size_t n : {size_t{1}, size_t{1000}, size_t{1} << 18, (size_t{3} << 18) + 5}) {
    HugeArray<uint64_t> a(n);
    ASSERT_EQ(a.size(), n);
    ASSERT_NE(a.data(), nullptr);
    CheckZeroedAndWritable(a);
  }
}

TEST(HugeArrayTest, LargeArraysAreHugePageAligned) {
  HugeArray<uint64_t> a((size_t{5} << 20) / sizeof(uint64_t));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % (size_t{2} << 20), 0u);
}

TEST(HugeArrayTest, MoveHandsTheMemoryOver) {
  HugeArray<uint64_t> a(1 << 19);
  a[7] = 42;
  uint64_t* const data = a.data();
  HugeArray<uint64_t> b(std::move(a));
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(b[7], 42u);
  HugeArray<uint64_t> c(10);
  c = std::move(b);
  EXPECT_EQ(c.data(), data);
  EXPECT_EQ(c.size(), size_t{1} << 19);
  HugeArray<uint64_t> empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.data(), nullptr);
}

}  // namespace
}  // namespace sundial::tsdb
