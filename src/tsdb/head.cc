#include "tsdb/head.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace sundial::tsdb {
namespace {

void AtomicMin(std::atomic<Timestamp>* a, Timestamp v) {
  Timestamp cur = a->load(std::memory_order_relaxed);
  while (v < cur && !a->compare_exchange_weak(cur, v, std::memory_order_acq_rel)) {
  }
}

void AtomicMax(std::atomic<Timestamp>* a, Timestamp v) {
  Timestamp cur = a->load(std::memory_order_relaxed);
  while (v > cur && !a->compare_exchange_weak(cur, v, std::memory_order_acq_rel)) {
  }
}

HeadOptions CountingChunks(HeadOptions options, std::atomic<uint64_t>* chunks_created) {
  options.chunks.chunks_created = chunks_created;
  return options;
}

}  // namespace

Head::Head(HeadOptions options) : options_(CountingChunks(options, &chunks_created_)) {}

Timestamp Head::AppendableMinValidTime() const {
  const Timestamp truncated = min_valid_time_.load(std::memory_order_acquire);
  const Timestamp max = MaxTime();
  if (max == INT64_MIN) return truncated;
  // As Prometheus: no in-order sample more than half a chunk range behind the newest one.
  return std::max(truncated, max - options_.chunks.chunk_range_ms / 2);
}

void Head::ExtendTimeRange(Timestamp mint, Timestamp maxt) {
  AtomicMin(&min_time_, mint);
  AtomicMax(&max_time_, maxt);
}

void Head::Truncate(Timestamp mint) {
  AtomicMax(&min_valid_time_, mint);
  uint64_t chunks_removed = 0;
  std::vector<std::pair<SeriesRef, Labels>> removed =
      series_.TruncateAndCollect(mint, &chunks_removed);
  series_removed_.fetch_add(removed.size(), std::memory_order_relaxed);
  chunks_removed_.fetch_add(chunks_removed, std::memory_order_relaxed);
  postings_.Delete(removed);
  if (MinTime() != INT64_MAX) AtomicMax(&min_time_, mint);
}

RefusedSampleCounts Head::commit_drops() const { return dropped_at_commit_.Load(); }

HeadCounters Head::counters() const {
  const RefusedSampleCounts append = refused_at_append_.Load(), commit = dropped_at_commit_.Load();
  return {.out_of_order_rejected = append.out_of_order + commit.out_of_order,
          .out_of_bounds_rejected = append.out_of_bounds + commit.out_of_bounds,
          .too_old_rejected = append.too_old + commit.too_old,
          .out_of_order_appended = out_of_order_appended_.load(),
          .series_removed = series_removed_.load(),
          .chunks_created = chunks_created_.load(),
          .chunks_removed = chunks_removed_.load(),
          .active_appenders = active_appenders_.load(),
          .series_not_found = series_not_found_.load()};
}

std::vector<ChunkMeta> Head::ChunksOf(SeriesRef ref) const {
  std::vector<ChunkMeta> out;
  series_.WithSeries(
      ref, [&out](const MemSeries& s) ABSL_NO_THREAD_SAFETY_ANALYSIS { out = s.InOrderChunks(); });
  return out;
}

}  // namespace sundial::tsdb
