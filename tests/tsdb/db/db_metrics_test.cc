// The DB's prometheus_tsdb_* self-metrics count real events: each test causes the event and
// reads the value the registry exposes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "model/matcher.h"
#include "testing/temp_dir.h"
#include "tsdb/db/db.h"
#include "tsdb/errors.h"

namespace sundial::tsdb {
namespace {

namespace fs = std::filesystem;

using sundial::testing::FreshScratchDir;

// The value of the exposed sample `series` (name with its {labels}, as exposed); NaN if absent.
double Value(metrics::Registry& registry, std::string_view series) {
  const std::string text = registry.Expose();
  const std::string needle = StrCat("\n", series, " ");
  const size_t at = text.find(needle);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(text.c_str() + at + needle.size(), nullptr);
}

class DbMetricsTest : public ::testing::Test {
 protected:
  void Open(const std::string& name, DbOptions options = {}) {
    if (dir_.empty()) dir_ = FreshScratchDir(name);
    options.dir = dir_;
    options.registry = &registry_;
    db_.reset();
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  absl::Status Append(int series, Timestamp t, double v = 1) {
    std::unique_ptr<Appender> app = db_->NewAppender();
    absl::Status s =
        app->Append(0, Labels{{"__name__", "m"}, {"i", StrCat(series)}}, t, v).status();
    if (!s.ok()) return s;
    return app->Commit();
  }
  double V(std::string_view series) { return Value(registry_, series); }

  metrics::Registry registry_;
  std::string dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(DbMetricsTest, RefusedSamplesAreCountedByReason) {
  Open("refused");
  ASSERT_TRUE(Append(0, 10'000'000).ok());
  EXPECT_TRUE(IsOutOfOrder(Append(0, 9'999'000)));
  EXPECT_TRUE(IsOutOfOrder(Append(0, 9'998'000)));
  EXPECT_EQ(V("prometheus_tsdb_out_of_order_samples_total{type=\"float\"}"), 2);
  // More than half a chunk range (1h) behind the newest sample: out of bounds.
  EXPECT_TRUE(IsOutOfBounds(Append(1, 10'000'000 - 3'600'001)));
  EXPECT_EQ(V("prometheus_tsdb_out_of_bound_samples_total{type=\"float\"}"), 1);
  EXPECT_EQ(V("prometheus_tsdb_too_old_samples_total{type=\"float\"}"), 0);
  EXPECT_EQ(V("prometheus_tsdb_head_samples_appended_total{type=\"float\"}"), 1);
}

TEST_F(DbMetricsTest, OutOfOrderSamplesInTheWindowAreCountedAsAppended) {
  DbOptions options;
  options.out_of_order_window_ms = 600'000;
  Open("ooo", options);
  ASSERT_TRUE(Append(0, 10'000'000).ok());
  ASSERT_TRUE(Append(0, 9'999'000).ok());
  EXPECT_EQ(V("prometheus_tsdb_head_out_of_order_samples_appended_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_out_of_order_samples_total{type=\"float\"}"), 0);
}

TEST_F(DbMetricsTest, ActiveAppendersAreThoseNotYetCommittedOrRolledBack) {
  Open("appenders");
  std::unique_ptr<Appender> a = db_->NewAppender();
  std::unique_ptr<Appender> b = db_->NewAppender();
  EXPECT_EQ(V("prometheus_tsdb_head_active_appenders"), 2);
  ASSERT_TRUE(a->Commit().ok());
  EXPECT_EQ(V("prometheus_tsdb_head_active_appenders"), 1);
  b->Rollback();
  EXPECT_EQ(V("prometheus_tsdb_head_active_appenders"), 0);
}

TEST_F(DbMetricsTest, SeriesAndChunksAreCreatedAndRemovedByTruncation) {
  Open("gc");
  // Series 0 and 1: 300 samples at 1 s, so each has several chunks; series 2 one sample later.
  for (Timestamp t = 0; t < 300'000; t += 1000) {
    ASSERT_TRUE(Append(0, t).ok());
    ASSERT_TRUE(Append(1, t).ok());
  }
  ASSERT_TRUE(Append(2, 1'000'000).ok());
  EXPECT_EQ(V("prometheus_tsdb_head_series"), 3);
  EXPECT_EQ(V("prometheus_tsdb_head_series_created_total"), 3);
  const double chunks = static_cast<double>(db_->head().IndexStats("__name__", 1).chunk_count);
  EXPECT_GE(chunks, 5);
  EXPECT_EQ(V("prometheus_tsdb_head_chunks_created_total"), chunks);
  EXPECT_EQ(V("prometheus_tsdb_head_chunks"), chunks);
  EXPECT_EQ(V("prometheus_tsdb_head_min_time"), 0);
  EXPECT_EQ(V("prometheus_tsdb_head_max_time"), 1'000'000);
  EXPECT_EQ(V("prometheus_tsdb_head_max_time_seconds"), 1000);
  EXPECT_EQ(V("prometheus_tsdb_lowest_timestamp"), 0);

  EXPECT_EQ(V("prometheus_tsdb_head_gc_duration_seconds_count"), 0);
  ASSERT_TRUE(db_->Truncate(500'000).ok());
  // One head GC, timed.
  EXPECT_EQ(V("prometheus_tsdb_head_gc_duration_seconds_count"), 1);
  EXPECT_GE(V("prometheus_tsdb_head_gc_duration_seconds_sum"), 0);
  EXPECT_EQ(V("prometheus_tsdb_head_series"), 1);
  EXPECT_EQ(V("prometheus_tsdb_head_series_removed_total"), 2);
  EXPECT_EQ(V("prometheus_tsdb_head_series_created_total"), 3);
  EXPECT_EQ(db_->head().IndexStats("__name__", 1).chunk_count, 1u);
  EXPECT_EQ(V("prometheus_tsdb_head_chunks_removed_total"), chunks - 1);
  EXPECT_EQ(V("prometheus_tsdb_head_chunks_created_total"), chunks);
  EXPECT_EQ(V("prometheus_tsdb_head_chunks"), 1);
  EXPECT_EQ(V("prometheus_tsdb_head_truncations_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_head_min_time"), 500'000);
  EXPECT_EQ(V("prometheus_tsdb_head_min_time_seconds"), 500);
}

TEST_F(DbMetricsTest, WalWritesPagesAndIsTruncatedAtCheckpoints) {
  Open("wal");
  EXPECT_EQ(V("prometheus_tsdb_wal_segment_current"), 0);
  EXPECT_EQ(V("prometheus_tsdb_wal_page_flushes_total"), 0);
  ASSERT_TRUE(Append(0, 1000).ok());
  // A commit writes its records out: the open page is flushed, not completed.
  const double flushes = V("prometheus_tsdb_wal_page_flushes_total");
  EXPECT_GE(flushes, 1);
  EXPECT_EQ(V("prometheus_tsdb_wal_completed_pages_total"), 0);
  ASSERT_TRUE(Append(0, 2000).ok());
  EXPECT_EQ(V("prometheus_tsdb_wal_page_flushes_total"), flushes + 1);

  // Nothing was fsynced yet: the quantiles have no observation.
  EXPECT_EQ(V("prometheus_tsdb_wal_fsync_duration_seconds_count"), 0);
  EXPECT_TRUE(std::isnan(V("prometheus_tsdb_wal_fsync_duration_seconds{quantile=\"0.5\"}")));
  EXPECT_EQ(V("prometheus_tsdb_wal_truncate_duration_seconds_count"), 0);
  ASSERT_TRUE(db_->Truncate(1500).ok());
  // The WAL truncation is timed, and so is the fsync of the segment it completed.
  EXPECT_EQ(V("prometheus_tsdb_wal_truncate_duration_seconds_count"), 1);
  EXPECT_GE(V("prometheus_tsdb_wal_truncate_duration_seconds_sum"), 0);
  EXPECT_EQ(V("prometheus_tsdb_wal_fsync_duration_seconds_count"), 1);
  const double fsync = V("prometheus_tsdb_wal_fsync_duration_seconds_sum");
  EXPECT_GE(fsync, 0);
  EXPECT_EQ(V("prometheus_tsdb_wal_fsync_duration_seconds{quantile=\"0.99\"}"), fsync);
  ASSERT_TRUE(db_->Sync().ok());
  EXPECT_EQ(V("prometheus_tsdb_wal_fsync_duration_seconds_count"), 2);
  // The truncation moved to a new segment (padding the page of the old one), checkpointed
  // segment 0 and deleted it, and looked for older checkpoints to delete.
  EXPECT_EQ(V("prometheus_tsdb_wal_segment_current"), 1);
  EXPECT_EQ(V("prometheus_tsdb_wal_completed_pages_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_checkpoint_creations_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_wal_truncations_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_wal_truncations_failed_total"), 0);
  EXPECT_EQ(V("prometheus_tsdb_checkpoint_deletions_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_wal_writes_failed_total"), 0);

  ASSERT_TRUE(db_->Close().ok());
  EXPECT_FALSE(Append(0, 3000).ok());
  // Closed: the metrics are gone from the registry.
  EXPECT_TRUE(std::isnan(V("prometheus_tsdb_wal_writes_failed_total")));
}

TEST_F(DbMetricsTest, CorruptChunkFileIsCountedOnce) {
  Open("mmap");
  for (Timestamp t = 0; t < 400 * 15'000; t += 15'000) ASSERT_TRUE(Append(0, t).ok());
  Open("mmap");  // closes the first DB
  EXPECT_EQ(V("prometheus_tsdb_mmap_chunk_corruptions_total"), 0);
  db_.reset();
  const std::string f = dir_ + "/chunks_head/000001";
  ASSERT_TRUE(fs::exists(f));
  {
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(fs::file_size(f) / 2));
    io.put('\x5a');
    io.put('\xa5');
  }
  Open("mmap");
  EXPECT_EQ(V("prometheus_tsdb_mmap_chunk_corruptions_total"), 1);
  // The WAL still had every sample.
  EXPECT_EQ(V("prometheus_tsdb_head_max_time"), 399 * 15'000);
}

TEST_F(DbMetricsTest, CleanStartTellsWhetherALockFileWasLeftBehind) {
  Open("clean");
  EXPECT_EQ(V("prometheus_tsdb_clean_start"), 1);
  db_.reset();
  EXPECT_FALSE(fs::exists(dir_ + "/lock"));  // removed at a clean shutdown
  Open("clean");
  EXPECT_EQ(V("prometheus_tsdb_clean_start"), 1);
  db_.reset();
  std::ofstream(dir_ + "/lock").put('x');  // what a killed process leaves
  Open("clean");
  EXPECT_EQ(V("prometheus_tsdb_clean_start"), 0);
}

TEST_F(DbMetricsTest, CompactionsAndReloadsAndRetention) {
  // Blocks of 100 ms; time retention of 1000 ms.
  DbOptions options;
  options.retention_ms = 1000;
  options.block_range_ms = 100;
  Open("compact", options);
  EXPECT_EQ(V("prometheus_tsdb_reloads_total"), 1);  // the blocks loaded at Open
  EXPECT_EQ(V("prometheus_tsdb_retention_limit_bytes"), 0);
  for (Timestamp t = 0; t < 3000; t += 10) ASSERT_TRUE(Append(0, t).ok());
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(V("prometheus_tsdb_compactions_triggered_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_reloads_total"), 2);
  EXPECT_GE(V("prometheus_tsdb_compactions_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_compaction_duration_seconds_count"),
            V("prometheus_tsdb_compactions_total"));
  EXPECT_EQ(V("prometheus_tsdb_compaction_populating_block"), 0);
  EXPECT_EQ(V("prometheus_tsdb_time_retentions_total"), 1);
  EXPECT_EQ(V("prometheus_tsdb_size_retentions_total"), 0);
  EXPECT_EQ(V("prometheus_tsdb_blocks_loaded"), static_cast<double>(db_->Blocks().size()));
  EXPECT_GT(V("prometheus_tsdb_storage_blocks_bytes"), 0);
  EXPECT_EQ(V("prometheus_tsdb_lowest_timestamp"), db_->Blocks().front().min_time);
}

TEST_F(DbMetricsTest, HeadCompactionObservesTheChunksItWrites) {
  // Blocks of 100 ms; one series with a sample every 10 ms, so each block cut from the head has
  // one chunk of 10 samples spanning 90 ms.
  DbOptions options;
  options.block_range_ms = 100;
  Open("chunks", options);
  EXPECT_EQ(V("prometheus_tsdb_symbol_table_size_bytes"), 0);
  for (Timestamp t = 0; t < 1000; t += 10) ASSERT_TRUE(Append(0, t, static_cast<double>(t)).ok());
  EXPECT_EQ(V("prometheus_tsdb_compaction_chunk_samples_count"), 0);
  ASSERT_TRUE(db_->Compact().ok());

  // Every sample that went into a block was in one observed chunk, once (merging level-1
  // blocks observes nothing more).
  uint64_t block_samples = 0;
  for (const block::BlockMeta& b : db_->Blocks()) block_samples += b.stats.num_samples;
  const double chunks = V("prometheus_tsdb_compaction_chunk_samples_count");
  EXPECT_GE(chunks, 5);
  EXPECT_EQ(V("prometheus_tsdb_compaction_chunk_samples_sum"), static_cast<double>(block_samples));
  EXPECT_EQ(V("prometheus_tsdb_compaction_chunk_samples_sum"), chunks * 10);
  EXPECT_EQ(V("prometheus_tsdb_compaction_chunk_samples_bucket{le=\"9\"}"), 0);
  EXPECT_EQ(V("prometheus_tsdb_compaction_chunk_samples_bucket{le=\"13.5\"}"), chunks);
  EXPECT_EQ(V("prometheus_tsdb_compaction_chunk_range_seconds_sum"), chunks * 90);
  EXPECT_EQ(V("prometheus_tsdb_compaction_chunk_range_seconds_bucket{le=\"100\"}"), chunks);
  EXPECT_EQ(V("prometheus_tsdb_compaction_chunk_size_bytes_count"), chunks);
  // A chunk is at least its 2-byte count, the first timestamp and the first value.
  EXPECT_GE(V("prometheus_tsdb_compaction_chunk_size_bytes_sum"), chunks * 11);

  // Each block's symbols (__name__, m, i, 0) take one 8-byte offset in Prometheus' reader.
  EXPECT_EQ(V("prometheus_tsdb_symbol_table_size_bytes"),
            8 * static_cast<double>(db_->Blocks().size()));
}

// A Select takes the refs of the matching series from the postings, then reads each series; a
// head GC in between (a query running while Truncate drops series) leaves refs whose series is
// gone, which Prometheus counts. The two threads race, so the test waits for it to happen.
TEST_F(DbMetricsTest, SeriesCollectedDuringASelectAreCountedAsNotFound) {
  Open("notfound");
  EXPECT_EQ(V("prometheus_tsdb_head_series_not_found_total"), 0);
  absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kEqual, "__name__", "m");
  ASSERT_TRUE(m.ok());
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      absl::StatusOr<std::unique_ptr<Querier>> q = db_->NewQuerier(INT64_MIN, INT64_MAX);
      ASSERT_TRUE(q.ok()) << q.status();
      std::unique_ptr<SeriesSet> set = (*q)->Select({}, std::span<const Matcher>(&*m, 1));
      while (set->Next()) {
      }
    }
  });
  // Each round, 1000 new series, then a truncation that collects them all.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  for (Timestamp t = 0; V("prometheus_tsdb_head_series_not_found_total") == 0 &&
                        std::chrono::steady_clock::now() < deadline;
       t += 1000) {
    std::unique_ptr<Appender> app = db_->NewAppender();
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "m"}, {"i", StrCat(i)}}, t, 1).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE(db_->Truncate(t + 1).ok());
  }
  stop.store(true);
  reader.join();
  EXPECT_GT(V("prometheus_tsdb_head_series_not_found_total"), 0);
}

}  // namespace
}  // namespace sundial::tsdb
