// MemSeries: one series in the head — its labels, its closed XOR chunks, the open head chunk,
// and the out-of-order samples — plus the chunk cutting policy (Prometheus' appendPreprocessor).
//
// Internal to the head. Every method except ref(), labels() and the pin methods requires the
// caller to hold mu().
#ifndef SUNDIAL_TSDB_SERIES_H_
#define SUNDIAL_TSDB_SERIES_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "tsdb/storage.h"
#include "tsdb/xor_chunk.h"

namespace sundial::tsdb {

class ChunkSink;

struct ChunkOptions {
  // Chunks never span a multiple of this (the block range): 2h as in Prometheus.
  int64_t chunk_range_ms = 2 * 60 * 60 * 1000;
  // The target sample count; a chunk is cut early once it holds twice this many. REQUIRES: >= 4.
  int samples_per_chunk = 120;
  // Not owned. Set by the DB: closed chunks of series with a chunks_head ref go there and leave
  // memory. Null: closed chunks stay in memory.
  ChunkSink* sink = nullptr;
  // Not owned. Set by the head: counts every chunk a series starts (head_chunks_created_total).
  std::atomic<uint64_t>* chunks_created = nullptr;
};

// The end of the chunk range holding t: (t / width) * width + width, as Prometheus computes it
// (truncating division, also for negative t).
Timestamp RangeForTimestamp(Timestamp t, int64_t width);

// When a chunk that started at `start`, is a quarter full at `cur` and must end by `max` should
// end so that the rest of the range splits into equally sized chunks (Prometheus'
// computeChunkEndTime).
Timestamp ComputeChunkEndTime(Timestamp start, Timestamp cur, Timestamp max);

// A chunk that no longer changes. Shared with readers, which keep it alive after truncation —
// and with it the read-only file mapping its bytes are in once it was written to chunks_head/.
class ClosedChunk {
 public:
  // A chunk held in memory.
  ClosedChunk(Timestamp mint, Timestamp maxt, int num_samples, std::string bytes)
      : mint(mint), maxt(maxt), num_samples(num_samples), memory_(std::move(bytes)) {}
  // A chunk written to disk at disk_ref (!= 0) whose bytes are in a mapping `mapping` keeps
  // alive. REQUIRES: the bytes were written to the file before this is made.
  ClosedChunk(Timestamp mint, Timestamp maxt, int num_samples, std::string_view bytes,
              std::shared_ptr<const void> mapping, uint64_t disk_ref)
      : mint(mint),
        maxt(maxt),
        num_samples(num_samples),
        mapped_(bytes),
        mapping_(std::move(mapping)),
        disk_ref_(disk_ref) {}
  ClosedChunk(const ClosedChunk&) = delete;
  ClosedChunk& operator=(const ClosedChunk&) = delete;

  std::string_view bytes() const { return disk_ref_ != 0 ? mapped_ : std::string_view(memory_); }
  // Where the chunk is in chunks_head/ (file seq << 32 | offset); 0 while only in memory.
  uint64_t disk_ref() const { return disk_ref_; }

  const Timestamp mint;
  const Timestamp maxt;
  const int num_samples;

 private:
  const std::string memory_;
  const std::string_view mapped_;
  const std::shared_ptr<const void> mapping_;
  const uint64_t disk_ref_ = 0;
};

// Where series put the chunks they close: the chunks_head/ files of the DB.
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  // Writes chunk, which belongs to the series with chunks_head ref series_ref, and returns the
  // on-disk copy to keep instead; null (logged by the sink) keeps the chunk in memory.
  // Thread-safe; called under a series lock, so it must not call into the head.
  virtual std::shared_ptr<const ClosedChunk> Persist(uint64_t series_ref,
                                                     const ClosedChunk& chunk) = 0;
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
  // The open chunk's newest sample, and the one before it (open_prev_t INT64_MIN if none).
  Timestamp open_maxt = 0, open_prev_t = INT64_MIN;
  double open_last = 0, open_prev = 0;
  // resume_read > 0: the range's first chunk (of resume_total samples) is read from checkpoint
  // `resume`, taken after its sample resume_read at or before the range's start. If that chunk
  // is the open one, the arena holds only its XorTail.
  uint16_t resume_read = 0, resume_total = 0;
  XorCheckpoint resume;
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
  // Appendable() returned kInOrder for it. Inline: WAL replay calls it for every sample.
  void AppendInOrder(Timestamp t, double v, const ChunkOptions& options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (head_ == nullptr) CutHeadChunk(t, options);
    const int n = head_->NumSamples();
    // A quarter full: predict an end time that spreads the rest of the range evenly.
    if (n == options.samples_per_chunk / 4) {
      next_at_ = ComputeChunkEndTime(head_mint_, max_time_, next_at_);
    }
    // Twice the target means the rate went up since the prediction: cut now.
    if (t >= next_at_ || n >= 2 * options.samples_per_chunk || n >= XorChunk::kMaxSamples) {
      CutHeadChunk(t, options);
    }
    // The newest sample becomes the one before, while the open chunk holds both.
    prev_time_ = head_->NumSamples() > 0 ? max_time_ : INT64_MIN;
    prev_value_ = last_value_;
    head_->Append(t, v);
    max_time_ = t;
    last_value_ = v;
  }
  // Inserts an out-of-order sample. REQUIRES: Appendable() returned kOutOfOrder for it.
  void InsertOutOfOrder(Timestamp t, double v) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Appends what overlaps [mint, maxt] to *arena and describes it in *out; false (the arena
  // unchanged) if nothing does.
  bool Snapshot(Timestamp mint, Timestamp maxt, SnapshotArena* arena, SnapshotRange* out) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether Snapshot would take anything, copying nothing.
  bool Overlaps(Timestamp mint, Timestamp maxt) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return FindOverlap(mint, maxt).any();
  }

  // The series ref its chunks carry in chunks_head/ (the WAL's ref for it); 0 until set, and
  // while 0 closed chunks stay in memory. Chunks closed before it was set are written at the
  // next cut, oldest first, so the chunks on disk are always the oldest ones.
  void set_chunk_series_ref(uint64_t ref) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    chunk_series_ref_ = ref;
  }
  // Restores chunks read back from chunks_head/ (oldest first, non-empty): they become the
  // series' closed chunks and its newest sample is theirs. REQUIRES: Empty().
  void AttachChunks(std::vector<std::shared_ptr<const ClosedChunk>> chunks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Drops chunks that end before mint and out-of-order samples before mint; returns how many
  // in-order chunks (as InOrderChunks counts them) it dropped.
  size_t TruncateBefore(Timestamp mint) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // No samples left.
  bool Empty() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Appenders holding this series between Append and Commit/Rollback pin it; a pinned series is
  // never garbage-collected. No lock needed: the registry pins only under a stripe lock that its
  // garbage collection holds too (see StripeSeries).
  void Pin() { pins_.fetch_add(1, std::memory_order_relaxed); }
  void Unpin() { pins_.fetch_sub(1, std::memory_order_release); }
  bool pinned() const { return pins_.load(std::memory_order_acquire) > 0; }

  // Cache hints for a loop that appends to many series (WAL replay): call Prefetch(0) some
  // samples ahead of a series' append, Prefetch(1) fewer and Prefetch(2) fewer still; each
  // stage fetches what the next one and the append read. Changes nothing. REQUIRES: no other
  // thread changes the series meanwhile.
  void Prefetch(int stage) const ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (stage == 0) {
      for (size_t off = 0; off < sizeof(MemSeries); off += 64) {
        __builtin_prefetch(reinterpret_cast<const char*>(this) + off);
      }
    } else if (head_ != nullptr && stage == 1) {
      __builtin_prefetch(head_.get());
    } else if (head_ != nullptr) {
      const std::string_view b = head_->bytes();
      __builtin_prefetch(b.data());
      __builtin_prefetch(b.data() + b.size(), 1);
    }
  }

  // The in-order chunks, oldest first, the open one last.
  std::vector<ChunkMeta> InOrderChunks() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Timestamp max_time() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return max_time_; }
  // The newest sample held, in order or out of order; INT64_MIN if none ever was.
  Timestamp newest_time() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return out_of_order_.empty() ? max_time_ : std::max(max_time_, out_of_order_.back().first);
  }

 private:
  // What overlaps a time range: closed_[first, last), the open chunk, out_of_order_[ooo, ooo_end).
  struct Overlap {
    size_t first, last;
    bool open;
    size_t ooo, ooo_end;
    bool any() const { return last > first || open || ooo_end > ooo; }
  };
  Overlap FindOverlap(Timestamp mint, Timestamp maxt) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CutHeadChunk(Timestamp mint, const ChunkOptions& options) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the closed chunks still in memory to sink, oldest first, until one fails.
  void PersistClosed(ChunkSink* sink) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The value of the newest in-order sample.
  double LastValue() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SeriesRef ref_;
  const Labels labels_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<const ClosedChunk>> closed_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<XorChunk> head_ ABSL_GUARDED_BY(mu_);  // null until the first sample
  Timestamp head_mint_ ABSL_GUARDED_BY(mu_) = 0;
  Timestamp next_at_ ABSL_GUARDED_BY(mu_) = INT64_MIN;   // cut the head chunk at or after this
  Timestamp max_time_ ABSL_GUARDED_BY(mu_) = INT64_MIN;  // newest in-order sample ever
  double last_value_ ABSL_GUARDED_BY(mu_) = 0;           // valid while the open chunk has samples
  // The open chunk's sample before its newest; prev_time_ INT64_MIN while it has fewer than two.
  Timestamp prev_time_ ABSL_GUARDED_BY(mu_) = INT64_MIN;
  double prev_value_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t chunk_series_ref_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::pair<Timestamp, double>> out_of_order_ ABSL_GUARDED_BY(mu_);  // sorted
  std::atomic<int> pins_{0};
  // Last: appends and pins do not read these, and the fields above keep their cache lines.
  // The checkpoints of the newest closed chunk while it is the one starting at
  // closed_checkpoints_mint_: those it had as the open one, or, for a chunk restored from
  // chunks_head/, taken by the first Snapshot that can use them (mutable: Snapshot holds mu_
  // exclusively).
  mutable Timestamp closed_checkpoints_mint_ ABSL_GUARDED_BY(mu_) = INT64_MIN;
  mutable std::unique_ptr<const XorChunk::Checkpoints> closed_checkpoints_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_SERIES_H_
