#include "tsdb/block/block.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/block/block_test_util.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/format.h"
#include "tsdb/block/tombstones.h"

namespace sundial::tsdb::block {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class BlockTest : public testing::Test {
 protected:
  // Writes 10 series x 400 samples (15 s apart) from the head as a block of [0, 2h).
  void WriteTestBlock(BlockWriterOptions options = {}) {
    in_ = Fill(head_, MakeSeries(10, 400));
    absl::StatusOr<std::unique_ptr<Querier>> q = head_.NewQuerier(0, kMaxT - 1);
    ASSERT_TRUE(q.ok());
    absl::StatusOr<BlockMeta> meta = WriteBlock(&fs_, "/data", **q, 0, kMaxT, options);
    ASSERT_TRUE(meta.ok()) << meta.status();
    meta_ = *meta;
    dir_ = JoinPath("/data", meta_.ulid);
  }
  std::shared_ptr<Block> OpenBlock() {
    absl::StatusOr<std::shared_ptr<Block>> b = Block::Open(&fs_, dir_);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : nullptr;
  }

  static constexpr int64_t kMaxT = 2 * 3600 * 1000;
  MemFileSystem fs_;
  Head head_;
  SeriesSamples in_;
  BlockMeta meta_;
  std::string dir_;
  const Matcher all_ = M(MatchType::kRegexp, "__name__", ".+");
};

TEST_F(BlockTest, WriteThenReadEverything) {
  WriteTestBlock();
  EXPECT_EQ(meta_.stats.num_series, 10u);
  EXPECT_EQ(meta_.stats.num_samples, 4000u);
  EXPECT_EQ(meta_.stats.num_chunks, 10u * 4);  // 400 samples: 120,120,120,40
  EXPECT_EQ(meta_.compaction.level, 1);
  EXPECT_THAT(meta_.compaction.sources, ElementsAre(meta_.ulid));
  EXPECT_THAT(*fs_.List("/data"), ElementsAre(meta_.ulid));  // no .tmp-for-creation left
  EXPECT_THAT(*fs_.List(dir_), ElementsAre("chunks", "index", "meta.json", "tombstones"));
  EXPECT_EQ(fs_.Contents(JoinPath(dir_, "tombstones"))->size(), 9u);

  fs_.Crash();  // everything is durable
  std::shared_ptr<Block> b = OpenBlock();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->meta(), meta_);
  absl::StatusOr<std::unique_ptr<Querier>> q = b->NewQuerier(INT64_MIN, INT64_MAX);
  ASSERT_TRUE(q.ok());
  absl::StatusOr<SeriesSamples> got = ReadAll(**q, {&all_, 1});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(SameSamples(*got, in_));
}

TEST_F(BlockTest, RangesHintsAndSeek) {
  WriteTestBlock();
  std::shared_ptr<Block> b = OpenBlock();
  ASSERT_NE(b, nullptr);
  absl::StatusOr<std::unique_ptr<Querier>> q = b->NewQuerier(1'000'000, 2'000'000);
  ASSERT_TRUE(q.ok());
  SelectHints hints;
  hints.start = 1'500'000;
  Matcher m = M(MatchType::kEqual, "instance", "i0");
  absl::StatusOr<SeriesSamples> got = ReadAll(**q, {&m, 1}, hints);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const std::vector<Sample>& s = got->begin()->second;
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.front().first, 1'500'000);
  EXPECT_EQ(s.back().first, 1'995'000);
  EXPECT_EQ(s.size(), (1'995'000 - 1'500'000) / 15000 + 1);

  // Seek across chunks, and never backwards.
  std::unique_ptr<SeriesSet> set = (*q)->Select({}, {&m, 1});
  ASSERT_TRUE(set->Next());
  std::unique_ptr<SampleIterator> it = set->At().Iterator();
  ASSERT_EQ(it->Seek(1'800'001), ValueType::kFloat);
  EXPECT_EQ(it->AtT(), 1'815'000);
  ASSERT_EQ(it->Seek(1'000'000), ValueType::kFloat);
  EXPECT_EQ(it->AtT(), 1'815'000);
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_EQ(it->AtT(), 1'830'000);
  EXPECT_EQ(it->Seek(2'000'001), ValueType::kNone);
  EXPECT_TRUE(it->Err().ok());

  // A range outside the block selects nothing.
  absl::StatusOr<std::unique_ptr<Querier>> outside = b->NewQuerier(kMaxT, kMaxT + 1000);
  ASSERT_TRUE(outside.ok());
  EXPECT_TRUE(ReadAll(**outside, {&all_, 1})->empty());
}

TEST_F(BlockTest, LabelNamesAndValues) {
  WriteTestBlock();
  std::shared_ptr<Block> b = OpenBlock();
  ASSERT_NE(b, nullptr);
  auto q = b->NewQuerier(0, kMaxT);
  ASSERT_TRUE(q.ok());
  EXPECT_THAT(*(*q)->LabelNames({}), ElementsAre("__name__", "instance", "job"));
  EXPECT_THAT(*(*q)->LabelValues("job", {}), ElementsAre("api", "web"));
  Matcher m = M(MatchType::kEqual, "__name__", "metric_1");
  EXPECT_THAT(*(*q)->LabelValues("instance", {&m, 1}), ElementsAre("i1", "i4", "i7"));
  EXPECT_THAT(*(*q)->LabelNames({&m, 1}), ElementsAre("__name__", "instance", "job"));
}

TEST_F(BlockTest, TombstonesHideSamples) {
  WriteTestBlock();
  std::shared_ptr<Block> b = OpenBlock();
  ASSERT_NE(b, nullptr);
  Matcher m = M(MatchType::kEqual, "instance", "i0");
  absl::StatusOr<Postings> ids = b->index().PostingsForMatchers({&m, 1});
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 1u);
  Tombstones t;
  t.Add((*ids)[0], {0, 60'000});         // first 5 samples
  t.Add((*ids)[0], {3'000'000, kMaxT});  // everything from 3000 s on
  Matcher m2 = M(MatchType::kEqual, "instance", "i2");
  absl::StatusOr<Postings> ids2 = b->index().PostingsForMatchers({&m2, 1});
  t.Add((*ids2)[0], {INT64_MIN, INT64_MAX});  // the whole series
  ASSERT_TRUE(WriteTombstones(&fs_, dir_, t).ok());
  b = OpenBlock();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->tombstones().NumIntervals(), 3u);
  auto q = b->NewQuerier(INT64_MIN, INT64_MAX);
  ASSERT_TRUE(q.ok());
  absl::StatusOr<SeriesSamples> got = ReadAll(**q, {&all_, 1});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 9u);
  const std::vector<Sample>& s = (*got)[R"({__name__="metric_0", instance="i0", job="api"})"];
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.front().first, 75'000);
  EXPECT_EQ(s.back().first, 2'985'000);
}

TEST(TombstonesTest, EncodingRoundTripAndMerge) {
  Tombstones t;
  EXPECT_EQ(EncodeTombstones(t), std::string("\x01\x30\xBA\x30\x01\x00\x00\x00\x00", 9));
  t.Add(5, {10, 20});
  t.Add(5, {21, 30});  // adjacent: merged
  t.Add(5, {100, 200});
  t.Add(1, {-5, 5});
  EXPECT_THAT(t.Get(5), ElementsAre(Interval{10, 30}, Interval{100, 200}));
  EXPECT_EQ(t.NumIntervals(), 3u);
  std::string enc = EncodeTombstones(t);
  absl::StatusOr<Tombstones> back = DecodeTombstones(enc, "ts");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, t);
  for (size_t i = 0; i < enc.size(); ++i) {
    std::string bad = enc;
    bad[i] ^= 0x11;
    if (i == 4) continue;  // the version byte is outside the CRC but checked on its own
    EXPECT_FALSE(DecodeTombstones(bad, "ts").ok()) << i;
  }
  for (size_t n = 0; n < enc.size(); ++n)
    EXPECT_FALSE(DecodeTombstones(enc.substr(0, n), "ts").ok());
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/b").ok());
  EXPECT_TRUE(ReadTombstones(&fs, "/b")->empty());  // missing file: none
}

TEST_F(BlockTest, EmptyRangeWritesNothing) {
  Fill(head_, MakeSeries(2, 10));
  auto q = head_.NewQuerier(INT64_MIN, INT64_MAX);
  ASSERT_TRUE(q.ok());
  absl::StatusOr<BlockMeta> meta = WriteBlock(&fs_, "/data", **q, kMaxT, 2 * kMaxT);
  ASSERT_TRUE(meta.ok());
  EXPECT_TRUE(meta->ulid.empty());
  EXPECT_FALSE(*fs_.Exists("/data") && !fs_.List("/data")->empty());

  BlockWriterOptions options;
  options.write_empty = true;
  meta = WriteBlock(&fs_, "/data", **q, kMaxT, 2 * kMaxT, options);
  ASSERT_TRUE(meta.ok());
  ASSERT_FALSE(meta->ulid.empty());
  absl::StatusOr<std::shared_ptr<Block>> b = Block::Open(&fs_, JoinPath("/data", meta->ulid));
  ASSERT_TRUE(b.ok()) << b.status();
  auto bq = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(ReadAll(**bq, {&all_, 1})->empty());
}

// Each file of a block, truncated or with a byte flipped at a few places: Open fails with an
// error naming the file, or reading everything fails, or (bytes nobody checks: padding, unused
// sections) the data reads back unchanged. Never a crash, never wrong samples.
TEST_F(BlockTest, CorruptFilesAreReportedCleanly) {
  WriteTestBlock();
  std::vector<std::string> files = {"meta.json", "index", "chunks/000001", "tombstones"};
  for (const std::string& name : files) {
    std::string path = JoinPath(dir_, name);
    std::string good = *fs_.Contents(path);
    std::vector<std::string> variants;
    for (size_t n : {size_t{0}, size_t{3}, good.size() / 2, good.size() - 1}) {
      variants.push_back(good.substr(0, n));
    }
    for (size_t step = 1; step < 40; ++step) {
      size_t at = good.size() * step / 40;
      std::string bad = good;
      bad[at] ^= 0x40;
      variants.push_back(bad);
    }
    int errors = 0;
    for (size_t v = 0; v < variants.size(); ++v) {
      ASSERT_TRUE(fs_.SetContents(path, variants[v]).ok());
      absl::StatusOr<std::shared_ptr<Block>> b = Block::Open(&fs_, dir_);
      if (!b.ok()) {
        ++errors;
        EXPECT_THAT(std::string(b.status().message()), HasSubstr(name)) << v << b.status();
        continue;
      }
      auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
      ASSERT_TRUE(q.ok());
      absl::StatusOr<SeriesSamples> got = ReadAll(**q, {&all_, 1});
      if (!got.ok()) {
        ++errors;
        EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
        continue;
      }
      // meta.json has no checksum: a flipped digit changes the block's range, which then
      // legitimately changes what is returned. Every other file must read back unchanged.
      if (name != "meta.json") {
        EXPECT_TRUE(SameSamples(*got, in_)) << name << " variant " << v;
      }
    }
    EXPECT_GE(errors, 4) << name;  // at least every truncation
    ASSERT_TRUE(fs_.SetContents(path, good).ok());
  }
  ASSERT_TRUE(fs_.Remove(JoinPath(dir_, "index")).ok());
  absl::StatusOr<std::shared_ptr<Block>> b = Block::Open(&fs_, dir_);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("index"));
}

// A crash at any file-system operation while writing leaves either no block or a complete
// one (plus perhaps a .tmp-for-creation dir), never a half-written <ULID> dir.
TEST(BlockCrashTest, CrashAtEveryStepLeavesNoPartialBlock) {
  Head head;
  SeriesSamples in = Fill(head, MakeSeries(4, 300));
  const Matcher all = M(MatchType::kRegexp, "__name__", ".+");
  int fail_at = 1;
  for (;; ++fail_at) {
    MemFileSystem fs;
    fs.set_strict_directory_sync(true);
    ASSERT_TRUE(fs.CreateDirs("/data").ok());
    ASSERT_TRUE(fs.SyncDir("/").ok());
    int ops = 0;
    fs.SetFaultHook([&](MemFileSystem::Op, const std::string&) {
      return ++ops == fail_at ? absl::UnavailableError("injected") : absl::OkStatus();
    });
    auto q = head.NewQuerier(INT64_MIN, INT64_MAX);
    ASSERT_TRUE(q.ok());
    BlockWriterOptions options;
    options.segment_size = 2000;  // several segments
    absl::StatusOr<BlockMeta> meta = WriteBlock(&fs, "/data", **q, 0, 7'200'000, options);
    fs.SetFaultHook(nullptr);
    fs.Crash();
    std::vector<std::string> entries = *fs.List("/data");
    int blocks = 0;
    for (const std::string& e : entries) {
      if (e.ends_with(kTmpForCreationSuffix)) continue;
      ++blocks;
      absl::StatusOr<std::shared_ptr<Block>> b = Block::Open(&fs, JoinPath("/data", e));
      ASSERT_TRUE(b.ok()) << "fail_at " << fail_at << ": " << b.status();
      auto bq = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
      absl::StatusOr<SeriesSamples> got = ReadAll(**bq, {&all, 1});
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_TRUE(SameSamples(*got, in)) << "fail_at " << fail_at;
    }
    if (meta.ok()) {
      EXPECT_EQ(blocks, 1) << "fail_at " << fail_at;
      if (ops < fail_at) break;  // the hook never fired: every step was covered
    }
    ASSERT_LT(fail_at, 500);
  }
  // Segments, index, tombstones, meta, renames and syncs: many steps were each made to fail.
  EXPECT_GT(fail_at, 20);
}

}  // namespace
}  // namespace sundial::tsdb::block
