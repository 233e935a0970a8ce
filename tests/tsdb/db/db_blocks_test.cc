// DB with blocks: head compaction, level compaction, retention, startup clean-up, and that data
// written before any of these is still all readable after them and across a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/meta.h"
#include "tsdb/db/db.h"
#include "tsdb/db/db_test_util.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kDir[] = "/data";
constexpr int kSeries = 4;

Labels Series(int i) { return Labels{{"__name__", "m"}, {"i", StrCat(i)}}; }

double Value(int i, Timestamp t) { return i * 1000.5 + static_cast<double>(t) / 7; }

void CommitRange(DB& db, Timestamp from, Timestamp to, Timestamp step = 1) {
  for (Timestamp t = from; t <= to; t += step) {
    std::unique_ptr<Appender> app = db.NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      ASSERT_TRUE(app->Append(0, Series(i), t, Value(i, t)).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

Dump Expected(Timestamp from, Timestamp to, Timestamp step = 1) {
  Dump out;
  for (int i = 0; i < kSeries; ++i) {
    for (Timestamp t = from; t <= to; t += step) {
      out[Series(i).ToString()].push_back({t, Value(i, t)});
    }
  }
  return out;
}

std::unique_ptr<DB> MustOpen(FileSystem* fs, DbOptions options) {
  options.dir = kDir;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, fs);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

Dump MustRead(DB& db) {
  absl::StatusOr<Dump> dump = ReadAll(db);
  EXPECT_TRUE(dump.ok()) << dump.status();
  return dump.ok() ? *dump : Dump{};
}

std::vector<std::string> Ulids(const DB& db) {
  std::vector<std::string> out;
  for (const block::BlockMeta& m : db.Blocks()) out.push_back(m.ulid);
  return out;
}

// Block dirs and anything else in the data dir but the WAL and the lock.
std::vector<std::string> DataDirEntries(MemFileSystem& fs) {
  std::vector<std::string> out;
  absl::StatusOr<std::vector<std::string>> names = fs.List(kDir);
  if (!names.ok()) return out;
  for (const std::string& name : *names) {
    if (name != "wal" && name != "lock") out.push_back(name);
  }
  return out;
}

// Small ranges so that a few thousand samples make several blocks: 100ms blocks, levels
// 100, 300, 900, 2700.
DbOptions SmallBlocks() {
  DbOptions o;
  o.block_range_ms = 100;
  o.max_block_duration_ms = 2700;
  return o;
}

TEST(DbBlocks, RangesFollowTheOptions) {
  MemFileSystem fs;
  EXPECT_THAT(MustOpen(&fs, SmallBlocks())->compaction_ranges(),
              ::testing::ElementsAre(100, 300, 900, 2700));
  DbOptions defaults;  // 2h blocks, max 10% of 15d
  EXPECT_THAT(MustOpen(&fs, defaults)->compaction_ranges(),
              ::testing::ElementsAre(7'200'000, 21'600'000, 64'800'000));
  DbOptions bad = SmallBlocks();
  bad.block_range_ms = 0;
  bad.dir = kDir;
  EXPECT_FALSE(DB::Open(bad, &fs).ok());
}

TEST(DbBlocks, HeadCompactionWritesBlocksAndKeepsEverything) {
  MemFileSystem fs;
  DbOptions options = SmallBlocks();
  options.max_block_duration_ms = options.block_range_ms;  // level compaction off
  {
    std::unique_ptr<DB> db = MustOpen(&fs, options);
    CommitRange(*db, 0, 999);
    ASSERT_TRUE(db->Compact().ok());
    // The head spans at most 1.5 ranges after it; everything before is in 100ms blocks.
    EXPECT_LE(db->head().MaxTime() - db->head().MinTime(), 150);
    std::vector<block::BlockMeta> blocks = db->Blocks();
    ASSERT_EQ(blocks.size(), 9u);
    for (size_t i = 0; i < blocks.size(); ++i) {
      EXPECT_EQ(blocks[i].min_time, static_cast<int64_t>(i) * 100);
      EXPECT_EQ(blocks[i].max_time, static_cast<int64_t>(i) * 100 + 100);
      EXPECT_EQ(blocks[i].compaction.level, 1);
      EXPECT_EQ(blocks[i].stats.num_series, static_cast<uint64_t>(kSeries));
      EXPECT_EQ(blocks[i].stats.num_samples, static_cast<uint64_t>(kSeries) * 100);
    }
    EXPECT_EQ(MustRead(*db), Expected(0, 999));
    // Sub-ranges cross the block / head boundary.
    absl::StatusOr<std::unique_ptr<Querier>> q = db->NewQuerier(850, 950);
    ASSERT_TRUE(q.ok());
    CommitRange(*db, 1000, 1099);
  }
  std::unique_ptr<DB> db = MustOpen(&fs, options);
  EXPECT_EQ(db->Blocks().size(), 9u);
  EXPECT_EQ(MustRead(*db), Expected(0, 1099));
}

TEST(DbBlocks, LevelCompactionMergesBlocksAndKeepsEverything) {
  MemFileSystem fs;
  metrics::Registry registry;
  DbOptions options = SmallBlocks();
  options.registry = &registry;
  std::unique_ptr<DB> db = MustOpen(&fs, options);
  for (Timestamp from = 0; from < 3000; from += 500) {
    CommitRange(*db, from, from + 499);
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_EQ(MustRead(*db), Expected(0, from + 499));
  }
  std::vector<block::BlockMeta> blocks = db->Blocks();
  int max_level = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    max_level = std::max(max_level, blocks[i].compaction.level);
    if (i > 0) {
      EXPECT_LE(blocks[i - 1].max_time, blocks[i].min_time) << "blocks overlap";
    }
    EXPECT_LE(blocks[i].max_time - blocks[i].min_time, 2700);
  }
  EXPECT_GE(max_level, 3);  // 100 -> 300 -> 900
  EXPECT_LT(blocks.size(), 10u);
  // Only the open blocks are on disk: parents were deleted.
  std::vector<std::string> ulids = Ulids(*db);
  std::vector<std::string> dirs = DataDirEntries(fs);
  std::sort(ulids.begin(), ulids.end());
  EXPECT_EQ(dirs, ulids);
  EXPECT_THAT(registry.Expose(),
              HasSubstr(StrCat("prometheus_tsdb_blocks_loaded ", blocks.size())));
  EXPECT_THAT(registry.Expose(), Not(HasSubstr("prometheus_tsdb_compactions_total 0\n")));

  db.reset();
  db = MustOpen(&fs, SmallBlocks());
  EXPECT_EQ(MustRead(*db), Expected(0, 2999));
}

TEST(DbBlocks, TimeRetentionDeletesOldBlocks) {
  MemFileSystem fs;
  DbOptions options = SmallBlocks();
  options.max_block_duration_ms = options.block_range_ms;
  options.retention_ms = 300;
  std::unique_ptr<DB> db = MustOpen(&fs, options);
  CommitRange(*db, 0, 1999);
  ASSERT_TRUE(db->Compact().ok());
  std::vector<block::BlockMeta> blocks = db->Blocks();
  ASSERT_FALSE(blocks.empty());
  // Kept: blocks ending no more than 300 before the newest block's end.
  EXPECT_EQ(blocks.back().max_time - blocks.front().max_time, 300);
  EXPECT_EQ(MustRead(*db), Expected(blocks.front().min_time, 1999));
  EXPECT_EQ(DataDirEntries(fs).size(), blocks.size());
}

TEST(DbBlocks, SizeRetentionDeletesOldestBlocks) {
  MemFileSystem fs;
  DbOptions options = SmallBlocks();
  options.max_block_duration_ms = options.block_range_ms;
  std::unique_ptr<DB> db = MustOpen(&fs, options);
  CommitRange(*db, 0, 999);
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_EQ(db->Blocks().size(), 9u);
  db.reset();

  // A limit that the WAL alone exceeds: every block goes, the head stays.
  options.retention_size_bytes = 1;
  db = MustOpen(&fs, options);
  EXPECT_THAT(db->Blocks(), IsEmpty());
  EXPECT_THAT(DataDirEntries(fs), IsEmpty());
  Dump dump = MustRead(*db);
  ASSERT_FALSE(dump.empty());
  EXPECT_EQ(dump.begin()->second.back().t, 999);
}

TEST(DbBlocks, StartupRemovesLeftoversAndSkipsBadBlocks) {
  MemFileSystem fs;
  DbOptions options = SmallBlocks();
  options.max_block_duration_ms = options.block_range_ms;
  {
    std::unique_ptr<DB> db = MustOpen(&fs, options);
    CommitRange(*db, 0, 399);
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_EQ(db->Blocks().size(), 3u);  // [0, 100), [100, 200), [200, 300)
  }
  const std::string leftover = StrCat(kDir, "/01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp-for-creation");
  ASSERT_TRUE(fs.CreateDirs(leftover).ok());
  ASSERT_TRUE(fs.WriteFileAtomic(JoinPath(leftover, "meta.json"), "{").ok());
  ASSERT_TRUE(fs.CreateDirs(StrCat(kDir, "/01ARZ3NDEKTSV4RRFFQ69G5FAW.tmp-for-deletion/x")).ok());
  const std::string bad = StrCat(kDir, "/01ARZ3NDEKTSV4RRFFQ69G5FAX");
  ASSERT_TRUE(fs.CreateDirs(bad).ok());
  ASSERT_TRUE(fs.WriteFileAtomic(JoinPath(bad, "meta.json"), "not json").ok());

  std::unique_ptr<DB> db = MustOpen(&fs, options);
  EXPECT_EQ(db->Blocks().size(), 3u);
  EXPECT_FALSE(*fs.Exists(leftover));
  EXPECT_FALSE(*fs.Exists(StrCat(kDir, "/01ARZ3NDEKTSV4RRFFQ69G5FAW.tmp-for-deletion")));
  EXPECT_TRUE(*fs.Exists(bad));  // left for the operator to look at
  EXPECT_EQ(MustRead(*db), Expected(0, 399));
}

TEST(DbBlocks, ParentsLeftByAnInterruptedCompactionAreDeletedAtStartup) {
  MemFileSystem fs;
  bool fail_deletes = true;
  fs.SetFaultHook([&fail_deletes](MemFileSystem::Op op, const std::string& path) {
    const std::string name = path.substr(path.rfind('/') + 1);
    if (fail_deletes && op == MemFileSystem::Op::kRename && block::IsValidUlid(name)) {
      return absl::UnavailableError("injected");
    }
    return absl::OkStatus();
  });
  {
    std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks());
    CommitRange(*db, 0, 499);
    // The first level compaction writes its block, then fails deleting the parents.
    EXPECT_FALSE(db->Compact().ok());
    EXPECT_EQ(MustRead(*db), Expected(0, 499));
  }
  fail_deletes = false;
  std::vector<std::string> before = DataDirEntries(fs);
  std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks());
  std::vector<std::string> after = DataDirEntries(fs);
  EXPECT_LT(after.size(), before.size());
  std::vector<std::string> ulids = Ulids(*db);
  std::sort(ulids.begin(), ulids.end());
  EXPECT_EQ(after, ulids);
  EXPECT_EQ(MustRead(*db), Expected(0, 499));
  ASSERT_TRUE(db->Compact().ok());
  EXPECT_EQ(MustRead(*db), Expected(0, 499));
}

TEST(DbBlocks, PowerLossAfterCompactionLosesNothing) {
  MemFileSystem fs;
  std::unique_ptr<DB> db = MustOpen(&fs, SmallBlocks());
  CommitRange(*db, 0, 1499);
  ASSERT_TRUE(db->Sync().ok());
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_TRUE(db->Sync().ok());
  fs.Crash();
  db.reset();
  db = MustOpen(&fs, SmallBlocks());
  EXPECT_FALSE(db->Blocks().empty());
  EXPECT_EQ(MustRead(*db), Expected(0, 1499));
}

// Overlapping blocks (as out-of-order ingestion or another writer leaves them) are served
// deduplicated and merged by vertical compaction, the newest block included.
TEST(DbBlocks, OverlappingBlocksAreMergedAndDeduplicated) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs(kDir).ok());
  auto write_block = [&fs](Timestamp from, Timestamp to) {
    Head head;
    std::unique_ptr<Appender> app = head.NewAppender();
    for (Timestamp t = from; t <= to; ++t) {
      for (int i = 0; i < kSeries; ++i) ASSERT_TRUE(app->Append(0, Series(i), t, Value(i, t)).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    absl::StatusOr<std::unique_ptr<Querier>> q = head.NewQuerier(from, to);
    ASSERT_TRUE(q.ok());
    absl::StatusOr<block::BlockMeta> meta = block::WriteBlock(&fs, kDir, **q, from, to + 1);
    ASSERT_TRUE(meta.ok()) << meta.status();
  };
  write_block(0, 199);
  write_block(100, 299);
  write_block(250, 349);
  DbOptions options = SmallBlocks();
  {
    std::unique_ptr<DB> db = MustOpen(&fs, options);
    ASSERT_EQ(db->Blocks().size(), 3u);
    EXPECT_EQ(MustRead(*db), Expected(0, 349));
    ASSERT_TRUE(db->Compact().ok());
    std::vector<block::BlockMeta> blocks = db->Blocks();
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].min_time, 0);
    EXPECT_EQ(blocks[0].max_time, 350);
    EXPECT_EQ(blocks[0].compaction.level, 2);
    EXPECT_EQ(blocks[0].compaction.parents.size(), 3u);
    EXPECT_EQ(blocks[0].stats.num_samples, static_cast<uint64_t>(kSeries) * 350);
    EXPECT_EQ(MustRead(*db), Expected(0, 349));
  }
  std::unique_ptr<DB> db = MustOpen(&fs, options);
  EXPECT_EQ(MustRead(*db), Expected(0, 349));
  EXPECT_EQ(DataDirEntries(fs).size(), 1u);
}

}  // namespace
}  // namespace sundial::tsdb
