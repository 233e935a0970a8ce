// DB: the storage of one data directory — a Head, its write-ahead log in dir/wal, the persisted
// blocks in dir/<ULID>/, and the lock that keeps other processes out. What the server opens at
// start and closes at shutdown.
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
// Head chunks: a chunk the head closes is written to dir/chunks_head/ (Prometheus' format) and
// served from a read-only mmap instead of memory. Open reads those files back first (a corrupt
// one is deleted with every later one, logged), gives each series its chunks as its series
// record is replayed and skips the WAL samples they hold, so a restart decodes only the WAL
// tail of each series. Truncation deletes the files older than the head. With an
// out-of-order window the chunks are not used at Open (the WAL cannot tell the samples they hold
// from out-of-order ones) and the head is rebuilt from the WAL alone. chunks_head is used only
// with the POSIX FileSystem (the files are mmapped); with another one chunks stay in memory.
//
// Durability contract: Commit() returns once the batch was written to the OS, before it becomes
// visible. A kill -9 loses no acknowledged sample. A power loss keeps everything up to the last
// fsync: WAL segments are fsynced when completed (every 128 MiB by default), by Sync() and by
// Close(); commits after that may be lost, never anything before it. See wal_head_log.h.
//
// Compact() is Prometheus' DB.Compact plus reloadBlocks: while the head spans more than 1.5 block
// ranges, its oldest aligned range [mint, mint + range) is written as a block and the head and
// WAL are truncated to its end; then the planner (tsdb/compact/planner.h) picks blocks to merge
// (overlapping ones first, then levels 2h -> 6h -> 18h ... up to max_block_duration_ms), each
// merge is written as a new block and its parents are deleted only after it was fully written
// and fsynced (a crash in between leaves parents that startup deletes, as their child lists
// them); last, blocks beyond time or size retention are deleted. Queries merge the head with the
// blocks that overlap them (tsdb/compact/merge_querier.h).
//
// Open removes leftover <ULID>.tmp-for-creation / .tmp-for-deletion dirs, opens every block
// (a bad block is logged and skipped, never fatal), deletes blocks superseded by a compaction or
// beyond retention, and replays the WAL for data after the newest block.
//
// Thread-safe: appenders and queriers may be used from any number of threads; Compact,
// Truncate, Sync and Close serialize among themselves.
#ifndef SUNDIAL_TSDB_DB_DB_H_
#define SUNDIAL_TSDB_DB_DB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/file_system.h"
#include "base/metrics_registry.h"
#include "tsdb/block/block.h"
#include "tsdb/compact/planner.h"
#include "tsdb/db/dir_lock.h"
#include "tsdb/db/tombstone_querier.h"
#include "tsdb/db/wal_head_log.h"
#include "tsdb/db/wal_replay.h"
#include "tsdb/exemplars/circular_storage.h"
#include "tsdb/exemplars/exemplar_metrics.h"
#include "tsdb/head.h"
#include "tsdb/head_chunks/chunk_disk_mapper.h"
#include "tsdb/head_chunks/format.h"
#include "tsdb/storage.h"
#include "tsdb/wal/format.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb {

namespace block {
struct BlockWriterOptions;
}  // namespace block

struct DbOptions {
  std::string dir;  // the data directory; created if missing
  // Snappy-compress WAL records (Prometheus' --storage.tsdb.wal-compression).
  bool wal_compression = false;
  // REQUIRES: a positive multiple of 32 KiB.
  int64_t wal_segment_size = wal::kDefaultSegmentSize;
  // --storage.tsdb.retention.time (15d by default): Compact() deletes blocks that end more than
  // this before the newest block ends, and truncates the head to its newest sample minus this
  // (which matters only when the retention is shorter than 1.5 block ranges).
  int64_t retention_ms = int64_t{15} * 24 * 60 * 60 * 1000;
  // --storage.tsdb.retention.size in bytes: when blocks, WAL and chunks_head/ together exceed
  // it, the oldest blocks go. 0: no size limit.
  int64_t retention_size_bytes = 0;
  // --storage.tsdb.min-block-duration: the range of blocks cut from the head. REQUIRES: > 0.
  int64_t block_range_ms = kDefaultMinBlockDurationMs;
  // --storage.tsdb.max-block-duration: the longest block level compaction makes. 0: 31d or 10% of
  // retention_ms, whichever is smaller (Prometheus' default). Equal to block_range_ms: no level
  // compaction (blocks stay as cut from the head, as a Thanos sidecar wants).
  int64_t max_block_duration_ms = 0;
  int64_t out_of_order_window_ms = 0;
  ChunkOptions chunks = {};
  // Closed head chunks go to dir/chunks_head/ and are served from an mmap (as Prometheus always
  // does). false keeps them in memory and leaves chunks_head/ alone (for comparisons).
  bool mmap_head_chunks = true;
  // Capacity of the exemplar storage (--enable-feature=exemplar-storage with
  // storage.exemplars.max_exemplars); 0 keeps no exemplars. Resizable with ResizeExemplars.
  int64_t max_exemplars = 0;
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
  int64_t mmapped_chunks = 0;       // chunks read back from chunks_head/
  int64_t mmapped_samples = 0;      // WAL samples skipped as already in those chunks
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
  // A querier merging the blocks that overlap [mint, maxt] (oldest first) with the head, which
  // serves from no earlier than its minimum time (data before a Truncate's mint is not served
  // even where the head still holds its chunk). Samples with equal timestamps in several of them
  // are yielded once, the first block's winning. It must not outlive the DB.
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) override;

  // The periodic maintenance step (see the file comment): head compaction, head truncation to
  // the retention window, level compaction, retention. Stops at the first error; a failed level
  // compaction marks its parents as failed so that the planner skips them later.
  absl::Status Compact();
  // Drops head data before mint, then checkpoints the WAL: every completed segment is replaced by
  // a checkpoint of the series still in the head and their samples at or after mint, and the
  // segments it covers are deleted. A failed checkpoint deletes nothing.
  absl::Status Truncate(Timestamp mint);

  // db_admin.cc (Prometheus' DB.Delete, CleanTombstones and Snapshot). Each serializes with
  // Compact.
  //
  // Deletes the samples in [mint, maxt] (both inclusive) of the series matching all matchers.
  // Every block overlapping the range gets tombstones for its matching series that have a chunk
  // in it (clamped to the series' data; the block's tombstones file and meta.json are rewritten
  // and the block reopened); in the head, a tombstones record is logged to the WAL first, then
  // the deletions apply in memory (a restart replays them). Queries stop returning the samples
  // at once; the data goes when the block is compacted or cleaned, or when head compaction
  // writes the block without it.
  absl::Status Delete(Timestamp mint, Timestamp maxt, std::span<const Matcher> matchers);
  // Rewrites every block that has tombstones into a new block without the deleted data (level 1,
  // itself as source, the old block as parent, as Prometheus does) and deletes the old block
  // once the new one is durable. A crash in between leaves both; Open deletes the parent.
  // A block whose data was all deleted is just deleted.
  absl::Status CleanTombstones();
  // Hard-links the files of every block into dir/<ULID>/ and, with with_head, writes the head
  // (deletions applied) as one more block into dir. dir is created if missing; it must not be
  // the DB's dir. The result is a data directory that DB::Open and promtool read.
  absl::Status Snapshot(const std::string& dir, bool with_head);
  // Deleted intervals the head holds (for tests and logs).
  uint64_t NumHeadTombstones() const;

  // fsyncs the WAL: every commit acknowledged so far survives a power loss.
  absl::Status Sync();
  // Syncs and closes the WAL and releases the lock. Later calls fail; idempotent.
  absl::Status Close();

  const Head& head() const { return head_; }
  // The head's exemplars (Prometheus keeps them in memory only, replayed from the WAL).
  const CircularExemplarStorage& exemplars() const { return exemplars_; }
  // Changes the exemplar capacity (config reload), keeping the newest exemplars.
  void ResizeExemplars(int64_t max_exemplars) { exemplars_.Resize(max_exemplars); }
  // Metas of the open blocks, by min time.
  std::vector<block::BlockMeta> Blocks() const;
  // The compaction ranges in use (block_range_ms first).
  const std::vector<int64_t>& compaction_ranges() const { return ranges_; }
  const ReplayStats& replay_stats() const { return replay_stats_; }
  const std::string& dir() const { return options_.dir; }

 private:
  class Metrics;
  DB(DbOptions options, FileSystem* fs);
  absl::Status Init();
  absl::Status TruncateLocked(Timestamp mint) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Opens chunks_head/ and returns the chunks the replay may give to series.
  absl::StatusOr<MmappedChunks> LoadHeadChunks();

  // db_blocks.cc: blocks, compaction, retention.
  absl::Status LoadBlocks();
  absl::Status CompactHead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  absl::Status CompactBlocks() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  // Counts a reload (Prometheus' reloadBlocks, which applies retention) around
  // ApplyRetentionUncounted.
  absl::Status ApplyRetention();
  absl::Status ApplyRetentionUncounted();
  // block::WriteBlock into the data dir, timed and counted for the compaction metrics.
  absl::StatusOr<block::BlockMeta> WriteBlockTimed(Querier& q, Timestamp mint, Timestamp maxt,
                                                   const block::BlockWriterOptions& options);
  // Drops the blocks from the open set, then renames each dir to .tmp-for-deletion and removes
  // it. Missing ULIDs are ignored.
  absl::Status DeleteBlocks(const std::vector<std::string>& ulids);
  // Rewrites a block's meta.json with `mark` applied and reopens the block.
  absl::Status MarkBlock(const std::string& ulid, bool failed, bool deletable);
  std::vector<std::shared_ptr<block::Block>> BlocksSnapshot() const;
  // The head's querier with its deletions applied.
  absl::StatusOr<std::unique_ptr<Querier>> HeadQuerier(Timestamp mint, Timestamp maxt);
  // db_admin.cc.
  absl::Status DeleteInBlock(const std::shared_ptr<block::Block>& b, Timestamp mint, Timestamp maxt,
                             std::span<const Matcher> matchers)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  absl::Status CleanTombstonesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  absl::Status DeleteInHead(Timestamp mint, Timestamp maxt, std::span<const Matcher> matchers)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  void AddBlock(std::shared_ptr<block::Block> b);

  const DbOptions options_;
  FileSystem* const fs_;
  const std::string wal_dir_;
  WalHeadLog log_;                     // before head_: the head logs to it
  CircularExemplarStorage exemplars_;  // before head_: the head stores into it
  std::unique_ptr<ExemplarMetrics> exemplar_metrics_;
  // dir/chunks_head: closed head chunks leave memory for it. Before head_: the head writes to it.
  head_chunks::ChunkDiskMapper chunk_mapper_;
  Head head_;
  HeadTombstones head_tombstones_;  // deletions in the head (DB::Delete, WAL replay)
  ReplayStats replay_stats_;
  std::unique_ptr<DirLock> lock_;

  std::vector<int64_t> ranges_;
  std::atomic<uint64_t> compactions_{0};         // blocks written by head or level compaction
  std::atomic<uint64_t> compactions_failed_{0};  // compactions that returned an error

  // Held for a whole Compact(), and by Close so that it waits for one in progress.
  absl::Mutex compact_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex blocks_mu_;
  // Open blocks, sorted by min time (ties by ULID).
  std::vector<std::shared_ptr<block::Block>> blocks_ ABSL_GUARDED_BY(blocks_mu_);

  // Counts for the self-metrics (db_metrics.h); before writer_, which counts into it.
  std::unique_ptr<Metrics> metrics_;
  absl::Mutex mu_;  // serializes maintenance and Close
  std::unique_ptr<wal::Writer> writer_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_DB_H_
