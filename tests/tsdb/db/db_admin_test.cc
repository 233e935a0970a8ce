// DB::Delete, DB::CleanTombstones and DB::Snapshot: deletions in the head and in blocks hide
// the data from every query, survive a restart (WAL replay, checkpoint) and are dropped from
// disk by compaction and by CleanTombstones; snapshots open as data directories, with our DB and
// with promtool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/str_cat.h"
#include "integration/process.h"
#include "testing/temp_dir.h"
#include "tsdb/block/meta.h"
#include "tsdb/db/db.h"
#include "tsdb/db/db_test_util.h"

namespace sundial::tsdb {
namespace {

using ::testing::HasSubstr;

constexpr char kDir[] = "/data";
constexpr int kSeries = 4;

Labels Series(int i) { return Labels{{"__name__", "m"}, {"i", StrCat(i)}}; }

double Value(int i, Timestamp t) { return i * 1000.5 + static_cast<double>(t) / 7; }

void CommitRange(DB& db, Timestamp from, Timestamp to) {
  for (Timestamp t = from; t <= to; ++t) {
    std::unique_ptr<Appender> app = db.NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      ASSERT_TRUE(app->Append(0, Series(i), t, Value(i, t)).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

// Every series over [from, to], less the deleted [lo, hi] of the series in `deleted`.
struct Deletion {
  int series;
  Timestamp lo, hi;
};
Dump Expected(Timestamp from, Timestamp to, const std::vector<Deletion>& deleted = {}) {
  Dump out;
  for (int i = 0; i < kSeries; ++i) {
    std::vector<TestSample> samples;
    for (Timestamp t = from; t <= to; ++t) {
      bool gone = std::any_of(deleted.begin(), deleted.end(), [&](const Deletion& d) {
        return d.series == i && t >= d.lo && t <= d.hi;
      });
      if (!gone) samples.push_back({t, Value(i, t)});
    }
    if (!samples.empty()) out[Series(i).ToString()] = std::move(samples);
  }
  return out;
}

std::unique_ptr<DB> MustOpen(FileSystem* fs, DbOptions options, std::string dir = kDir) {
  options.dir = std::move(dir);
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, fs);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

Dump MustRead(DB& db) {
  absl::StatusOr<Dump> dump = ReadAll(db);
  EXPECT_TRUE(dump.ok()) << dump.status();
  return dump.ok() ? *dump : Dump{};
}

std::vector<Matcher> Eq(std::string_view name, std::string_view value) {
  return {*Matcher::Create(MatchType::kEqual, std::string(name), std::string(value))};
}

// 100ms blocks, level compaction off unless asked for.
DbOptions SmallBlocks(int64_t max_block = 100) {
  DbOptions o;
  o.block_range_ms = 100;
  o.max_block_duration_ms = max_block;
  return o;
}

uint64_t TotalSamples(const DB& db) {
  uint64_t n = 0;
  for (const block::BlockMeta& m : db.Blocks()) n += m.stats.num_samples;
  return n;
}

uint64_t TotalTombstones(const DB& db) {
  uint64_t n = 0;
  for (const block::BlockMeta& m : db.Blocks()) n += m.stats.num_tombstones;
  return n;
}

TEST(DbDelete, HeadDeletionHidesSamplesAndSurvivesRestart) {
  MemFileSystem fs;
  {
    std::unique_ptr<DB> db = MustOpen(&fs, DbOptions{});
    CommitRange(*db, 0, 299);
    ASSERT_TRUE(db->Delete(100, 199, Eq("i", "1")).ok());
    // Beyond the data: clamped, deletes what there is.
    ASSERT_TRUE(db->Delete(250, 10'000, Eq("i", "2")).ok());
    // The whole series.
    ASSERT_TRUE(db->Delete(INT64_MIN, INT64_MAX, Eq("i", "3")).ok());
    // Nothing matches: no error, nothing changes.
    ASSERT_TRUE(db->Delete(0, 10, Eq("i", "nope")).ok());
    EXPECT_EQ(db->NumHeadTombstones(), 3u);
    const Dump want = Expected(0, 299, {{1, 100, 199}, {2, 250, 299}, {3, 0, 299}});
    EXPECT_EQ(MustRead(*db), want);
    // A sub-range query and Seek see the same.
    absl::StatusOr<std::unique_ptr<Querier>> q = db->NewQuerier(150, 210);
    ASSERT_TRUE(q.ok());
    std::vector<Matcher> m = Eq("i", "1");
    std::unique_ptr<SeriesSet> set = (*q)->Select(SelectHints{}, m);
    ASSERT_TRUE(set->Next());
    std::unique_ptr<SampleIterator> it = set->At().Iterator();
    ASSERT_EQ(it->Seek(120), ValueType::kFloat);
    EXPECT_EQ(it->AtT(), 200);
    // Samples appended after a deletion, past the deleted range, are visible.
    CommitRange(*db, 300, 309);
    EXPECT_EQ(MustRead(*db), Expected(0, 309, {{1, 100, 199}, {2, 250, 299}, {3, 0, 299}}));
  }
  // Replay restores the deletions from the WAL's tombstone records.
  std::unique_ptr<DB> db = MustOpen(&fs, DbOptions{});
  EXPECT_EQ(db->NumHeadTombstones(), 3u);
  EXPECT_EQ(MustRead(*db), Expected(0, 309, {{1, 100, 199}, {2, 250, 299}, {3, 0, 299}}));
}

TEST(DbDelete, CheckpointKeepsDeletionsWhileTheirDataIsInTheHead) {
  MemFileSystem fs;
  DbOptions options;
  options.wal_segment_size = 32 * 1024;  // several segments, so the checkpoint covers some
  {
    std::unique_ptr<DB> db = MustOpen(&fs, options);
    CommitRange(*db, 0, 999);
    ASSERT_TRUE(db->Delete(100, 199, Eq("i", "0")).ok());
    ASSERT_TRUE(db->Delete(500, 599, Eq("i", "1")).ok());
    CommitRange(*db, 1000, 1099);
    // The first deletion ends before 300: dropped; the second is kept in the checkpoint.
    ASSERT_TRUE(db->Truncate(300).ok());
    EXPECT_EQ(db->NumHeadTombstones(), 1u);
    EXPECT_EQ(MustRead(*db), Expected(300, 1099, {{1, 500, 599}}));
  }
  std::unique_ptr<DB> db = MustOpen(&fs, options);
  EXPECT_EQ(db->NumHeadTombstones(), 1u);
  EXPECT_EQ(MustRead(*db), Expected(300, 1099, {{1, 500, 599}}));
}

TEST(DbDelete, HeadCompactionLeavesDeletedSamplesOut) {
  MemFileSystem fs;
  std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks());
  CommitRange(*db, 0, 499);
  ASSERT_TRUE(db->Delete(50, 249, Eq("i", "2")).ok());
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_FALSE(db->Blocks().empty());
  // Blocks [0,100) .. [200,300) lost 50 + 100 + 50 samples of series 2; none has tombstones.
  Timestamp blocks_end = 0;
  for (const block::BlockMeta& m : db->Blocks()) blocks_end = std::max(blocks_end, m.max_time);
  EXPECT_EQ(TotalSamples(*db), static_cast<uint64_t>(kSeries * blocks_end - 200));
  EXPECT_EQ(TotalTombstones(*db), 0u);
  const Dump want = Expected(0, 499, {{2, 50, 249}});
  EXPECT_EQ(MustRead(*db), want);
  ASSERT_TRUE(db->Close().ok());
  db = MustOpen(&fs, SmallBlocks());
  EXPECT_EQ(MustRead(*db), want);
}

TEST(DbDelete, BlockDeletionWritesTombstonesAndCleanTombstonesRewrites) {
  MemFileSystem fs;
  std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks());
  CommitRange(*db, 0, 499);
  ASSERT_TRUE(db->Compact().ok());
  std::vector<block::BlockMeta> before = db->Blocks();
  ASSERT_GE(before.size(), 3u);
  const uint64_t samples_before = TotalSamples(*db);

  // Across blocks [0,100), [100,200) and the head (which starts at the last block's end).
  const Timestamp head_start = before.back().max_time;
  ASSERT_TRUE(db->Delete(150, head_start + 20, Eq("i", "1")).ok());
  // A whole block's data of every series: [0, 100).
  std::vector<Matcher> all = {*Matcher::Create(MatchType::kRegexp, "i", ".+")};
  ASSERT_TRUE(db->Delete(0, 99, all).ok());
  const Dump want =
      Expected(0, 499, {{1, 150, head_start + 20}, {0, 0, 99}, {1, 0, 99}, {2, 0, 99}, {3, 0, 99}});
  EXPECT_EQ(MustRead(*db), want);
  EXPECT_GT(TotalTombstones(*db), 0u);
  EXPECT_EQ(TotalSamples(*db), samples_before);  // still on disk
  EXPECT_EQ(db->NumHeadTombstones(), 1u);

  // Reopened: the tombstones files were written.
  ASSERT_TRUE(db->Close().ok());
  db = MustOpen(&fs, SmallBlocks());
  EXPECT_EQ(MustRead(*db), want);

  ASSERT_TRUE(db->CleanTombstones().ok());
  EXPECT_EQ(TotalTombstones(*db), 0u);
  std::vector<block::BlockMeta> after = db->Blocks();
  // [0,100) had nothing left and is gone; the others with tombstones were rewritten.
  EXPECT_EQ(after.size(), before.size() - 1);
  EXPECT_EQ(after.front().min_time, 100);
  for (const block::BlockMeta& m : after) {
    if (m.min_time == 100) {
      EXPECT_EQ(m.stats.num_samples, static_cast<uint64_t>(kSeries * 100 - 50));
      EXPECT_EQ(m.compaction.level, 1);
      EXPECT_EQ(m.compaction.sources, std::vector<std::string>{m.ulid});
      ASSERT_EQ(m.compaction.parents.size(), 1u);
      EXPECT_EQ(m.compaction.parents[0].ulid, before[1].ulid);
    }
  }
  EXPECT_EQ(MustRead(*db), want);
  std::vector<std::string> entries = *fs.List(kDir);
  for (const block::BlockMeta& m : before) {
    EXPECT_EQ(std::count(entries.begin(), entries.end(), m.ulid), 0) << m.ulid;
  }
  ASSERT_TRUE(db->Close().ok());
  db = MustOpen(&fs, SmallBlocks());
  EXPECT_EQ(MustRead(*db), want);
}

TEST(DbDelete, LevelCompactionDropsDeletedData) {
  MemFileSystem fs;
  std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks(/*max_block=*/100));
  CommitRange(*db, 0, 999);
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_TRUE(db->Delete(10, 189, Eq("i", "0")).ok());
  ASSERT_TRUE(db->Close().ok());
  // Level compaction on: the 100ms blocks merge into a 300ms one without the deleted samples.
  db = MustOpen(&fs, SmallBlocks(/*max_block=*/300));
  ASSERT_TRUE(db->Compact().ok());
  EXPECT_EQ(TotalTombstones(*db), 0u);
  bool merged = false;
  for (const block::BlockMeta& m : db->Blocks()) {
    if (m.min_time == 0 && m.max_time == 300) {
      merged = true;
      EXPECT_EQ(m.stats.num_samples, static_cast<uint64_t>(kSeries * 300 - 180));
    }
  }
  EXPECT_TRUE(merged);
  EXPECT_EQ(MustRead(*db), Expected(0, 999, {{0, 10, 189}}));
}

TEST(DbDelete, InterruptedCleanTombstonesLeavesTheParentForStartupToDelete) {
  MemFileSystem fs;
  bool fail_deletes = false;
  fs.SetFaultHook([&fail_deletes](MemFileSystem::Op op, const std::string& path) {
    const std::string name = path.substr(path.rfind('/') + 1);
    if (fail_deletes && op == MemFileSystem::Op::kRename && block::IsValidUlid(name)) {
      return absl::UnavailableError("injected");
    }
    return absl::OkStatus();
  });
  const Dump want = Expected(0, 299, {{3, 20, 79}});
  {
    std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks());
    CommitRange(*db, 0, 299);
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_TRUE(db->Delete(20, 79, Eq("i", "3")).ok());
    fail_deletes = true;
    // The new block is written; deleting the old one fails.
    EXPECT_FALSE(db->CleanTombstones().ok());
    EXPECT_EQ(MustRead(*db), want);
  }
  fail_deletes = false;
  std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks());
  EXPECT_EQ(TotalTombstones(*db), 0u);
  EXPECT_EQ(db->Blocks().front().compaction.parents.size(), 1u);
  EXPECT_EQ(MustRead(*db), want);
}

TEST(DbSnapshot, BlocksAndHeadOpenAsADataDirectory) {
  MemFileSystem fs;
  std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks());
  CommitRange(*db, 0, 349);
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_TRUE(db->Delete(300, 309, Eq("i", "0")).ok());
  const size_t blocks = db->Blocks().size();
  ASSERT_GE(blocks, 1u);

  EXPECT_FALSE(db->Snapshot(kDir, true).ok());
  ASSERT_TRUE(db->Snapshot("/snap/with_head", true).ok());
  ASSERT_TRUE(db->Snapshot("/snap/without_head", false).ok());
  EXPECT_EQ(fs.List("/snap/with_head")->size(), blocks + 1);
  EXPECT_EQ(fs.List("/snap/without_head")->size(), blocks);

  // The snapshot is a copy: later writes and deletions do not reach it.
  CommitRange(*db, 350, 359);
  ASSERT_TRUE(db->Delete(0, 10, Eq("i", "1")).ok());

  std::unique_ptr<DB> with_head = MustOpen(&fs, SmallBlocks(), "/snap/with_head");
  EXPECT_EQ(with_head->Blocks().size(), blocks + 1);
  EXPECT_EQ(MustRead(*with_head), Expected(0, 349, {{0, 300, 309}}));
  std::unique_ptr<DB> without_head = MustOpen(&fs, SmallBlocks(), "/snap/without_head");
  const Timestamp blocks_end = without_head->Blocks().back().max_time;
  EXPECT_EQ(MustRead(*without_head), Expected(0, blocks_end - 1));
}

// On the real file system: block files are hard links, and promtool lists the snapshot.
TEST(DbSnapshot, HardLinksAndPromtoolReadsIt) {
  const sundial::testing::TempDir tmp;
  const std::string& root = tmp.path();
  ASSERT_FALSE(root.empty());
  const std::string data = JoinPath(root, "data");
  const std::string snap = JoinPath(root, "snap");
  {
    std::unique_ptr<DB> db = MustOpen(FileSystem::Default(), SmallBlocks(), data);
    CommitRange(*db, 0, 249);
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_TRUE(db->Snapshot(snap, true).ok());
    const block::BlockMeta first = db->Blocks().front();
    struct stat st;
    ASSERT_EQ(::stat(JoinPath(JoinPath(snap, first.ulid), "index").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 2u);
    ASSERT_EQ(::stat(JoinPath(JoinPath(snap, first.ulid), "chunks/000001").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 2u);

    if (access("/usr/bin/promtool", X_OK) == 0) {
      sundial::testing::RunResult list =
          sundial::testing::RunToCompletion({"/usr/bin/promtool", "tsdb", "list", snap});
      EXPECT_EQ(list.exit_code, 0) << list.err;
      for (const block::BlockMeta& m : db->Blocks()) EXPECT_THAT(list.out, HasSubstr(m.ulid));
    }
  }
  std::unique_ptr<DB> db = MustOpen(FileSystem::Default(), SmallBlocks(), snap);
  EXPECT_EQ(MustRead(*db), Expected(0, 249));
}

}  // namespace
}  // namespace sundial::tsdb
