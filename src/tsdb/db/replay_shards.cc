#include "tsdb/db/replay_shards.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace sundial::tsdb {
namespace {

// Groups items by series block, keeping their order within a block (one pass of a stable
// counting sort by key >> shift, at most 2048 blocks of at least 1024 refs): the series of one
// block stay in cache while their samples, one per record, are appended. *scratch is working
// space.
template <typename Item>
void GroupBySeriesBlock(std::vector<Item>* items, std::vector<Item>* scratch) {
  constexpr int kBlockBits = 10;
  constexpr int kDigitBits = 11;
  uint32_t max_key = 0;
  bool sorted = true;
  for (size_t i = 0; i < items->size(); ++i) {
    max_key = std::max(max_key, (*items)[i].key);
    if (i > 0 && (*items)[i].key < (*items)[i - 1].key) sorted = false;
  }
  if (sorted) return;
  const int shift = std::max(kBlockBits, static_cast<int>(std::bit_width(max_key)) - kDigitBits);
  std::vector<size_t> offsets((max_key >> shift) + 1);
  for (const Item& it : *items) ++offsets[it.key >> shift];
  size_t sum = 0;
  for (size_t& o : offsets) sum += std::exchange(o, sum);
  scratch->resize(items->size());
  for (const Item& it : *items) (*scratch)[offsets[it.key >> shift]++] = it;
  items->swap(*scratch);
}

}  // namespace

ReplayShards::ReplayShards(HeadReplayer* replayer, int workers) : replayer_(replayer) {
  shards_.reserve(static_cast<size_t>(std::max(workers, 1)));
  for (int i = 0; i < std::max(workers, 1); ++i) shards_.push_back(std::make_unique<Shard>());
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

void ReplayShards::Flush() {
  for (auto& shard : shards_) {
    if (!shard->batch.items.empty()) Hand(shard.get());
  }
}

void ReplayShards::Hand(Shard* s) {
  absl::MutexLock lock(&s->mu);
  s->mu.Await(absl::Condition(
      +[](Shard* s) ABSL_NO_THREAD_SAFETY_ANALYSIS { return s->queue.size() < kMaxQueued; }, s));
  s->queue.push_back(std::move(s->batch));
  ++s->in_flight;
  s->batch = Batch();
  s->limits_gen = 0;
  if (!s->free.empty()) {
    s->batch.items = std::move(s->free.back());
    s->free.pop_back();
  } else {
    s->batch.items.reserve(kMaxBatch);
  }
}

void ReplayShards::Drain() {
  Flush();
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

void ReplayShards::Work(Shard* shard) {
  std::vector<Item> scratch;
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
    int64_t rejected = 0;
    HeadReplayer::Range range;
    // Neighbouring series, one sample per record each, are appended together.
    GroupBySeriesBlock(&b.items, &scratch);
    // Series are scattered in memory: their lines are fetched in three dependent stages
    // (series, open chunk, chunk bytes) some samples ahead.
    const size_t n = b.items.size();
    for (size_t i = 0; i < n; ++i) {
      if (i + 12 < n) b.items[i + 12].series->Prefetch(0);
      if (i + 8 < n) b.items[i + 8].series->Prefetch(1);
      if (i + 4 < n) b.items[i + 4].series->Prefetch(2);
      const Item& it = b.items[i];
      // This worker is the only thread touching the series until Drain (see Add).
      if (!replayer_->AppendExclusive(it.series, it.t, it.v, b.limits[it.limits], &range).ok()) {
        ++rejected;
      }
    }
    b.items.clear();
    absl::MutexLock lock(&shard->mu);
    shard->rejected += rejected;
    shard->range.mint = std::min(shard->range.mint, range.mint);
    shard->range.maxt = std::max(shard->range.maxt, range.maxt);
    shard->free.push_back(std::move(b.items));
    --shard->in_flight;
  }
}

}  // namespace sundial::tsdb
