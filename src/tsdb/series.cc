#include "tsdb/series.h"

#include <algorithm>
#include <bit>
#include <span>

#include "tsdb/errors.h"

namespace sundial::tsdb {
namespace {

// How many of checkpoints cps were taken at or before t: the last of them is where a seek to t
// starts decoding.
size_t CheckpointsUpTo(std::span<const XorCheckpoint> cps, Timestamp t) {
  size_t k = cps.size();
  while (k > 0 && cps[k - 1].t > t) --k;
  return k;
}

}  // namespace

Timestamp RangeForTimestamp(Timestamp t, int64_t width) { return (t / width) * width + width; }

Timestamp ComputeChunkEndTime(Timestamp start, Timestamp cur, Timestamp max) {
  const int64_t n = (max - start) / ((cur - start + 1) * 4);
  if (n <= 1) return max;
  return start + (max - start) / n;
}

absl::StatusOr<MemSeries::Placement> MemSeries::Appendable(Timestamp t, double v,
                                                           Timestamp min_valid_time,
                                                           Timestamp ooo_min_time,
                                                           bool ooo_enabled) const {
  if (t >= min_valid_time) {
    if (max_time_ == INT64_MIN || t > max_time_) return Placement::kInOrder;
    if (t == max_time_) {
      // Exact duplicates happen in valid setups (federation); only a changed value is an error.
      if (std::bit_cast<uint64_t>(v) != std::bit_cast<uint64_t>(LastValue())) {
        return DuplicateSampleError();
      }
      return Placement::kIgnore;
    }
  }
  if (ooo_enabled) {
    if (t < ooo_min_time) return TooOldSampleError();
    auto it = std::lower_bound(out_of_order_.begin(), out_of_order_.end(), t,
                               [](const auto& s, Timestamp ts) { return s.first < ts; });
    if (it == out_of_order_.end() || it->first != t) return Placement::kOutOfOrder;
    if (std::bit_cast<uint64_t>(it->second) != std::bit_cast<uint64_t>(v)) {
      return DuplicateSampleError();
    }
    return Placement::kIgnore;
  }
  if (t < min_valid_time) return OutOfBoundsError();
  return OutOfOrderSampleError();
}

double MemSeries::LastValue() const {
  if ((head_ != nullptr && head_->NumSamples() > 0) || closed_.empty()) return last_value_;
  // Restored chunks (or a truncated open chunk): the last sample of the newest closed chunk.
  XorIterator it(closed_.back()->bytes());
  double v = last_value_;
  while (it.Next() == ValueType::kFloat) v = it.At().second;
  return v;
}

void MemSeries::PersistClosed(ChunkSink* sink) {
  for (auto& c : closed_) {
    if (c->disk_ref() != 0) continue;
    std::shared_ptr<const ClosedChunk> on_disk = sink->Persist(chunk_series_ref_, *c);
    if (on_disk == nullptr) return;
    c = std::move(on_disk);
  }
}

void MemSeries::AttachChunks(std::vector<std::shared_ptr<const ClosedChunk>> chunks) {
  closed_ = std::move(chunks);
  head_.reset();
  closed_checkpoints_.reset();
  max_time_ = closed_.back()->maxt;
}

void MemSeries::CutHeadChunk(Timestamp mint, const ChunkOptions& options) {
  if (head_ != nullptr && head_->NumSamples() > 0) {
    closed_.push_back(std::make_shared<const ClosedChunk>(
        head_mint_, max_time_, head_->NumSamples(), std::string(head_->bytes())));
    closed_checkpoints_ = head_->TakeCheckpoints();
    closed_checkpoints_mint_ = head_mint_;
    if (options.sink != nullptr && chunk_series_ref_ != 0) PersistClosed(options.sink);
  }
  head_ = std::make_unique<XorChunk>();
  if (options.chunks_created != nullptr) {
    options.chunks_created->fetch_add(1, std::memory_order_relaxed);
  }
  head_mint_ = mint;
  // The latest the next chunk may start; an earlier time is chosen once the rate is known.
  next_at_ = RangeForTimestamp(mint, options.chunk_range_ms);
}

void MemSeries::InsertOutOfOrder(Timestamp t, double v) {
  auto it = std::lower_bound(out_of_order_.begin(), out_of_order_.end(), t,
                             [](const auto& s, Timestamp ts) { return s.first < ts; });
  out_of_order_.insert(it, {t, v});
}

MemSeries::Overlap MemSeries::FindOverlap(Timestamp mint, Timestamp maxt) const {
  Overlap o;
  // The closed chunks are in time order. Queries mostly read the newest ones, and a look at a
  // chunk is a cache miss: the first one ending at or after mint is found from the back.
  o.first = closed_.size();
  while (o.first > 0 && closed_[o.first - 1]->maxt >= mint) --o.first;
  o.last = o.first;
  while (o.last < closed_.size() && closed_[o.last]->mint <= maxt) ++o.last;
  o.open = head_ != nullptr && head_->NumSamples() > 0 && max_time_ >= mint && head_mint_ <= maxt;
  auto ooo = std::lower_bound(out_of_order_.begin(), out_of_order_.end(), mint,
                              [](const auto& s, Timestamp ts) { return s.first < ts; });
  o.ooo = static_cast<size_t>(ooo - out_of_order_.begin());
  o.ooo_end = o.ooo;
  while (o.ooo_end < out_of_order_.size() && out_of_order_[o.ooo_end].first <= maxt) ++o.ooo_end;
  return o;
}

bool MemSeries::Snapshot(Timestamp mint, Timestamp maxt, SnapshotArena* arena,
                         SnapshotRange* out) const {
  const Overlap o = FindOverlap(mint, maxt);
  *out = SnapshotRange();
  out->chunks_begin = static_cast<uint32_t>(arena->chunks.size());
  arena->chunks.insert(arena->chunks.end(), closed_.begin() + static_cast<ptrdiff_t>(o.first),
                       closed_.begin() + static_cast<ptrdiff_t>(o.last));
  out->chunks_end = static_cast<uint32_t>(arena->chunks.size());
  // The range's first chunk is read from its last checkpoint at or before mint, if it has one:
  // the newest closed chunk (while its checkpoints are kept) or the open chunk.
  auto resume = [&](std::span<const XorCheckpoint> cps, int total) {
    const size_t k = CheckpointsUpTo(cps, mint);
    if (k == 0) return;
    out->resume = cps[k - 1];
    out->resume_read = static_cast<uint16_t>(k * XorChunk::kCheckpointEvery);
    out->resume_total = static_cast<uint16_t>(total);
  };
  if (o.last > o.first) {
    if (o.first + 1 == closed_.size()) {
      const ClosedChunk& c = *closed_.back();
      if (c.mint != closed_checkpoints_mint_ && mint > c.mint &&
          c.num_samples > XorChunk::kCheckpointEvery) {
        // Restored: one decode now, instead of one from the chunk's start per read.
        closed_checkpoints_ =
            std::make_unique<const XorChunk::Checkpoints>(XorChunk::Checkpoints::Of(c.bytes()));
        closed_checkpoints_mint_ = c.mint;
      }
      if (c.mint == closed_checkpoints_mint_ && closed_checkpoints_ != nullptr) {
        resume(closed_checkpoints_->span(), c.num_samples);
      }
    }
  } else if (o.open) {
    resume(head_->checkpoints(), head_->NumSamples());
  }
  if (o.open) {
    // Copy-on-read: the open chunk keeps changing after the lock is released. Only the part
    // from the checkpoint on when it is read from one.
    std::string_view bytes = head_->bytes();
    if (o.last == o.first && out->resume_read > 0) bytes = XorTail(bytes, out->resume);
    out->open_offset = arena->open_bytes.size();
    out->open_size = bytes.size();
    out->open_maxt = max_time_;
    out->open_last = last_value_;
    out->open_prev_t = prev_time_;
    out->open_prev = prev_value_;
    arena->open_bytes.append(bytes);
  }
  out->ooo_begin = static_cast<uint32_t>(arena->out_of_order.size());
  arena->out_of_order.insert(arena->out_of_order.end(),
                             out_of_order_.begin() + static_cast<ptrdiff_t>(o.ooo),
                             out_of_order_.begin() + static_cast<ptrdiff_t>(o.ooo_end));
  out->ooo_end = static_cast<uint32_t>(arena->out_of_order.size());
  return o.any();
}

size_t MemSeries::TruncateBefore(Timestamp mint) {
  size_t dropped = std::erase_if(closed_, [mint](const auto& c) { return c->maxt < mint; });
  if (head_ != nullptr && max_time_ < mint) {
    if (head_->NumSamples() > 0) ++dropped;
    head_.reset();
  }
  std::erase_if(out_of_order_, [mint](const auto& s) { return s.first < mint; });
  return dropped;
}

bool MemSeries::Empty() const {
  return closed_.empty() && (head_ == nullptr || head_->NumSamples() == 0) && out_of_order_.empty();
}

std::vector<ChunkMeta> MemSeries::InOrderChunks() const {
  std::vector<ChunkMeta> out;
  for (const auto& c : closed_) out.push_back({c->mint, c->maxt, c->num_samples});
  if (head_ != nullptr && head_->NumSamples() > 0) {
    out.push_back({head_mint_, max_time_, head_->NumSamples()});
  }
  return out;
}

}  // namespace sundial::tsdb
