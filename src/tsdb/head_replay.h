// HeadReplayer: WAL replay's direct way into the head. Samples go straight into their series —
// no appender, no pin, no batch and no log per sample — with exactly the checks an appender
// makes, so a replayed head equals the head that logged the WAL.
//
//   HeadReplayer r(&head);
//   MemSeries* s = r.GetOrCreate(labels, &created);
//   MemSeries* s = r.Create(r.ReserveRef(), labels, labels.Hash(), wal_ref);  // known new
//   r.Index({&s, 1});
//   HeadReplayer::Limits lim = r.LimitsAt(newest_time_so_far);   // per logged commit
//   HeadReplayer::Range range;
//   absl::Status st = r.Append(s, t, v, lim, &range);            // any thread, series lock
//   r.ExtendTimeRange(range);                                    // once the samples are in
//   r.SortIndex();                                               // once the series are in
//
// REQUIRES: while a HeadReplayer is used nothing else appends to, truncates or garbage-collects
// the head, so series pointers stay valid without pins. Create, Index, Append, AttachChunks,
// NewestTime and SortIndex are thread-safe (Append and NewestTime take the series lock, Index and
// SortIndex the postings lock; AppendExclusive needs the series to itself); the rest must be
// called from one thread.
#ifndef SUNDIAL_TSDB_HEAD_REPLAY_H_
#define SUNDIAL_TSDB_HEAD_REPLAY_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/head.h"

namespace sundial::tsdb {

class HeadReplayer {
 public:
  explicit HeadReplayer(Head* head) : head_(head) {}

  // What an appender accepts when the head's newest sample is at max_time (INT64_MIN: empty).
  struct Limits {
    Timestamp min_valid_time = INT64_MIN;
    Timestamp ooo_min_time = INT64_MIN;
    bool ooo = false;
  };
  Limits LimitsAt(Timestamp max_time) const;

  // The oldest sample appended and the newest in-order one, as a commit extends the head.
  struct Range {
    Timestamp mint = INT64_MAX;
    Timestamp maxt = INT64_MIN;
  };

  // The series with these labels, created (labels moved into it) and indexed if absent
  // (*created tells which). REQUIRES: labels non-empty.
  MemSeries* GetOrCreate(Labels labels, bool* created);
  // A head ref for a series Create makes later, perhaps on another thread (refs follow the
  // order of ReserveRef and GetOrCreate calls, not of the creations).
  SeriesRef ReserveRef() { return head_->series_.ReserveRef(); }
  // Creates the series with these labels (of this hash) under a reserved ref, carrying
  // chunks_head ref chunk_ref; Index must follow. Thread-safe. REQUIRES: labels non-empty, and
  // no series has them or gets them meanwhile (the caller knows every label set it created).
  MemSeries* Create(SeriesRef ref, Labels labels, uint64_t hash, uint64_t chunk_ref);
  // Adds series made by Create to the postings index, under one lock. Thread-safe.
  void Index(std::span<MemSeries* const> series);

  // Appends one sample to s as an appender with these limits would, Append and Commit in one:
  // OK if it was appended or ignored (the same value again), else the appender's error. Extends
  // *range by what was appended. If chunk_ref != 0 and the sample is accepted, s carries
  // chunks_head ref chunk_ref before it is appended.
  absl::Status Append(MemSeries* s, Timestamp t, double v, const Limits& limits, Range* range,
                      uint64_t chunk_ref = 0);
  // Append without the series lock, for the one thread that touches s: REQUIRES no other thread
  // accesses s meanwhile, and a hand-off through a mutex orders this thread's accesses with
  // those of the others before and after (ReplayShards queues and drains under its mutexes).
  absl::Status AppendExclusive(MemSeries* s, Timestamp t, double v, const Limits& limits,
                               Range* range) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    // Inline, as the replay's workers call it for every sample.
    if (AppendNewest(s, t, v, limits, range)) return absl::OkStatus();
    return AppendLocked(s, t, v, limits, range, 0);
  }

  // s carries chunks_head ref chunk_ref and, if it has no samples yet, gets `chunks` (oldest
  // first). Returns the newest time of the chunks it got (INT64_MIN for none); the head's time
  // range covers them.
  Timestamp AttachChunks(MemSeries* s, uint64_t chunk_ref,
                         std::vector<std::shared_ptr<const ClosedChunk>> chunks);
  void SetChunkRef(MemSeries* s, uint64_t chunk_ref);

  // The newest sample s holds, in order or not; INT64_MIN if none.
  static Timestamp NewestTime(MemSeries* s);

  void ExtendTimeRange(const Range& range);
  // Puts the postings of the series created in order (Create and GetOrCreate index them
  // unsorted, as they come from several threads). REQUIRES: after the last of them, before
  // the head is read.
  void SortIndex();

 private:
  // Append's placement and append, with s->mu() held.
  absl::Status AppendLocked(MemSeries* s, Timestamp t, double v, const Limits& limits, Range* range,
                            uint64_t chunk_ref) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu());
  // The common case, which Appendable places in order: a sample in bounds and newer than the
  // series' newest is appended. False, with nothing done, for any other.
  bool AppendNewest(MemSeries* s, Timestamp t, double v, const Limits& limits, Range* range)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu()) {
    if (t < limits.min_valid_time || t <= s->max_time()) return false;
    s->AppendInOrder(t, v, head_->options_.chunks);
    range->maxt = std::max(range->maxt, t);
    range->mint = std::min(range->mint, t);
    return true;
  }

  Head* const head_;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_HEAD_REPLAY_H_
