// DB::Metrics: the DB's event counts for Prometheus' prometheus_tsdb_* self-metrics, and the
// collector that exposes them with the DB's state at scrape time (db_metrics.cc). Internal to
// tsdb/db: the DB's .cc files count events into it.
//
// Created at the start of DB::Init (so that the blocks load, the WAL writer and the chunks_head
// load count from the start) and registered once the replay is done; unregistered at Close and
// destroyed with the DB.
#ifndef SUNDIAL_TSDB_DB_DB_METRICS_H_
#define SUNDIAL_TSDB_DB_DB_METRICS_H_

#include <atomic>
#include <cstdint>

#include "base/metrics_histogram.h"
#include "base/metrics_registry.h"
#include "base/metrics_summary.h"
#include "tsdb/db/db.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb {

class DB::Metrics {
 public:
  Metrics();
  // Unregisters.
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Adds the collector to registry (null: none). REQUIRES: called at most once; db outlives
  // this object.
  void Register(const DB* db, metrics::Registry* registry);
  // Removes the collector (the counts stay); idempotent.
  void Unregister();

  wal::WriterStats wal;  // the WAL writer's counts
  std::atomic<uint64_t> checkpoints{0};
  std::atomic<uint64_t> checkpoint_failures{0};
  std::atomic<uint64_t> checkpoint_deletions{0};
  std::atomic<uint64_t> checkpoint_deletion_failures{0};
  std::atomic<uint64_t> truncations{0};  // DB::Truncate calls (head truncations)
  std::atomic<uint64_t> truncation_failures{0};
  std::atomic<uint64_t> mmap_chunk_corruptions{0};  // Opens that found a corrupt chunks_head file
  std::atomic<uint64_t> reloads{0};                 // block set re-read with retention applied
  std::atomic<uint64_t> reload_failures{0};
  std::atomic<uint64_t> time_retentions{0};  // reloads that deleted blocks beyond time retention
  std::atomic<uint64_t> size_retentions{0};  // ... beyond size retention
  std::atomic<uint64_t> compactions_triggered{0};  // Compact() calls
  std::atomic<uint64_t> vertical_compactions{0};   // merges of overlapping blocks
  std::atomic<int> populating_block{0};            // blocks being written now
  // Seconds per block write (head and level compactions), Prometheus' buckets.
  metrics::Histogram compaction_duration{metrics::ExponentialBuckets(1, 2, 14)};
  // Seconds per CleanTombstones call.
  metrics::Histogram tombstone_cleanup{metrics::DefaultBuckets()};
  // Of each chunk a head compaction writes: milliseconds from its first to its last sample
  // (Prometheus' "_seconds" name notwithstanding), samples, encoded bytes. Prometheus' buckets.
  metrics::Histogram compaction_chunk_range{metrics::ExponentialBuckets(100, 4, 10)};
  metrics::Histogram compaction_chunk_samples{metrics::ExponentialBuckets(4, 1.5, 12)};
  metrics::Histogram compaction_chunk_size{metrics::ExponentialBuckets(32, 1.5, 12)};
  // Seconds per head GC (the series and chunks a truncation drops).
  metrics::Summary head_gc_duration;
  // Seconds per WAL truncation that completed (checkpoint, segment and checkpoint deletion).
  metrics::Summary wal_truncate_duration;
  // Seconds per WAL segment fsync, with Prometheus' objectives; wal.fsync_duration points here.
  metrics::Summary wal_fsync_duration;

 private:
  class Collector;
  metrics::Registry* registry_ = nullptr;
  metrics::Collector* handle_ = nullptr;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_DB_METRICS_H_
