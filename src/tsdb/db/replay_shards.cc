#include "tsdb/db/replay_shards.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace sundial::tsdb {

ReplayShards::ReplayShards(HeadReplayer* replayer, int workers) : replayer_(replayer) {
  shards_.reserve(static_cast<size_t>(std::max(workers, 1)));
  for (int i = 0; i < std::max(workers, 1); ++i) {
    shards_.push_back(std::make_unique<Shard>());
    shards_.back()->batch.items = HugeArray<Item>(kMaxBatch);
  }
  for (auto& shard : shards_) shard->thread = std::thread([this, s = shard.get()] { Work(s); });
}

ReplayShards::~ReplayShards() {
  Flush();
  for (auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    shard->closing = true;
  }
  for (auto& shard : shards_) shard->thread.join();
}

void ReplayShards::AddCreation(uint32_t shard_index, Creation c) {
  Shard& shard = *shards_[shard_index];
  Batch& b = shard.batch;
  const SeriesRef ref = c.ref;
  creating_ = creating_ || c.series == nullptr;
  b.creations.push_back(std::move(c));
  b.items[b.size++] = {ref << kTagBits | kCreationTag,
                       static_cast<Timestamp>(b.creations.size() - 1), 0};
  if (b.size >= shard.hand_at) Hand(&shard);
}

bool ReplayShards::Hold(size_t n) {
  if (n > kMaxBatch) return false;
  for (auto& shard : shards_) {
    Shard& s = *shard;
    if (s.batch.size + n > kMaxBatch) Hand(&s);
    s.held_size = s.batch.size;
    s.held_limits = s.batch.limits.size();
    s.held_gen = s.limits_gen;
    s.held_tag = s.limits_tag;
    s.held_hand_at = std::exchange(s.hand_at, SIZE_MAX);
  }
  return true;
}

void ReplayShards::Undo() {
  for (auto& shard : shards_) {
    Shard& s = *shard;
    s.batch.size = s.held_size;
    s.batch.limits.resize(s.held_limits);
    s.limits_gen = s.held_gen;
    s.limits_tag = s.held_tag;
    s.hand_at = s.held_hand_at;
  }
}

void ReplayShards::Release() {
  for (auto& shard : shards_) {
    Shard& s = *shard;
    s.hand_at = s.held_hand_at;
    if (s.batch.size >= s.hand_at) Hand(&s);
  }
}

MemSeries* ReplayShards::SeriesOf(SeriesRef head_ref) const {
  return Lookup(*shards_[ShardOf(head_ref)], head_ref);
}

void ReplayShards::Flush() {
  for (auto& shard : shards_) {
    if (shard->batch.size > 0) Hand(shard.get());
  }
}

void ReplayShards::Hand(Shard* s) {
  absl::MutexLock lock(&s->mu);
  s->mu.Await(absl::Condition(
      +[](Shard* s) ABSL_NO_THREAD_SAFETY_ANALYSIS { return s->queue.size() < kMaxQueued; }, s));
  s->queue.push_back(std::move(s->batch));
  ++s->in_flight;
  s->limits_gen = 0;
  s->hand_at = std::min(2 * s->hand_at, kMaxBatch);
  if (!s->free.empty()) {
    s->batch = std::move(s->free.back());
    s->free.pop_back();
  } else {
    s->batch = Batch();
    s->batch.items = HugeArray<Item>(kMaxBatch);
  }
}

void ReplayShards::Drain() {
  Flush();
  creating_ = false;
  for (auto& shard : shards_) {
    Shard* s = shard.get();
    absl::MutexLock lock(&s->mu);
    s->mu.Await(absl::Condition(
        +[](Shard* s) ABSL_NO_THREAD_SAFETY_ANALYSIS { return s->in_flight == 0; }, s));
  }
}

int64_t ReplayShards::rejected() const {
  int64_t n = 0;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    n += shard->rejected;
  }
  return n;
}

HeadReplayer::Range ReplayShards::range() const {
  HeadReplayer::Range r;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    r.mint = std::min(r.mint, shard->range.mint);
    r.maxt = std::max(r.maxt, shard->range.maxt);
  }
  return r;
}

void ReplayShards::Group(const Batch& b, Shard* shard) {
  std::vector<uint32_t>& starts = shard->starts;
  starts.clear();
  for (const Item& it : b.added()) {
    const size_t block = it.key >> (kTagBits + kBlockBits);
    if (block >= starts.size()) starts.resize(block + 1, 0);
    ++starts[block];
  }
  uint32_t start = 0;
  for (uint32_t& n : starts) start += std::exchange(n, start);
  for (const Item& it : b.added()) shard->grouped[starts[it.key >> (kTagBits + kBlockBits)]++] = it;
}

void ReplayShards::Work(Shard* shard) {
  for (;;) {
    Batch b;
    {
      absl::MutexLock lock(&shard->mu);
      shard->mu.Await(absl::Condition(
          +[](Shard* s) ABSL_NO_THREAD_SAFETY_ANALYSIS { return !s->queue.empty() || s->closing; },
          shard));
      if (shard->queue.empty()) return;
      b = std::move(shard->queue.front());
      shard->queue.pop_front();
    }
    Group(b, shard);
    int64_t rejected = 0;
    HeadReplayer::Range range;
    std::vector<MemSeries*>& series = shard->series;
    std::vector<MemSeries*> created;  // by this batch, not yet indexed
    const Item* const items = shard->grouped.data();
    // Series are scattered in memory: their lines are fetched in three dependent stages
    // (series, open chunk, chunk bytes) some samples ahead.
    const size_t n = b.size;
    for (size_t i = 0; i < n; ++i) {
      if (i + 12 < n) {
        if (MemSeries* s = Lookup(*shard, items[i + 12].key >> kTagBits)) s->Prefetch(0);
      }
      if (i + 8 < n) {
        if (MemSeries* s = Lookup(*shard, items[i + 8].key >> kTagBits)) s->Prefetch(1);
      }
      if (i + 4 < n) {
        if (MemSeries* s = Lookup(*shard, items[i + 4].key >> kTagBits)) s->Prefetch(2);
      }
      const Item& it = items[i];
      const SeriesRef ref = it.key >> kTagBits;
      const uint64_t tag = it.key & kTagMask;
      if (tag == kCreationTag) {
        Creation& c = b.creations[static_cast<size_t>(it.t)];
        if (c.series == nullptr) {
          c.series = replayer_->Create(c.ref, std::move(c.labels), c.hash, c.chunk_ref);
          created.push_back(c.series);
        }
        if (ref >= series.size()) series.resize(std::max(ref + 1, 2 * series.size()));
        series[ref] = c.series;
      } else if (!replayer_->AppendExclusive(series[ref], it.t, it.v, b.limits[tag], &range).ok()) {
        // This worker is the only thread touching the series until Drain (see Add).
        ++rejected;
      }
      // Indexed a block at a time: one postings lock per block, not per series.
      if (!created.empty() &&
          (i + 1 == n || (items[i + 1].key >> (kTagBits + kBlockBits)) != (ref >> kBlockBits))) {
        replayer_->Index(created);
        created.clear();
      }
    }
    b.limits.clear();
    b.size = 0;
    b.creations.clear();
    absl::MutexLock lock(&shard->mu);
    shard->rejected += rejected;
    shard->range.mint = std::min(shard->range.mint, range.mint);
    shard->range.maxt = std::max(shard->range.maxt, range.maxt);
    shard->free.push_back(std::move(b));
    --shard->in_flight;
  }
}

}  // namespace sundial::tsdb
