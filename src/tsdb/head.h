// Head: the in-memory part of the TSDB — the series registry, the postings index, open and
// recently closed XOR chunks and out-of-order samples — written through Appenders and read
// through Queriers (tsdb/storage.h).
//
//   Head head(HeadOptions{.log = &wal});
//   std::unique_ptr<Appender> app = head.NewAppender();
//   ... app->Append(...); app->Commit();
//   ASSIGN_OR_RETURN(auto q, head.NewQuerier(mint, maxt));
//   head.Truncate(mint);   // after the older data went into a block
//
// Thread-safe: any number of appenders and queriers work concurrently; appends to one series
// serialize on that series' lock, queries copy what they read and never wait on more than one
// series lock at a time.
#ifndef SUNDIAL_TSDB_HEAD_H_
#define SUNDIAL_TSDB_HEAD_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "tsdb/exemplars/circular_storage.h"
#include "tsdb/head_log.h"
#include "tsdb/postings.h"
#include "tsdb/series.h"
#include "tsdb/storage.h"
#include "tsdb/stripe_series.h"

namespace sundial::tsdb {

struct HeadOptions {
  ChunkOptions chunks;
  // Samples up to this much older than the head's newest sample are accepted out of order (kept
  // apart per series and merged on read). 0 turns out-of-order ingestion off.
  int64_t out_of_order_window_ms = 0;
  // Not owned; must outlive the head. Null: commits log nothing.
  HeadLog* log = nullptr;
  // Where committed exemplars go. Not owned; must outlive the head. Null: exemplars are
  // accepted and dropped (Prometheus without --enable-feature=exemplar-storage).
  CircularExemplarStorage* exemplars = nullptr;
};

// Samples an appender refused, per reason: at Append, or dropped at Commit because a concurrent
// appender made them invalid after Append accepted them (Prometheus counts both the same way).
struct RefusedSampleCounts {
  uint64_t out_of_order = 0;
  uint64_t duplicate = 0;
  uint64_t out_of_bounds = 0;
  uint64_t too_old = 0;
};

// Event counts for the TSDB self-metrics (Prometheus' names in the comments), since the head was
// created.
struct HeadCounters {
  // Samples appenders refused, at Append or at Commit: out_of_order_samples_total,
  // out_of_bound_samples_total, too_old_samples_total (duplicates are not counted, as there).
  uint64_t out_of_order_rejected = 0;
  uint64_t out_of_bounds_rejected = 0;
  uint64_t too_old_rejected = 0;
  uint64_t out_of_order_appended = 0;  // head_out_of_order_samples_appended_total
  uint64_t series_removed = 0;         // head_series_removed_total (garbage-collected)
  uint64_t chunks_created = 0;    // head_chunks_created_total (cut, or loaded from chunks_head)
  uint64_t chunks_removed = 0;    // head_chunks_removed_total (in-order chunks truncated)
  int64_t active_appenders = 0;   // head_active_appenders (neither committed nor rolled back)
  uint64_t series_not_found = 0;  // head_series_not_found_total (refs a Select found collected)
};

// One entry of a cardinality top list.
struct CardinalityStat {
  std::string name;
  uint64_t count = 0;
  friend bool operator==(const CardinalityStat&, const CardinalityStat&) = default;
};

// The head's statistics as Prometheus' /api/v1/status/tsdb reports them (head_stats.cc).
struct HeadIndexStats {
  uint64_t num_series = 0;
  uint64_t num_label_pairs = 0;  // distinct name=value pairs
  uint64_t chunk_count = 0;      // in-order chunks, the open ones included
  Timestamp min_time = INT64_MAX;
  Timestamp max_time = INT64_MIN;
  // Top lists, largest count first (ties by name), at most `limit` entries each: the values of
  // by_label by series count; label names by number of values; label names by the bytes their
  // pairs take in all series (Prometheus 3.x's estimate); "name=value" pairs by series count.
  std::vector<CardinalityStat> series_count_by_metric_name;
  std::vector<CardinalityStat> label_value_count_by_label_name;
  std::vector<CardinalityStat> memory_in_bytes_by_label_name;
  std::vector<CardinalityStat> series_count_by_label_value_pair;
};

class Head : public Appendable, public Queryable {
 public:
  explicit Head(HeadOptions options = {});
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  // The appender must not outlive the head.
  std::unique_ptr<Appender> NewAppender() override;
  // The querier and everything it returns must not outlive the head.
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) override;

  // Drops chunks that end before mint, out-of-order samples before mint, and series left without
  // samples (unless an appender holds them); later appends before mint fail as out of bounds.
  void Truncate(Timestamp mint);

  // Oldest / newest committed sample; INT64_MAX / INT64_MIN while the head is empty.
  Timestamp MinTime() const { return min_time_.load(std::memory_order_acquire); }
  Timestamp MaxTime() const { return max_time_.load(std::memory_order_acquire); }
  size_t NumSeries() const { return series_.size(); }
  RefusedSampleCounts commit_drops() const;
  HeadCounters counters() const;

  // The in-order chunks of a series (oldest first), for tests and the block writer. Empty if
  // the ref is unknown.
  std::vector<ChunkMeta> ChunksOf(SeriesRef ref) const;

  // head_stats.cc: counts from the postings index (Prometheus' Head.Stats); the first list
  // ranks the values of by_label (usually "__name__"). Walks the whole index: not for hot paths.
  HeadIndexStats IndexStats(std::string_view by_label, size_t limit) const;

  // head_lookup.cc, for deletions (tsdb/db): the refs and labels of the series matching all
  // matchers, in ref order; the labels of one series (false if the ref is unknown).
  std::vector<std::pair<SeriesRef, Labels>> SeriesMatching(std::span<const Matcher> matchers) const;
  bool LabelsOf(SeriesRef ref, Labels* out) const;

  // chunks_head/ (head.cc). Series created from now on carry chunks_head ref base + their ref
  // (the WAL ref WalHeadLog logs them under); before the first call they carry none and keep
  // their closed chunks in memory until they get one.
  void SetChunkRefBase(uint64_t base) { series_.SetChunkRefBase(base); }
  // WAL replay appends through a HeadReplayer (head_replay.h).

 private:
  friend class HeadAppender;
  friend class HeadReplayer;
  friend class HeadQuerier;

  // Appenders accept samples at or after this (unless out of order within the window).
  Timestamp AppendableMinValidTime() const;
  void ExtendTimeRange(Timestamp mint, Timestamp maxt);

  // Counts chunks the head's series start; declared before options_, which points at it.
  std::atomic<uint64_t> chunks_created_{0};
  const HeadOptions options_;
  StripeSeries series_;
  MemPostings postings_;
  std::atomic<Timestamp> min_time_{INT64_MAX};
  std::atomic<Timestamp> max_time_{INT64_MIN};
  std::atomic<Timestamp> min_valid_time_{INT64_MIN};  // raised by Truncate
  // Samples refused by an appender, one counter per reason.
  struct RefusedSamples {
    std::atomic<uint64_t> out_of_order{0};
    std::atomic<uint64_t> duplicate{0};
    std::atomic<uint64_t> out_of_bounds{0};
    std::atomic<uint64_t> too_old{0};

    // Counts a sample refused with status under its reason; other errors are not counted
    // (head_append.cc).
    void Count(const absl::Status& status);
    RefusedSampleCounts Load() const {
      return {out_of_order.load(), duplicate.load(), out_of_bounds.load(), too_old.load()};
    }
  };
  // HeadCounters sums both but for duplicates, which Prometheus does not count.
  RefusedSamples refused_at_append_;
  RefusedSamples dropped_at_commit_;  // commit_drops()
  std::atomic<uint64_t> out_of_order_appended_{0};
  std::atomic<uint64_t> series_removed_{0};
  std::atomic<uint64_t> chunks_removed_{0};
  std::atomic<int64_t> active_appenders_{0};
  // Refs a Select took from the postings whose series GC removed before it read them.
  mutable std::atomic<uint64_t> series_not_found_{0};
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_HEAD_H_
