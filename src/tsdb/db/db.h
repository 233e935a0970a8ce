// DB: the storage of one data directory — a Head, its write-ahead log in dir/wal, and the lock
// that keeps other processes out. What the server opens at start and closes at shutdown.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<DB> db,
//                    DB::Open({.dir = "data", .registry = &metrics::Registry::Default()}));
//   std::unique_ptr<Appender> app = db->NewAppender();   // scrape, remote write, rules
//   ... app->Append(...); RETURN_IF_ERROR(app->Commit());
//   ASSIGN_OR_RETURN(auto q, db->NewQuerier(mint, maxt));
//   RETURN_IF_ERROR(db->Compact());                      // periodically, one background thread
//   RETURN_IF_ERROR(db->Close());
//
// Open replays the WAL (last checkpoint, then segments) into a fresh head, cutting off a torn
// or corrupt tail (everything before it is kept; logged and counted in
// prometheus_tsdb_wal_corruptions_total), then logs every commit to new segments.
//
// Durability contract: Commit() returns once the batch was written to the OS, before it becomes
// visible. A kill -9 loses no acknowledged sample. A power loss keeps everything up to the last
// fsync: WAL segments are fsynced when completed (every 128 MiB by default), by Sync() and by
// Close(); commits after that may be lost, never anything before it. See wal_head_log.h.
//
// Until blocks exist the head holds all data: Compact() truncates it to the retention window and
// rewrites the WAL into a checkpoint of what is left.
//
// Thread-safe: appenders and queriers may be used from any number of threads; Compact,
// Truncate, Sync and Close serialize among themselves.
#ifndef SUNDIAL_TSDB_DB_DB_H_
#define SUNDIAL_TSDB_DB_DB_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/file_system.h"
#include "base/metrics_registry.h"
#include "tsdb/db/dir_lock.h"
#include "tsdb/db/wal_head_log.h"
#include "tsdb/head.h"
#include "tsdb/storage.h"
#include "tsdb/wal/format.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb {

struct DbOptions {
  std::string dir;  // the data directory; created if missing
  // Snappy-compress WAL records (Prometheus' --storage.tsdb.wal-compression).
  bool wal_compression = false;
  // REQUIRES: a positive multiple of 32 KiB.
  int64_t wal_segment_size = wal::kDefaultSegmentSize;
  // Compact() keeps samples newer than the head's newest sample minus this (15d by default, as
  // Prometheus' --storage.tsdb.retention.time). Until blocks exist this bounds the head.
  int64_t retention_ms = int64_t{15} * 24 * 60 * 60 * 1000;
  int64_t out_of_order_window_ms = 0;
  ChunkOptions chunks = {};
  // Where the DB's self-metrics go; null for none. Not owned; must outlive the DB. The metrics
  // are removed at Close, so the same registry can hold a later DB.
  metrics::Registry* registry = nullptr;
};

// Figures of the last Open, for logs and tests.
struct ReplayStats {
  double duration_seconds = 0;
  int64_t samples = 0;              // samples read from the WAL
  int64_t rejected_samples = 0;     // refused by the head (out of order, duplicate, ...)
  int64_t unknown_ref_samples = 0;  // samples without a series record
  int64_t corruptions = 0;          // corrupt tails cut off
};

class DB : public Appendable, public Queryable {
 public:
  // Creates opts.dir if needed, locks it (fails if another DB or process holds it), replays and
  // repairs dir/wal and opens a new WAL segment. fs defaults to the POSIX file system and must
  // outlive the DB.
  static absl::StatusOr<std::unique_ptr<DB>> Open(DbOptions options, FileSystem* fs = nullptr);
  // Close()s if needed; errors are logged.
  ~DB() override;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;

  // Appends go to the head; Commit logs them to the WAL first (see the durability contract).
  // After Close, commits fail. The appender must not outlive the DB.
  std::unique_ptr<Appender> NewAppender() override;
  // A querier over the head, from no earlier than the head's minimum time (data before a
  // Truncate's mint is not served even where the head still holds its chunk). It must not
  // outlive the DB.
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) override;

  // The periodic maintenance step: Truncate(newest sample - retention) when that drops
  // something. No-op on an empty head.
  absl::Status Compact();
  // Drops head data before mint, then checkpoints the WAL: every completed segment is replaced by
  // a checkpoint of the series still in the head and their samples at or after mint, and the
  // segments it covers are deleted. A failed checkpoint deletes nothing.
  absl::Status Truncate(Timestamp mint);

  // fsyncs the WAL: every commit acknowledged so far survives a power loss.
  absl::Status Sync();
  // Syncs and closes the WAL and releases the lock. Later calls fail; idempotent.
  absl::Status Close();

  const Head& head() const { return head_; }
  const ReplayStats& replay_stats() const { return replay_stats_; }
  const std::string& dir() const { return options_.dir; }

 private:
  class Metrics;
  DB(DbOptions options, FileSystem* fs);
  absl::Status Init();

  const DbOptions options_;
  FileSystem* const fs_;
  const std::string wal_dir_;
  WalHeadLog log_;  // before head_: the head logs to it
  Head head_;
  ReplayStats replay_stats_;
  std::unique_ptr<DirLock> lock_;

  absl::Mutex mu_;  // serializes maintenance and Close
  std::unique_ptr<wal::Writer> writer_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_DB_H_
