#include "tsdb/series.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/errors.h"

namespace sundial::tsdb {
namespace {

constexpr int64_t kTwoHours = 2 * 3600 * 1000;

std::vector<int> SampleCounts(const std::vector<ChunkMeta>& chunks) {
  std::vector<int> out;
  for (const ChunkMeta& c : chunks) out.push_back(c.num_samples);
  return out;
}

class SeriesTest : public testing::Test {
 protected:
  void Append(Timestamp t, double v = 1) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    absl::MutexLock lock(&s_.mu());
    ASSERT_EQ(*s_.Appendable(t, v, INT64_MIN, INT64_MAX, false), MemSeries::Placement::kInOrder);
    s_.AppendInOrder(t, v, options_);
  }
  std::vector<ChunkMeta> Chunks() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    absl::MutexLock lock(&s_.mu());
    return s_.InOrderChunks();
  }

  ChunkOptions options_;
  MemSeries s_{1, Labels{{"a", "b"}}};
};

TEST(ChunkEndTimeTest, MatchesPrometheus) {
  EXPECT_EQ(RangeForTimestamp(0, kTwoHours), kTwoHours);
  EXPECT_EQ(RangeForTimestamp(kTwoHours - 1, kTwoHours), kTwoHours);
  EXPECT_EQ(RangeForTimestamp(kTwoHours, kTwoHours), 2 * kTwoHours);
  // Go's truncating division: -1 / width == 0.
  EXPECT_EQ(RangeForTimestamp(-1, kTwoHours), kTwoHours);
  // 30 samples at 15s: n = 7200000 / (435001 * 4) = 4 chunks -> end at 1800000.
  EXPECT_EQ(ComputeChunkEndTime(0, 435000, kTwoHours), 1800000);
  // The range is already more than a quarter used: keep the range end.
  EXPECT_EQ(ComputeChunkEndTime(0, 3000000, kTwoHours), kTwoHours);
}

TEST_F(SeriesTest, FifteenSecondScrapesGive120SamplesPerChunk) {
  for (Timestamp t = 0; t < kTwoHours; t += 15000) Append(t);
  // 480 samples in the range; the end time predicted after 30 samples is 1800000.
  EXPECT_THAT(SampleCounts(Chunks()), testing::ElementsAre(120, 120, 120, 120));
  EXPECT_EQ(Chunks()[1], (ChunkMeta{1800000, 3585000, 120}));
}

TEST_F(SeriesTest, AdaptiveCutSpreadsTheRangeEvenly) {
  // 7s interval. Chunk 1: 30th sample at 203000, n = 7200000 / (203001 * 4) = 8, ends at
  // 900000 -> samples 0..896000 = 129. Chunk 2 starts at 903000: 30th sample at 1106000,
  // n = 6297000 / (203001 * 4) = 7, ends at 903000 + 6297000 / 7 = 1802571 -> 129 samples.
  for (Timestamp t = 0; t < 1900000; t += 7000) Append(t);
  std::vector<ChunkMeta> chunks = Chunks();
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(chunks[0], (ChunkMeta{0, 896000, 129}));
  EXPECT_EQ(chunks[1], (ChunkMeta{903000, 1799000, 129}));
  EXPECT_EQ(chunks[2].mint, 1806000);
}

TEST_F(SeriesTest, ChunksNeverCrossTheRangeBoundary) {
  for (Timestamp t = kTwoHours - 5000; t < kTwoHours + 5000; t += 1000) Append(t);
  EXPECT_THAT(Chunks(), testing::ElementsAre(ChunkMeta{kTwoHours - 5000, kTwoHours - 1000, 5},
                                             ChunkMeta{kTwoHours, kTwoHours + 4000, 5}));
}

TEST_F(SeriesTest, CutsAtTwiceTheTargetWhenTheRateRises) {
  // 30 samples 60s apart predict a long chunk (n = 7200000 / (1740001 * 4) = 1: the range end);
  // then 1 sample per ms arrives: the chunk is cut when it holds 240.
  for (int i = 0; i < 30; ++i) Append(i * 60000);
  for (int i = 1; i <= 300; ++i) Append(29 * 60000 + i);
  EXPECT_THAT(SampleCounts(Chunks()), testing::ElementsAre(240, 90));
}

TEST_F(SeriesTest, AppendableRules) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Append(1000, 5);
  absl::MutexLock lock(&s_.mu());
  EXPECT_EQ(*s_.Appendable(2000, 1, 0, INT64_MAX, false), MemSeries::Placement::kInOrder);
  EXPECT_EQ(*s_.Appendable(1000, 5, 0, INT64_MAX, false), MemSeries::Placement::kIgnore);
  EXPECT_TRUE(IsDuplicateSample(s_.Appendable(1000, 6, 0, INT64_MAX, false).status()));
  EXPECT_TRUE(IsOutOfOrder(s_.Appendable(999, 5, 0, INT64_MAX, false).status()));
  EXPECT_TRUE(IsOutOfBounds(s_.Appendable(999, 5, 999 + 1, INT64_MAX, false).status()));
  EXPECT_EQ(*s_.Appendable(999, 5, 0, 500, true), MemSeries::Placement::kOutOfOrder);
  EXPECT_TRUE(IsTooOldSample(s_.Appendable(499, 5, 0, 500, true).status()));
}

TEST_F(SeriesTest, TruncateDropsWholeChunksOnly) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (Timestamp t = 0; t < kTwoHours; t += 15000) Append(t);
  absl::MutexLock lock(&s_.mu());
  s_.TruncateBefore(1800001);  // the second chunk ends at 3585000: kept whole
  EXPECT_EQ(s_.InOrderChunks().size(), 3u);
  EXPECT_FALSE(s_.Empty());
  s_.TruncateBefore(kTwoHours);
  EXPECT_TRUE(s_.Empty());
}

// Snapshot copies exactly what overlaps [mint, maxt] (closed chunks, the open chunk, out-of-order
// samples), and with a null arena it tells whether anything does, for ranges around every chunk
// boundary.
TEST_F(SeriesTest, SnapshotTakesWhatOverlapsTheRange) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (Timestamp t = 0; t < kTwoHours; t += 15000) Append(t);
  absl::MutexLock lock(&s_.mu());
  for (Timestamp t : {400000, 2000000, 2000001}) {
    ASSERT_EQ(*s_.Appendable(t, 5, INT64_MIN, 0, true), MemSeries::Placement::kOutOfOrder);
    s_.InsertOutOfOrder(t, 5);
  }
  const std::vector<ChunkMeta> chunks = s_.InOrderChunks();  // the open one last
  ASSERT_EQ(chunks.size(), 4u);
  std::vector<Timestamp> edges = {INT64_MIN, INT64_MAX};
  for (const ChunkMeta& c : chunks) {
    for (Timestamp d : {-1, 0, 1}) edges.insert(edges.end(), {c.mint + d, c.maxt + d});
  }
  for (Timestamp d : {-1, 0, 1}) edges.insert(edges.end(), {400000 + d, 2000000 + d});
  for (Timestamp mint : edges) {
    for (Timestamp maxt : edges) {
      if (mint > maxt) continue;
      SnapshotArena arena;
      SnapshotRange range;
      const bool any = s_.Snapshot(mint, maxt, &arena, &range);
      EXPECT_EQ(s_.Overlaps(mint, maxt), any) << mint << ".." << maxt;
      std::vector<Timestamp> want_closed, got_closed;
      for (size_t i = 0; i + 1 < chunks.size(); ++i) {
        if (chunks[i].maxt >= mint && chunks[i].mint <= maxt) want_closed.push_back(chunks[i].mint);
      }
      for (const auto& c : arena.chunks) got_closed.push_back(c->mint);
      EXPECT_EQ(got_closed, want_closed) << mint << ".." << maxt;
      const bool want_open = chunks.back().maxt >= mint && chunks.back().mint <= maxt;
      EXPECT_EQ(range.open_size > 0, want_open) << mint << ".." << maxt;
      std::vector<Timestamp> want_ooo, got_ooo;
      for (Timestamp t : {400000, 2000000, 2000001}) {
        if (t >= mint && t <= maxt) want_ooo.push_back(t);
      }
      for (const auto& [t, v] : arena.out_of_order) got_ooo.push_back(t);
      EXPECT_EQ(got_ooo, want_ooo) << mint << ".." << maxt;
      EXPECT_EQ(any, !want_closed.empty() || want_open || !want_ooo.empty());
    }
  }
}

// A snapshot starting inside the newest closed chunk or the open one starts at their last
// checkpoint at or before its start; an older chunk and a start before the first checkpoint
// have none. The open chunk's copy is then only its tail.
TEST_F(SeriesTest, SnapshotResumesTheFirstChunkFromACheckpoint) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (int i = 0; i < 300; ++i) Append(15000 * i, i);  // 120 + 120 + 60 (open)
  absl::MutexLock lock(&s_.mu());
  auto snapshot = [&](int first_sample) {
    SnapshotArena arena;
    SnapshotRange range;
    EXPECT_TRUE(s_.Snapshot(15000 * first_sample, INT64_MAX, &arena, &range));
    return std::pair(range, arena.open_bytes.size());
  };
  EXPECT_EQ(snapshot(100).first.resume_read, 0);  // the oldest chunk
  EXPECT_EQ(snapshot(120 + 30).first.resume_read, 0);
  auto [closed, closed_open_size] = snapshot(120 + 100);
  EXPECT_EQ(closed.resume_read, 96);
  EXPECT_EQ(closed.resume_total, 120);
  EXPECT_EQ(closed.resume.t, 15000 * (120 + 95));
  auto [open, open_size] = snapshot(240 + 40);
  EXPECT_EQ(open.resume_read, 32);
  EXPECT_EQ(open.resume_total, 60);
  EXPECT_LT(open_size, closed_open_size);
  EXPECT_EQ(snapshot(240 + 30).first.resume_read, 0);
  EXPECT_EQ(snapshot(240 + 31).first.resume_read, 32);  // the checkpoint's own sample
  // A restored chunk gets the checkpoints XorChunk took, at the first snapshot that can use them.
  XorChunk chunk;
  for (int i = 0; i < 120; ++i) chunk.Append(15000 * i, i * 0.5);
  const XorCheckpoint want = chunk.checkpoints()[2];
  MemSeries restored(2, Labels{{"a", "c"}});
  absl::MutexLock restored_lock(&restored.mu());
  restored.AttachChunks(
      {std::make_shared<const ClosedChunk>(0, 15000 * 119, 120, std::string(chunk.bytes()))});
  SnapshotArena arena;
  SnapshotRange range;
  ASSERT_TRUE(restored.Snapshot(0, INT64_MAX, &arena, &range));
  EXPECT_EQ(range.resume_read, 0);
  ASSERT_TRUE(restored.Snapshot(15000 * 100, INT64_MAX, &arena, &range));
  EXPECT_EQ(range.resume_read, 96);
  EXPECT_EQ(range.resume.t, want.t);
  EXPECT_EQ(range.resume.v, want.v);
  EXPECT_EQ(range.resume.t_delta, want.t_delta);
  EXPECT_EQ(range.resume.bit_pos, want.bit_pos);
  EXPECT_EQ(range.resume.trailing, want.trailing);
}

// Records what it persists and returns on-"disk" copies numbered from 1.
class RecordingSink : public ChunkSink {
 public:
  std::shared_ptr<const ClosedChunk> Persist(uint64_t series_ref,
                                             const ClosedChunk& chunk) override {
    if (fail) return nullptr;
    persisted.push_back({series_ref, chunk.mint});
    auto owner = std::make_shared<const std::string>(chunk.bytes());
    return std::make_shared<const ClosedChunk>(chunk.mint, chunk.maxt, chunk.num_samples,
                                               std::string_view(*owner), owner, persisted.size());
  }
  bool fail = false;
  std::vector<std::pair<uint64_t, Timestamp>> persisted;
};

TEST_F(SeriesTest, ClosedChunksGoToTheSinkOldestFirstOnceTheSeriesHasARef)
ABSL_NO_THREAD_SAFETY_ANALYSIS {
  RecordingSink sink;
  options_.sink = &sink;
  for (int i = 0; i < 240; ++i) Append(i * 15000);  // one closed chunk, no ref yet
  EXPECT_TRUE(sink.persisted.empty());
  {
    absl::MutexLock lock(&s_.mu());
    s_.set_chunk_series_ref(42);
  }
  sink.fail = true;
  for (int i = 240; i < 360; ++i) Append(i * 15000);  // second closed chunk: the sink fails
  EXPECT_TRUE(sink.persisted.empty());
  sink.fail = false;
  for (int i = 360; i < 480; ++i) Append(i * 15000);  // third: all three go, in order
  ASSERT_EQ(sink.persisted.size(), 3u);
  EXPECT_EQ(sink.persisted[0], (std::pair<uint64_t, Timestamp>{42, 0}));
  EXPECT_EQ(sink.persisted[1].second, 120 * 15000);
  EXPECT_EQ(sink.persisted[2].second, 240 * 15000);
  EXPECT_EQ(SampleCounts(Chunks()), (std::vector<int>{120, 120, 120, 120}));
}

TEST_F(SeriesTest, AttachedChunksRestoreTheNewestSample) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  XorChunk c;
  for (int i = 0; i < 120; ++i) c.Append(i * 15000, i * 0.5);
  absl::MutexLock lock(&s_.mu());
  s_.AttachChunks(
      {std::make_shared<const ClosedChunk>(0, 119 * 15000, 120, std::string(c.bytes()))});
  EXPECT_EQ(s_.max_time(), 119 * 15000);
  // The last value is read back from the chunk: equal is ignored, different is a duplicate.
  EXPECT_EQ(*s_.Appendable(119 * 15000, 59.5, INT64_MIN, INT64_MAX, false),
            MemSeries::Placement::kIgnore);
  EXPECT_TRUE(
      IsDuplicateSample(s_.Appendable(119 * 15000, 1, INT64_MIN, INT64_MAX, false).status()));
  EXPECT_TRUE(IsOutOfOrder(s_.Appendable(1000, 1, INT64_MIN, INT64_MAX, false).status()));
  s_.AppendInOrder(120 * 15000, 60, options_);
  EXPECT_EQ(SampleCounts(s_.InOrderChunks()), (std::vector<int>{120, 1}));
}

}  // namespace
}  // namespace sundial::tsdb
