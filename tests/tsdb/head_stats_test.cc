// Head::IndexStats: the counts and top lists of /api/v1/status/tsdb over a small head whose
// answer is worked out by hand.
#include <gtest/gtest.h>

#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

using Stats = std::vector<CardinalityStat>;

class HeadStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<Appender> app = head_.NewAppender();
    for (const Labels& l : {Labels{{"__name__", "up"}, {"job", "a"}, {"instance", "x"}},
                            Labels{{"__name__", "up"}, {"job", "a"}, {"instance", "y"}},
                            Labels{{"__name__", "up"}, {"job", "b"}, {"instance", "x"}},
                            Labels{{"__name__", "http"}, {"job", "a"}, {"code", "200"}}}) {
      ASSERT_TRUE(app->Append(0, l, 1000, 1).ok());
      ASSERT_TRUE(app->Append(0, l, 2000, 2).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  Head head_;
};

TEST_F(HeadStatsTest, CountsAndTopListsAsPrometheus) {
  HeadIndexStats s = head_.IndexStats("__name__", 10);
  EXPECT_EQ(s.num_series, 4u);
  EXPECT_EQ(s.num_label_pairs, 7u);  // __name__ 2, instance 2, job 2, code 1
  EXPECT_EQ(s.chunk_count, 4u);
  EXPECT_EQ(s.min_time, 1000);
  EXPECT_EQ(s.max_time, 2000);
  EXPECT_EQ(s.series_count_by_metric_name, (Stats{{"up", 3}, {"http", 1}}));
  EXPECT_EQ(s.label_value_count_by_label_name,
            (Stats{{"__name__", 2}, {"instance", 2}, {"job", 2}, {"code", 1}}));
  // Per pair, name and value with a one-byte length prefix each, times its series:
  // __name__ (9+3)*3 + (9+5)*1, instance (9+2)*2 + 11, job (4+2)*3 + 6, code 5+4.
  EXPECT_EQ(s.memory_in_bytes_by_label_name,
            (Stats{{"__name__", 50}, {"instance", 33}, {"job", 24}, {"code", 9}}));
  EXPECT_EQ(s.series_count_by_label_value_pair, (Stats{{"__name__=up", 3},
                                                       {"job=a", 3},
                                                       {"instance=x", 2},
                                                       {"__name__=http", 1},
                                                       {"code=200", 1},
                                                       {"instance=y", 1},
                                                       {"job=b", 1}}));
}

TEST_F(HeadStatsTest, LimitAndLabel) {
  HeadIndexStats s = head_.IndexStats("job", 2);
  EXPECT_EQ(s.series_count_by_metric_name, (Stats{{"a", 3}, {"b", 1}}));
  EXPECT_EQ(s.label_value_count_by_label_name, (Stats{{"__name__", 2}, {"instance", 2}}));
  EXPECT_EQ(s.memory_in_bytes_by_label_name, (Stats{{"__name__", 50}, {"instance", 33}}));
  EXPECT_EQ(s.series_count_by_label_value_pair, (Stats{{"__name__=up", 3}, {"job=a", 3}}));
  EXPECT_TRUE(head_.IndexStats("__name__", 0).series_count_by_metric_name.empty());

  Head empty;
  HeadIndexStats e = empty.IndexStats("__name__", 10);
  EXPECT_EQ(e.num_series, 0u);
  EXPECT_EQ(e.min_time, INT64_MAX);
  EXPECT_TRUE(e.series_count_by_label_value_pair.empty());
}

}  // namespace
}  // namespace sundial::tsdb
