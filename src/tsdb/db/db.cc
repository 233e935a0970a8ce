#include "tsdb/db/db.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/compact/merge_querier.h"
#include "tsdb/db/db_metrics.h"
#include "tsdb/db/wal_replay.h"
#include "tsdb/wal/checkpoint.h"
#include "tsdb/wal/segments.h"

namespace sundial::tsdb {
namespace {

const Logger kLog("tsdb");

ChunkOptions WithSink(ChunkOptions options, ChunkSink* sink) {
  options.sink = sink;
  return options;
}

}  // namespace

DB::DB(DbOptions options, FileSystem* fs)
    : options_(std::move(options)),
      fs_(fs),
      wal_dir_(JoinPath(options_.dir, "wal")),
      exemplars_(options_.max_exemplars),
      exemplar_metrics_(std::make_unique<ExemplarMetrics>(&exemplars_, options_.registry)),
      head_(HeadOptions{.chunks = WithSink(options_.chunks, &chunk_mapper_),
                        .out_of_order_window_ms = options_.out_of_order_window_ms,
                        .log = &log_,
                        .exemplars = &exemplars_}),
      ranges_(CompactionRanges(options_.block_range_ms,
                               options_.max_block_duration_ms > 0
                                   ? options_.max_block_duration_ms
                                   : DefaultMaxBlockDuration(options_.retention_ms))) {}

absl::StatusOr<std::unique_ptr<DB>> DB::Open(DbOptions options, FileSystem* fs) {
  if (options.dir.empty()) return absl::InvalidArgumentError("DB directory must be set");
  if (options.wal_segment_size <= 0 || options.wal_segment_size % wal::kPageSize != 0) {
    return absl::InvalidArgumentError(
        StrCat("WAL segment size ", options.wal_segment_size, " is not a multiple of 32KiB"));
  }
  if (options.block_range_ms <= 0) {
    return absl::InvalidArgumentError(
        StrCat("block range must be positive, got ", options.block_range_ms));
  }
  if (fs == nullptr) fs = FileSystem::Default();
  std::unique_ptr<DB> db(new DB(std::move(options), fs));
  RETURN_IF_ERROR(db->Init());
  return db;
}

absl::Status DB::Init() {
  RETURN_IF_ERROR(fs_->CreateDirs(options_.dir));
  ASSIGN_OR_RETURN(lock_, DirLock::Acquire(fs_, options_.dir));
  metrics_ = std::make_unique<Metrics>();
  RETURN_IF_ERROR(LoadBlocks());

  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(MmappedChunks mmapped, LoadHeadChunks());
  int64_t mmapped_chunks = 0;
  uint64_t max_chunk_ref = 0;
  for (const auto& [ref, chunks] : mmapped) {
    mmapped_chunks += static_cast<int64_t>(chunks.size());
    max_chunk_ref = std::max(max_chunk_ref, ref);
  }
  ASSIGN_OR_RETURN(ReplayResult replay, ReplayWal(fs_, wal_dir_, &head_, &mmapped));
  mmapped.clear();  // chunks of series the WAL no longer has
#ifdef __GLIBC__
  // The replay's batches (tens of MiB per worker, freed by now) go back to the system, which
  // glibc's arenas would otherwise keep for the process' lifetime.
  malloc_trim(0);
#endif
  // Series created from now on get refs above every ref in the WAL and in chunks_head.
  const uint64_t ref_base = std::max(replay.max_wal_ref, max_chunk_ref);
  head_.SetChunkRefBase(ref_base);
  replay_stats_ = {.duration_seconds = absl::ToDoubleSeconds(absl::Now() - start),
                   .samples = replay.samples,
                   .rejected_samples = replay.rejected_samples,
                   .unknown_ref_samples = replay.unknown_ref_samples,
                   .corruptions = replay.corruptions,
                   .mmapped_chunks = mmapped_chunks,
                   .mmapped_samples = replay.mmapped_samples};
  kLog.Info("WAL replay completed", {{"dir", wal_dir_},
                                     {"series", static_cast<uint64_t>(head_.NumSeries())},
                                     {"mmapped_chunks", mmapped_chunks},
                                     {"mmapped_series", replay.mmapped_series},
                                     {"samples_in_mmapped_chunks", replay.mmapped_samples},
                                     {"samples", replay.samples},
                                     {"rejected_samples", replay.rejected_samples},
                                     {"unknown_ref_samples", replay.unknown_ref_samples},
                                     {"duration", StrCat(replay_stats_.duration_seconds, "s")}});
  // What the blocks hold is not served from the head (a crash after writing a block but before
  // truncating the WAL leaves it in both).
  Timestamp blocks_maxt = INT64_MIN;
  for (const auto& b : BlocksSnapshot()) blocks_maxt = std::max(blocks_maxt, b->meta().max_time);
  if (blocks_maxt != INT64_MIN && head_.MinTime() < blocks_maxt) {
    head_.Truncate(blocks_maxt);
    RETURN_IF_ERROR(chunk_mapper_.Truncate(blocks_maxt));
  }
  // Deletions logged to the WAL, for the series still in the head.
  std::vector<std::pair<Labels, block::Interval>> stones;
  for (const WalHeadLog::Stone& st : replay.tombstones) {
    Labels labels;
    if (head_.LabelsOf(st.ref, &labels)) stones.push_back({std::move(labels), {st.mint, st.maxt}});
  }
  head_tombstones_.Add(stones);
  if (head_.MinTime() != INT64_MAX) head_tombstones_.TruncateBefore(head_.MinTime());

  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(writer_, wal::Writer::Open(fs_, wal_dir_,
                                              {.segment_size = options_.wal_segment_size,
                                               .compress = options_.wal_compression,
                                               .stats = &metrics_->wal}));
  log_.Attach(writer_.get(), ref_base, std::move(replay.entries), std::move(replay.aliases));
  metrics_->Register(this, options_.registry);
  return absl::OkStatus();
}

absl::StatusOr<MmappedChunks> DB::LoadHeadChunks() {
  MmappedChunks out;
  // The files are mmapped: only on the real file system (a test's MemFileSystem keeps closed
  // chunks in memory).
  if (fs_ != FileSystem::Default() || !options_.mmap_head_chunks) return out;
  std::vector<head_chunks::LoadedChunk> loaded;
  head_chunks::OpenStats stats;
  RETURN_IF_ERROR(chunk_mapper_.Open(JoinPath(options_.dir, "chunks_head"), &loaded, &stats));
  if (stats.deleted_files > 0) metrics_->mmap_chunk_corruptions.fetch_add(1);
  if (options_.out_of_order_window_ms > 0) return out;
  int64_t dropped = 0;
  absl::flat_hash_set<uint64_t> out_of_sequence;
  for (head_chunks::LoadedChunk& c : loaded) {
    // Out-of-order and non-XOR (histogram) chunks of a Prometheus head: the WAL has them.
    if (c.encoding != head_chunks::kEncXor || out_of_sequence.contains(c.series_ref)) {
      ++dropped;
      continue;
    }
    std::vector<std::shared_ptr<const ClosedChunk>>& chunks = out[c.series_ref];
    if (!chunks.empty() && chunks.back()->maxt >= c.chunk->mint) {
      // Out of sequence: the series is rebuilt from the WAL alone (Prometheus discards them too).
      dropped += static_cast<int64_t>(chunks.size()) + 1;
      out.erase(c.series_ref);
      out_of_sequence.insert(c.series_ref);
      continue;
    }
    chunks.push_back(std::move(c.chunk));
  }
  kLog.Info("Head chunks loaded", {{"files", stats.files},
                                   {"chunks", stats.chunks},
                                   {"deleted_corrupt_files", stats.deleted_files},
                                   {"chunks_not_used", dropped}});
  return out;
}

DB::~DB() {
  absl::Status status = Close();
  if (!status.ok()) kLog.Error("Closing the DB failed", {{"dir", options_.dir}, {"err", status}});
}

std::unique_ptr<Appender> DB::NewAppender() { return head_.NewAppender(); }

absl::StatusOr<std::unique_ptr<Querier>> DB::NewQuerier(Timestamp mint, Timestamp maxt) {
  std::vector<std::unique_ptr<Querier>> queriers;
  for (const std::shared_ptr<block::Block>& b : BlocksSnapshot()) {
    if (b->meta().min_time > maxt || b->meta().max_time <= mint) continue;
    ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, b->NewQuerier(mint, maxt));
    queriers.push_back(std::move(q));
  }
  // The head drops whole chunks only; as in Prometheus, what is left before its minimum time
  // (raised by Truncate) is not served, so a query sees the same data before and after a
  // restart.
  const Timestamp head_mint = head_.MinTime();
  if (head_mint != INT64_MAX) mint = std::max(mint, head_mint);
  ASSIGN_OR_RETURN(std::unique_ptr<Querier> head, HeadQuerier(mint, maxt));
  queriers.push_back(std::move(head));
  return NewMergeQuerier(std::move(queriers));
}

absl::StatusOr<std::unique_ptr<Querier>> DB::HeadQuerier(Timestamp mint, Timestamp maxt) {
  ASSIGN_OR_RETURN(std::unique_ptr<Querier> head, head_.NewQuerier(mint, maxt));
  return NewTombstoneQuerier(std::move(head), head_tombstones_.Snapshot());
}

absl::Status DB::Compact() {
  absl::MutexLock compact_lock(&compact_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError("DB is closed");
  }
  metrics_->compactions_triggered.fetch_add(1);
  RETURN_IF_ERROR(CompactHead());
  const Timestamp maxt = head_.MaxTime();
  if (maxt != INT64_MIN) {
    const Timestamp mint = maxt - options_.retention_ms;
    if (mint > head_.MinTime()) RETURN_IF_ERROR(Truncate(mint));
  }
  RETURN_IF_ERROR(CompactBlocks());
  return ApplyRetention();
}

absl::Status DB::Truncate(Timestamp mint) {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("DB is closed");
  metrics_->truncations.fetch_add(1);
  absl::Status status = TruncateLocked(mint);
  if (!status.ok()) metrics_->truncation_failures.fetch_add(1);
  return status;
}

absl::Status DB::TruncateLocked(Timestamp mint) {
  const absl::Time gc_start = absl::Now();
  head_.Truncate(mint);
  metrics_->head_gc_duration.Observe(absl::ToDoubleSeconds(absl::Now() - gc_start));
  head_tombstones_.TruncateBefore(mint);
  RETURN_IF_ERROR(chunk_mapper_.Truncate(mint));

  // Everything logged so far goes into completed segments, which the checkpoint then covers.
  // wal_truncate_duration times only truncations that checkpoint, as Prometheus' truncateWAL.
  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(const int current, writer_->NextSegment());
  ASSIGN_OR_RETURN(std::vector<int> segments, wal::ListSegments(fs_, wal_dir_));
  if (segments.empty() || segments.front() >= current) return absl::OkStatus();
  const int first = segments.front();
  const int last = current - 1;

  // Series created from here on are logged to the current segment, which stays.
  const absl::flat_hash_set<uint64_t> live =
      log_.RetainLive(mint, [this](SeriesRef ref) { return !head_.ChunksOf(ref).empty(); });
  metrics_->checkpoints.fetch_add(1);
  absl::StatusOr<wal::CheckpointStats> stats = wal::Checkpoint(
      fs_, wal_dir_, first, last, [&live](uint64_t ref) { return live.contains(ref); }, mint,
      options_.wal_compression);
  if (!stats.ok()) {
    metrics_->checkpoint_failures.fetch_add(1);
    return stats.status();
  }
  RETURN_IF_ERROR(writer_->Truncate(last + 1));
  metrics_->checkpoint_deletions.fetch_add(1);
  if (absl::Status s = wal::DeleteCheckpoints(fs_, wal_dir_, last); !s.ok()) {
    metrics_->checkpoint_deletion_failures.fetch_add(1);
    return s;
  }
  metrics_->wal_truncate_duration.Observe(absl::ToDoubleSeconds(absl::Now() - start));
  kLog.Info("WAL checkpoint complete",
            {{"first", first},
             {"last", last},
             {"mint", mint},
             {"series_kept", stats->total_series - stats->dropped_series},
             {"samples_kept", stats->total_samples - stats->dropped_samples},
             {"duration", StrCat(absl::ToDoubleSeconds(absl::Now() - start), "s")}});
  return absl::OkStatus();
}

absl::Status DB::Sync() {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::FailedPreconditionError("DB is closed");
  return writer_->Sync();
}

absl::Status DB::Close() {
  absl::MutexLock compact_lock(&compact_mu_);  // waits for a compaction in progress
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  // The writer object stays: commits racing with Close get its "closed" error.
  absl::Status status = writer_ != nullptr ? writer_->Close() : absl::OkStatus();
  absl::Status chunks_status = chunk_mapper_.Close();
  if (status.ok()) status = chunks_status;
  if (metrics_ != nullptr) metrics_->Unregister();
  {
    absl::MutexLock blocks_lock(&blocks_mu_);
    blocks_.clear();  // queriers still open keep their blocks alive
  }
  lock_.reset();
  return status;
}

}  // namespace sundial::tsdb
