// MemSeries: one series in the head — its labels, its closed XOR chunks, the open head chunk,
// and the out-of-order samples — plus the chunk cutting policy (Prometheus' appendPreprocessor).
//
// Internal to the head. Every method except ref(), labels() and the pin methods requires the
// caller to hold mu().
#ifndef SUNDIAL_TSDB_SERIES_H_
#define SUNDIAL_TSDB_SERIES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "tsdb/storage.h"
#include "tsdb/xor_chunk.h"

namespace sundial::tsdb {

struct ChunkOptions {
  // Chunks never span a multiple of this (the block range): 2h as in Prometheus.
  int64_t chunk_range_ms = 2 * 60 * 60 * 1000;
  // The target sample count; a chunk is cut early once it holds twice this many. REQUIRES: >= 4.
  int samples_per_chunk = 120;
};

// The end of the chunk range holding t: (t / width) * width + width, as Prometheus computes it
// (truncating division, also for negative t).
Timestamp RangeForTimestamp(Timestamp t, int64_t width);

// When a chunk that started at `start`, is a quarter full at `cur` and must end by `max` should
// end so that the rest of the range splits into equally sized chunks (Prometheus'
// computeChunkEndTime).
Timestamp ComputeChunkEndTime(Timestamp start, Timestamp cur, Timestamp max);

// A chunk that no longer changes. Shared with readers, which keep it alive after truncation.
struct ClosedChunk {
  Timestamp mint;
  Timestamp maxt;
  int num_samples;
  std::string bytes;
};

struct ChunkMeta {
  Timestamp mint;
  Timestamp maxt;
  int num_samples;
  friend bool operator==(const ChunkMeta&, const ChunkMeta&) = default;
};

// What readers copy out of series under their locks, for many series back to back (one
// Select): it stays valid and consistent after the locks are released, whatever appenders and
// truncation do. Closed chunks are shared, not copied; only the open chunk's bytes are.
struct SnapshotArena {
  std::vector<std::shared_ptr<const ClosedChunk>> chunks;  // per series in time order
  std::string open_bytes;                                  // copies of open chunks
  std::vector<std::pair<Timestamp, double>> out_of_order;  // per series sorted by timestamp
};

// One series' part of a SnapshotArena.
struct SnapshotRange {
  uint32_t chunks_begin = 0, chunks_end = 0;
  uint32_t ooo_begin = 0, ooo_end = 0;
  size_t open_offset = 0, open_size = 0;  // open_size 0: no open chunk in range
  Timestamp open_maxt = 0;
};

class MemSeries {
 public:
  MemSeries(SeriesRef ref, Labels labels) : ref_(ref), labels_(std::move(labels)) {}
  MemSeries(const MemSeries&) = delete;
  MemSeries& operator=(const MemSeries&) = delete;

  SeriesRef ref() const { return ref_; }
  const Labels& labels() const { return labels_; }
  absl::Mutex& mu() const ABSL_LOCK_RETURNED(mu_) { return mu_; }

  // Where a sample goes, decided by Appendable().
  enum class Placement { kInOrder, kOutOfOrder, kIgnore };

  // Prometheus' memSeries.appendable. Samples at or after min_valid_time and after the newest
  // sample go in order; the newest timestamp again is ignored if the value is bit-equal and a
  // duplicate otherwise. With ooo_enabled, older samples at or after ooo_min_time go out of
  // order (the same duplicate rule applies among them) and older ones are too old; without it
  // they are out of bounds (before min_valid_time) or out of order.
  absl::StatusOr<Placement> Appendable(Timestamp t, double v, Timestamp min_valid_time,
                                       Timestamp ooo_min_time, bool ooo_enabled) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Appends an in-order sample, cutting a new head chunk as Prometheus does. REQUIRES:
  // Appendable() returned kInOrder for it.
  void AppendInOrder(Timestamp t, double v, const ChunkOptions& options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inserts an out-of-order sample. REQUIRES: Appendable() returned kOutOfOrder for it.
  void InsertOutOfOrder(Timestamp t, double v) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Appends what overlaps [mint, maxt] to *arena and describes it in *out. False (and the
  // arena unchanged) if nothing does.
  bool Snapshot(Timestamp mint, Timestamp maxt, SnapshotArena* arena, SnapshotRange* out) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Drops chunks that end before mint and out-of-order samples before mint.
  void TruncateBefore(Timestamp mint) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // No samples left.
  bool Empty() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Appenders holding this series between Append and Commit/Rollback pin it; a pinned series is
  // never garbage-collected. No lock needed: the registry pins only under a stripe lock that its
  // garbage collection holds too (see StripeSeries).
  void Pin() { pins_.fetch_add(1, std::memory_order_relaxed); }
  void Unpin() { pins_.fetch_sub(1, std::memory_order_release); }
  bool pinned() const { return pins_.load(std::memory_order_acquire) > 0; }

  // The in-order chunks, oldest first, the open one last.
  std::vector<ChunkMeta> InOrderChunks() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Timestamp max_time() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return max_time_; }

 private:
  void CutHeadChunk(Timestamp mint, const ChunkOptions& options) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SeriesRef ref_;
  const Labels labels_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<const ClosedChunk>> closed_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<XorChunk> head_ ABSL_GUARDED_BY(mu_);  // null until the first sample
  Timestamp head_mint_ ABSL_GUARDED_BY(mu_) = 0;
  Timestamp next_at_ ABSL_GUARDED_BY(mu_) = INT64_MIN;   // cut the head chunk at or after this
  Timestamp max_time_ ABSL_GUARDED_BY(mu_) = INT64_MIN;  // newest in-order sample ever
  double last_value_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::pair<Timestamp, double>> out_of_order_ ABSL_GUARDED_BY(mu_);  // sorted
  std::atomic<int> pins_{0};
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_SERIES_H_
