// SeriesCache on its own (generations) and behind HandleWrite: a series seen before is
// appended by ref, a ref the head dropped falls back to the labels, and only valid, contiguous
// label encodings are cached.
#include "remotewrite/series_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "remotewrite/payloads.h"
#include "remotewrite/prompb_v1.pb.h"
#include "remotewrite/write_handler.h"
#include "tsdb/head.h"

namespace sundial::remotewrite {
namespace {

using ::testing::ElementsAre;
using testing::EncodeV1;
using testing::kV1ContentType;
using ::testing::Pair;
using testing::ReadHead;
using testing::Snappy;
using testing::TestSeries;

TEST(SeriesCacheTest, GetPutErase) {
  SeriesCache cache;
  EXPECT_EQ(cache.Get("a"), 0u);
  cache.Put("a", 7);
  cache.Put("b", 8);
  EXPECT_EQ(cache.Get("a"), 7u);
  EXPECT_EQ(cache.Get("b"), 8u);
  cache.Erase("a");
  EXPECT_EQ(cache.Get("a"), 0u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SeriesCacheTest, KeysNotSeenForAGenerationFallOut) {
  SeriesCache cache(/*max_entries=*/4);  // generations of 2
  cache.Put("a", 1);
  cache.Put("b", 2);
  cache.Put("c", 3);              // a and b move to the previous generation
  EXPECT_EQ(cache.Get("a"), 1u);  // back to the current one
  cache.Put("d", 4);              // {c, a} previous; b is dropped
  EXPECT_EQ(cache.Get("b"), 0u);
  EXPECT_EQ(cache.Get("a"), 1u);
  EXPECT_EQ(cache.Get("c"), 3u);
  EXPECT_LE(cache.size(), 4u);
}

const TestSeries kUp{{{"__name__", "up"}, {"instance", "a:9100"}, {"job", "node"}}, {{1000, 1}}};

class CachedWriteTest : public ::testing::Test {
 protected:
  CachedWriteTest() { options_.series_cache = &cache_; }
  WriteResponse Post(const std::string& raw) {
    return HandleWrite(
        {.content_type = kV1ContentType, .content_encoding = "snappy", .body = Snappy(raw)}, &head_,
        options_);
  }
  static TestSeries Up(int64_t t, double v) {
    TestSeries s = kUp;
    s.samples = {{t, v}};
    return s;
  }

  tsdb::Head head_;
  SeriesCache cache_;
  WriteOptions options_;
};

TEST_F(CachedWriteTest, KnownSeriesIsAppendedByRef) {
  ASSERT_EQ(Post(EncodeV1({Up(1000, 1)})).status, 204);
  EXPECT_EQ(cache_.size(), 1u);
  WriteResponse r = Post(EncodeV1({Up(2000, 2), Up(3000, 3)}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.stats.samples_written, 2u);
  // An out-of-order sample of a cached series is reported with the series' labels.
  r = Post(EncodeV1({Up(500, 9)}));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body,
              ::testing::HasSubstr(
                  R"(for series {__name__="up", instance="a:9100", job="node"} at timestamp 500)"));
  EXPECT_THAT(ReadHead(head_),
              ElementsAre(Pair(R"({__name__="up", instance="a:9100", job="node"})",
                               ElementsAre(Pair(1000, 1), Pair(2000, 2), Pair(3000, 3)))));
  EXPECT_EQ(head_.NumSeries(), 1u);
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(CachedWriteTest, DroppedSeriesIsCreatedAgainFromItsLabels) {
  ASSERT_EQ(Post(EncodeV1({Up(1000, 1)})).status, 204);
  head_.Truncate(5000);  // the series has no samples left and goes
  ASSERT_EQ(head_.NumSeries(), 0u);
  WriteResponse r = Post(EncodeV1({Up(6000, 6)}));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_THAT(ReadHead(head_), ElementsAre(Pair(R"({__name__="up", instance="a:9100", job="node"})",
                                                ElementsAre(Pair(6000, 6)))));
  // The new ref is cached: the next sample goes by it.
  EXPECT_EQ(cache_.size(), 1u);
  EXPECT_EQ(Post(EncodeV1({Up(7000, 7)})).status, 204);
  EXPECT_EQ(head_.NumSeries(), 1u);
}

TEST_F(CachedWriteTest, InvalidAndInterleavedLabelsAreNotCached) {
  TestSeries unsorted = Up(1000, 1);
  std::swap(unsorted.labels[1], unsorted.labels[2]);
  EXPECT_EQ(Post(EncodeV1({unsorted})).status, 400);
  EXPECT_EQ(cache_.size(), 0u);
  // Labels split by a sample: still one valid series, written but not cached.
  prompb::WriteRequest req;
  req.ParseFromString(EncodeV1({Up(2000, 2)}));
  prompb::TimeSeries* ts = req.mutable_timeseries(0);
  std::string raw;
  {
    prompb::TimeSeries head_part, tail_part;
    *head_part.add_labels() = ts->labels(0);
    *head_part.add_samples() = ts->samples(0);
    *tail_part.add_labels() = ts->labels(1);
    *tail_part.add_labels() = ts->labels(2);
    // A message's encoding concatenated with another's merges them, keeping this field order.
    const std::string series = head_part.SerializeAsString() + tail_part.SerializeAsString();
    raw = "\x0a" + std::string(1, static_cast<char>(series.size())) + series;
  }
  WriteResponse r = Post(raw);
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.stats.samples_written, 1u);
  EXPECT_EQ(cache_.size(), 0u);
  EXPECT_THAT(ReadHead(head_), ElementsAre(Pair(R"({__name__="up", instance="a:9100", job="node"})",
                                                ElementsAre(Pair(2000, 2)))));
}

}  // namespace
}  // namespace sundial::remotewrite
