// DB: reopen keeps what was committed, the WAL tail is repaired, the directory is locked,
// truncation checkpoints the WAL, and a simulated power loss keeps everything synced.
#include "tsdb/db/db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "tsdb/db/db_test_util.h"
#include "tsdb/wal/segments.h"

namespace sundial::tsdb {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDir[] = "/data";
constexpr int64_t kSmallSegment = 2 * 32 * 1024;

Labels Series(int i) { return Labels{{"__name__", "m"}, {"i", StrCat(i)}}; }
std::string SeriesKey(int i) { return Series(i).ToString(); }

// A value that depends on (i, t) and exercises the float encoding.
double Value(int i, Timestamp t) { return i * 1000.5 + static_cast<double>(t) / 7; }

// Commits one sample per series at t.
void CommitAt(DB& db, int series, Timestamp t) {
  std::unique_ptr<Appender> app = db.NewAppender();
  for (int i = 0; i < series; ++i) ASSERT_TRUE(app->Append(0, Series(i), t, Value(i, t)).ok());
  ASSERT_TRUE(app->Commit().ok());
}

std::unique_ptr<DB> MustOpen(FileSystem* fs, DbOptions options = {}) {
  if (options.dir.empty()) options.dir = kDir;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, fs);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

Dump MustRead(DB& db) {
  absl::StatusOr<Dump> dump = ReadAll(db);
  EXPECT_TRUE(dump.ok()) << dump.status();
  return dump.ok() ? *dump : Dump{};
}

// The expected dump of CommitAt(series, t) for t in [from, to].
Dump Expected(int series, Timestamp from, Timestamp to) {
  Dump out;
  for (int i = 0; i < series; ++i) {
    for (Timestamp t = from; t <= to; ++t) out[SeriesKey(i)].push_back({t, Value(i, t)});
  }
  return out;
}

uint64_t WalBytes(MemFileSystem& fs) {
  uint64_t total = 0;
  std::vector<std::string> todo = {StrCat(kDir, "/wal")};
  while (!todo.empty()) {
    std::string dir = todo.back();
    todo.pop_back();
    absl::StatusOr<std::vector<std::string>> names = fs.List(dir);
    if (!names.ok()) continue;
    for (const std::string& name : *names) {
      const std::string path = JoinPath(dir, name);
      if (*fs.IsDirectory(path)) {
        todo.push_back(path);
      } else {
        total += *fs.FileSize(path);
      }
    }
  }
  return total;
}

std::string LastSegment(MemFileSystem& fs) {
  const std::string wal = StrCat(kDir, "/wal");
  return wal::SegmentPath(wal, wal::ListSegments(&fs, wal)->back());
}

TEST(DB, ReopenKeepsEverySampleBitExact) {
  MemFileSystem fs;
  const double stale = std::bit_cast<double>(uint64_t{0x7ff0000000000002});  // Prometheus' marker
  const std::vector<double> values = {0.0,
                                      -0.0,
                                      1.5,
                                      -1e300,
                                      std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::denorm_min(),
                                      stale};
  Dump want;
  {
    std::unique_ptr<DB> db = MustOpen(&fs);
    for (size_t k = 0; k < values.size(); ++k) {
      std::unique_ptr<Appender> app = db->NewAppender();
      const Timestamp t = 1000 + static_cast<Timestamp>(k) * 15;
      ASSERT_TRUE(app->Append(0, Series(1), t, values[k]).ok());
      ASSERT_TRUE(app->Commit().ok());
      want[SeriesKey(1)].push_back({t, values[k]});
    }
    EXPECT_EQ(MustRead(*db), want);
    ASSERT_TRUE(db->Close().ok());
  }
  std::unique_ptr<DB> db = MustOpen(&fs);
  EXPECT_EQ(MustRead(*db), want);
  EXPECT_EQ(db->replay_stats().samples, static_cast<int64_t>(values.size()));
  EXPECT_EQ(db->replay_stats().corruptions, 0);
}

TEST(DB, ReopenManySeriesAcrossSegments) {
  MemFileSystem fs;
  constexpr int kSeries = 2000, kSamples = 30;
  {
    std::unique_ptr<DB> db = MustOpen(&fs, {.dir = kDir, .wal_segment_size = kSmallSegment});
    for (Timestamp t = 1; t <= kSamples; ++t) CommitAt(*db, kSeries, t);
  }
  ASSERT_GT(wal::ListSegments(&fs, StrCat(kDir, "/wal"))->size(), 5u);
  std::unique_ptr<DB> db = MustOpen(&fs, {.dir = kDir, .wal_segment_size = kSmallSegment});
  EXPECT_EQ(db->head().NumSeries(), static_cast<size_t>(kSeries));
  EXPECT_EQ(MustRead(*db), Expected(kSeries, 1, kSamples));
}

// Refs of replayed series and of series created after a reopen must never be confused.
TEST(DB, SeriesRefsStayConsistentAcrossReopens) {
  MemFileSystem fs;
  Dump want;
  auto add = [&want](DB& db, int i, Timestamp t) {
    std::unique_ptr<Appender> app = db.NewAppender();
    ASSERT_TRUE(app->Append(0, Series(i), t, Value(i, t)).ok());
    ASSERT_TRUE(app->Commit().ok());
    want[SeriesKey(i)].push_back({t, Value(i, t)});
  };
  for (int round = 0; round < 4; ++round) {
    std::unique_ptr<DB> db = MustOpen(&fs);
    EXPECT_EQ(MustRead(*db), want) << "round " << round;
    // New series first, so head refs of this process overlap WAL refs of the last one.
    for (int i = 10 * round + 9; i >= 10 * round; --i) add(*db, i, 100 * round + 1);
    for (int i = 0; i < 10 * round; ++i) add(*db, i, 100 * round + 2);
  }
  std::unique_ptr<DB> db = MustOpen(&fs);
  EXPECT_EQ(MustRead(*db), want);
}

// A series created by a rolled-back batch stays in the head; samples later appended to it, by
// labels or by its ref, must survive a restart.
TEST(DB, SeriesOfARolledBackBatchKeepLaterSamplesAcrossReopen) {
  MemFileSystem fs;
  {
    std::unique_ptr<DB> db = MustOpen(&fs);
    std::unique_ptr<Appender> rolled_back = db->NewAppender();
    absl::StatusOr<SeriesRef> ref = rolled_back->Append(0, Series(0), 1000, Value(0, 1000));
    ASSERT_TRUE(ref.ok()) << ref.status();
    ASSERT_TRUE(rolled_back->Append(0, Series(1), 1000, Value(1, 1000)).ok());
    rolled_back->Rollback();
    std::unique_ptr<Appender> app = db->NewAppender();
    ASSERT_TRUE(app->Append(*ref, Labels{}, 2000, Value(0, 2000)).ok());
    ASSERT_TRUE(app->Append(0, Series(1), 2000, Value(1, 2000)).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  std::unique_ptr<DB> db = MustOpen(&fs);
  EXPECT_EQ(db->replay_stats().unknown_ref_samples, 0);
  EXPECT_EQ(MustRead(*db), Expected(2, 2000, 2000));
}

TEST(DB, TornTailIsCutKeepingEverythingBefore) {
  MemFileSystem fs;
  metrics::Registry registry;
  std::string segment;
  uint64_t end_a = 0, end_b = 0;
  {
    std::unique_ptr<DB> db = MustOpen(&fs);
    CommitAt(*db, 50, 1);
    segment = LastSegment(fs);
    end_a = fs.Contents(segment)->size();
    CommitAt(*db, 500, 2);
    end_b = fs.Contents(segment)->size();
  }
  ASSERT_GT(end_b, end_a);
  std::string bytes = *fs.Contents(segment);
  ASSERT_TRUE(fs.SetContents(segment, bytes.substr(0, (end_a + end_b) / 2)).ok());

  std::unique_ptr<DB> db = MustOpen(&fs, {.dir = kDir, .registry = &registry});
  EXPECT_EQ(MustRead(*db), Expected(50, 1, 1));
  EXPECT_EQ(db->replay_stats().corruptions, 1);
  EXPECT_THAT(registry.Expose(), HasSubstr("prometheus_tsdb_wal_corruptions_total 1\n"));
  // The repaired log takes new commits, and the next reopen sees both.
  CommitAt(*db, 50, 3);
  db.reset();
  db = MustOpen(&fs);
  Dump want = Expected(50, 1, 1);
  for (int i = 0; i < 50; ++i) want[SeriesKey(i)].push_back({3, Value(i, 3)});
  EXPECT_EQ(MustRead(*db), want);
  EXPECT_EQ(db->replay_stats().corruptions, 0);
}

TEST(DB, FlippedByteIsRepairedKeepingEverythingBefore) {
  MemFileSystem fs;
  std::string segment;
  uint64_t end_a = 0, end_b = 0;
  {
    std::unique_ptr<DB> db = MustOpen(&fs);
    CommitAt(*db, 20, 1);
    segment = LastSegment(fs);
    end_a = fs.Contents(segment)->size();
    CommitAt(*db, 20, 2);
    end_b = fs.Contents(segment)->size();
    CommitAt(*db, 20, 3);
  }
  std::string bytes = *fs.Contents(segment);
  bytes[(end_a + end_b) / 2] ^= 0x40;
  ASSERT_TRUE(fs.SetContents(segment, bytes).ok());

  metrics::Registry registry;
  std::unique_ptr<DB> db = MustOpen(&fs, {.dir = kDir, .registry = &registry});
  EXPECT_EQ(MustRead(*db), Expected(20, 1, 1));
  EXPECT_EQ(db->replay_stats().corruptions, 1);
  EXPECT_THAT(registry.Expose(), HasSubstr("prometheus_tsdb_wal_corruptions_total 1\n"));
}

TEST(DB, LockPreventsASecondOpen) {
  const std::string dir = StrCat(::testing::TempDir(), "/sundial_db_lock_",
                                 ::testing::UnitTest::GetInstance()->random_seed());
  std::filesystem::remove_all(dir);
  {
    std::unique_ptr<DB> db = MustOpen(FileSystem::Default(), {.dir = dir});
    absl::StatusOr<std::unique_ptr<DB>> second = DB::Open({.dir = dir});
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(second.status().message()), HasSubstr("lock DB directory"));
    EXPECT_TRUE(std::filesystem::exists(dir + "/lock"));
    ASSERT_TRUE(db->Close().ok());
    EXPECT_TRUE(DB::Open({.dir = dir}).ok()) << "Close releases the lock";
  }
  // The in-memory file system is locked per instance too.
  MemFileSystem fs;
  std::unique_ptr<DB> db = MustOpen(&fs);
  EXPECT_FALSE(DB::Open({.dir = kDir}, &fs).ok());
  std::filesystem::remove_all(dir);
}

TEST(DB, TruncateCheckpointsAndShrinksTheWal) {
  MemFileSystem fs;
  const DbOptions options = {.dir = kDir, .wal_segment_size = kSmallSegment};
  constexpr int kSeries = 100;
  {
    std::unique_ptr<DB> db = MustOpen(&fs, options);
    for (Timestamp t = 0; t < 1000; ++t) CommitAt(*db, kSeries, t);
    // A series that ends early: dropped from the head and from the checkpoint.
    std::unique_ptr<Appender> app = db->NewAppender();
    ASSERT_TRUE(app->Append(0, Labels{{"__name__", "gone"}}, 10, 1).ok());
    ASSERT_TRUE(app->Commit().ok());

    const uint64_t before = WalBytes(fs);
    ASSERT_TRUE(db->Truncate(900).ok());
    EXPECT_LT(WalBytes(fs), before / 5);
    EXPECT_EQ(db->head().NumSeries(), static_cast<size_t>(kSeries));
    EXPECT_EQ(MustRead(*db), Expected(kSeries, 900, 999));
    for (Timestamp t = 1000; t < 1100; ++t) CommitAt(*db, kSeries, t);
    ASSERT_TRUE(db->Truncate(1050).ok());  // a checkpoint on top of a checkpoint
  }
  std::unique_ptr<DB> db = MustOpen(&fs, options);
  EXPECT_EQ(MustRead(*db), Expected(kSeries, 1050, 1099));
  EXPECT_EQ(db->replay_stats().corruptions, 0);
  std::vector<std::string> entries = *fs.List(StrCat(kDir, "/wal"));
  EXPECT_EQ(std::count_if(entries.begin(), entries.end(),
                          [](const std::string& e) { return e.starts_with("checkpoint."); }),
            1);
}

TEST(DB, CompactKeepsTheRetentionWindow) {
  MemFileSystem fs;
  const DbOptions options = {.dir = kDir, .retention_ms = 100};
  {
    std::unique_ptr<DB> db = MustOpen(&fs, options);
    for (Timestamp t = 0; t < 500; ++t) CommitAt(*db, 3, t);
    ASSERT_TRUE(db->Compact().ok());
    EXPECT_EQ(MustRead(*db), Expected(3, 399, 499));
  }
  std::unique_ptr<DB> db = MustOpen(&fs, options);
  EXPECT_EQ(MustRead(*db), Expected(3, 399, 499));
}

TEST(DB, PowerLossKeepsEverythingUpToTheLastSync) {
  MemFileSystem fs;
  std::unique_ptr<DB> db = MustOpen(&fs);
  for (Timestamp t = 1; t <= 10; ++t) CommitAt(*db, 30, t);
  ASSERT_TRUE(db->Sync().ok());
  for (Timestamp t = 11; t <= 20; ++t) CommitAt(*db, 30, t);
  fs.Crash();
  db.reset();  // its late writes go to detached files

  db = MustOpen(&fs);
  EXPECT_EQ(MustRead(*db), Expected(30, 1, 10));
  // Appending after the loss continues cleanly.
  for (Timestamp t = 11; t <= 12; ++t) CommitAt(*db, 30, t);
  ASSERT_TRUE(db->Close().ok());
  db = MustOpen(&fs);
  EXPECT_EQ(MustRead(*db), Expected(30, 1, 12));
}

TEST(DB, SelfMetricsAndReopenOnTheSameRegistry) {
  MemFileSystem fs;
  metrics::Registry registry;
  {
    std::unique_ptr<DB> db = MustOpen(&fs, {.dir = kDir, .registry = &registry});
    CommitAt(*db, 3, 1);
    CommitAt(*db, 3, 2);
    const std::string text = registry.Expose();
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_head_series 3\n"));
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_head_samples_appended_total{type=\"float\"} 6\n"));
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_wal_corruptions_total 0\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE prometheus_tsdb_data_replay_duration_seconds gauge\n"));
  }
  EXPECT_THAT(registry.Expose(), Not(HasSubstr("prometheus_tsdb_head_series")));
  std::unique_ptr<DB> db = MustOpen(&fs, {.dir = kDir, .registry = &registry});
  EXPECT_THAT(registry.Expose(), HasSubstr("prometheus_tsdb_head_series 3\n"));
}

TEST(DB, CommitFailsAfterClose) {
  MemFileSystem fs;
  std::unique_ptr<DB> db = MustOpen(&fs);
  CommitAt(*db, 1, 1);
  ASSERT_TRUE(db->Close().ok());
  std::unique_ptr<Appender> app = db->NewAppender();
  ASSERT_TRUE(app->Append(0, Series(0), 2, 1).ok());
  EXPECT_FALSE(app->Commit().ok());
  EXPECT_TRUE(db->Close().ok());
}

}  // namespace
}  // namespace sundial::tsdb
