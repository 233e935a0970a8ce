#include "tsdb/head_replay.h"

#include <algorithm>
#include <utility>

#include "tsdb/errors.h"

namespace sundial::tsdb {

HeadReplayer::Limits HeadReplayer::LimitsAt(Timestamp max_time) const {
  // As HeadAppender's constructor with head_->MaxTime() == max_time.
  const Timestamp truncated = head_->min_valid_time_.load(std::memory_order_acquire);
  Limits l;
  l.min_valid_time =
      max_time == INT64_MIN
          ? truncated
          : std::max(truncated, max_time - head_->options_.chunks.chunk_range_ms / 2);
  l.ooo = head_->options_.out_of_order_window_ms > 0;
  l.ooo_min_time =
      max_time == INT64_MIN ? INT64_MIN : max_time - head_->options_.out_of_order_window_ms;
  l.ooo_min_time = std::max(l.ooo_min_time, truncated);
  return l;
}

MemSeries* HeadReplayer::GetOrCreate(Labels labels, bool* created) {
  MemSeries* s = head_->series_.CreateOrPin(std::move(labels), created);
  if (*created) Index({&s, 1});
  // Nothing garbage-collects the head during replay (REQUIRES above).
  s->Unpin();
  return s;
}

MemSeries* HeadReplayer::Create(SeriesRef ref, Labels labels, uint64_t hash, uint64_t chunk_ref) {
  MemSeries* s = head_->series_.CreateWithRef(ref, std::move(labels), hash);
  {
    absl::MutexLock lock(&s->mu());
    s->set_chunk_series_ref(chunk_ref);
  }
  s->Unpin();
  return s;
}

void HeadReplayer::Index(std::span<MemSeries* const> series) {
  std::vector<std::pair<SeriesRef, const Labels*>> refs;
  refs.reserve(series.size());
  for (MemSeries* s : series) refs.emplace_back(s->ref(), &s->labels());
  head_->postings_.AddUnsorted(refs);
}

absl::Status HeadReplayer::Append(MemSeries* s, Timestamp t, double v, const Limits& limits,
                                  Range* range, uint64_t chunk_ref) {
  absl::MutexLock lock(&s->mu());
  return AppendLocked(s, t, v, limits, range, chunk_ref);
}

absl::Status HeadReplayer::AppendLocked(MemSeries* s, Timestamp t, double v, const Limits& limits,
                                        Range* range, uint64_t chunk_ref) {
  // HeadAppender::AppendSample's bounds check, then its Commit's placement.
  if (t < limits.min_valid_time && (!limits.ooo || t < limits.ooo_min_time)) {
    return OutOfBoundsError();
  }
  if (chunk_ref == 0 && AppendNewest(s, t, v, limits, range)) return absl::OkStatus();
  absl::StatusOr<MemSeries::Placement> placement =
      s->Appendable(t, v, limits.min_valid_time, limits.ooo_min_time, limits.ooo);
  if (!placement.ok()) return placement.status();
  if (chunk_ref != 0) s->set_chunk_series_ref(chunk_ref);
  if (*placement == MemSeries::Placement::kInOrder) {
    s->AppendInOrder(t, v, head_->options_.chunks);
    range->maxt = std::max(range->maxt, t);
  } else if (*placement == MemSeries::Placement::kOutOfOrder) {
    s->InsertOutOfOrder(t, v);
  }
  range->mint = std::min(range->mint, t);
  return absl::OkStatus();
}

Timestamp HeadReplayer::AttachChunks(MemSeries* s, uint64_t chunk_ref,
                                     std::vector<std::shared_ptr<const ClosedChunk>> chunks) {
  absl::MutexLock lock(&s->mu());
  s->set_chunk_series_ref(chunk_ref);
  if (chunks.empty() || !s->Empty()) return INT64_MIN;
  const Timestamp mint = chunks.front()->mint;
  const Timestamp maxt = chunks.back()->maxt;
  head_->chunks_created_.fetch_add(chunks.size(), std::memory_order_relaxed);
  s->AttachChunks(std::move(chunks));
  head_->ExtendTimeRange(mint, maxt);
  return maxt;
}

void HeadReplayer::SetChunkRef(MemSeries* s, uint64_t chunk_ref) {
  absl::MutexLock lock(&s->mu());
  s->set_chunk_series_ref(chunk_ref);
}

Timestamp HeadReplayer::NewestTime(MemSeries* s) {
  absl::MutexLock lock(&s->mu());
  return s->newest_time();
}

void HeadReplayer::SortIndex() { head_->postings_.Sort(); }

void HeadReplayer::ExtendTimeRange(const Range& range) {
  if (range.mint != INT64_MAX) head_->ExtendTimeRange(range.mint, range.maxt);
}

}  // namespace sundial::tsdb
