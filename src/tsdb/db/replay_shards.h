// ReplayShards: the worker threads that create head series and append WAL samples to them during
// replay while the reading thread decodes the next records. A series always goes to the same
// worker (by its head ref), so it is created before its samples and they are appended in WAL
// order; the samples of one logged commit are checked against that commit's limits, as its
// appender did.
//
//   ReplayShards shards(&replayer, workers);
//   shards.Begin(replayer.LimitsAt(max_so_far));   // per samples record
//   shards.Create(shards.ShardOf(ref), ref, labels, hash, wal_ref);   // ref from ReserveRef
//   shards.Bind(shards.ShardOf(s->ref()), s);      // or: a series made on this thread
//   shards.Add(shards.ShardOf(ref), ref, t, v);    // ...
//   shards.Drain();                                // everything added is appended
//   shards.rejected(), shards.range(), shards.SeriesOf(ref)   // after Drain
//
// A worker gets large batches spanning many records and appends a batch one block of
// neighbouring series at a time, so the lines of a series and its open chunk are fetched about
// once per batch instead of once per sample: consecutive records carry one sample of each
// series. Add only appends a 24-byte item (ref and limits, t, v) to its worker's batch, in WAL
// order; the worker groups the batch by block with a stable counting sort, which keeps each
// series' samples, and its creation before them, in WAL order. The first batches are small, so
// the workers start while the reading thread is still on the first records. A worker appends
// without series locks: a series is only ever touched by its worker between the hand-offs
// through the shard mutex (and by the calling thread only after Drain).
//
// One thread calls everything; workers only run HeadReplayer::Create and AppendExclusive. Memory
// is bounded: a worker holds at most a few batches queued before Add waits for it.
#ifndef SUNDIAL_TSDB_DB_REPLAY_SHARDS_H_
#define SUNDIAL_TSDB_DB_REPLAY_SHARDS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "tsdb/db/huge_array.h"
#include "tsdb/head_replay.h"

namespace sundial::tsdb {

class ReplayShards {
 public:
  // workers >= 1 threads appending through replayer, which must outlive this.
  ReplayShards(HeadReplayer* replayer, int workers);
  ~ReplayShards();  // drains and joins
  ReplayShards(const ReplayShards&) = delete;
  ReplayShards& operator=(const ReplayShards&) = delete;

  // The limits of the samples added from now until the next Begin (a batch may hold samples of
  // many Begins, each checked against its own).
  void Begin(const HeadReplayer::Limits& limits) {
    limits_ = limits;
    ++limits_gen_;
  }
  // The worker of the series with this head ref. Series created one after another sit side by
  // side in memory: runs of 64 refs share a worker, so that workers do not write to the same
  // cache lines.
  uint32_t ShardOf(SeriesRef head_ref) const {
    return static_cast<uint32_t>((head_ref >> 6) % shards_.size());
  }
  // The worker creates the series with these labels (of this hash) under head_ref, reserved by
  // HeadReplayer::ReserveRef and never used before, carrying chunks_head ref chunk_ref; before
  // any Add of head_ref. REQUIRES: shard_index == ShardOf(head_ref), and HeadReplayer::Create's.
  void Create(uint32_t shard_index, SeriesRef head_ref, Labels labels, uint64_t hash,
              uint64_t chunk_ref) {
    AddCreation(shard_index, {head_ref, nullptr, std::move(labels), hash, chunk_ref});
  }
  // The worker appends to series (created on this thread) the samples added for its ref from
  // now on. REQUIRES: shard_index == ShardOf(series->ref()).
  void Bind(uint32_t shard_index, MemSeries* series) {
    AddCreation(shard_index, {series->ref(), series, Labels(), 0, 0});
  }
  // REQUIRES: shard_index == ShardOf(head_ref), and the series was created or bound (Create,
  // Bind) on this shard. Inlined: the reading thread calls it for every sample.
  [[gnu::always_inline]] void Add(uint32_t shard_index, SeriesRef head_ref, Timestamp t, double v) {
    Shard& shard = *shards_[shard_index];
    Batch& b = shard.batch;
    if (shard.limits_gen != limits_gen_) {
      b.limits.push_back(limits_);
      shard.limits_gen = limits_gen_;
      shard.limits_tag = b.limits.size() - 1;
    }
    b.items[b.size++] = {head_ref << kTagBits | shard.limits_tag, t, v};
    if (b.size >= shard.hand_at) Hand(&shard);
  }
  // A record applied as it is decoded, all or nothing: Hold(n) defers the hand-overs of the
  // next n Adds at most (false, holding nothing, if a batch cannot take them), Undo() drops
  // what was added since, Release() keeps it. In between, only Begin and Add.
  bool Hold(size_t n);
  void Undo();
  void Release();
  // Whether a series is due to be created: a Create since the last Drain.
  bool creating() const { return creating_; }
  // Hands every sample added so far over to the workers.
  void Flush();
  // Flush, then waits until the workers appended everything.
  void Drain();

  // Samples the head refused, and what was appended. REQUIRES: Drain() since the last Add.
  int64_t rejected() const;
  HeadReplayer::Range range() const;
  // The series created or bound under head_ref, null if none. REQUIRES: Drain() since the last
  // Create or Bind.
  MemSeries* SeriesOf(SeriesRef head_ref) const;

 private:
  // A sample of the series with head ref key >> kTagBits, appended with limits[key & kTagMask];
  // or, if key & kTagMask is kCreationTag, that series' creations[t] is due.
  struct Item {
    uint64_t key;
    Timestamp t;
    double v;
  };
  // Head refs are below 2^43 (they count the series of one process); a batch has fewer than
  // kMaxBatch <= kCreationTag limits.
  static constexpr int kTagBits = 21;
  static constexpr uint64_t kTagMask = (uint64_t{1} << kTagBits) - 1;
  static constexpr uint64_t kCreationTag = kTagMask;
  // A series to create (series null) or one created by the calling thread, under ref.
  struct Creation {
    SeriesRef ref;
    MemSeries* series;
    Labels labels;
    uint64_t hash;
    uint64_t chunk_ref;
  };
  struct Batch {
    std::vector<HeadReplayer::Limits> limits;
    // Room for kMaxBatch items (allocated when the batch starts being filled), the first `size`
    // added, in order. Add writes without a capacity check: a batch is handed over at hand_at
    // items.
    HugeArray<Item> items;
    size_t size = 0;
    std::span<const Item> added() const { return {items.data(), size}; }
    std::vector<Creation> creations;
  };
  struct Shard {
    Batch batch;                   // being filled by the reading thread
    uint64_t limits_gen = 0;       // the Begin whose limits batch.limits ends with; 0: none
    uint64_t limits_tag = 0;       // then batch.limits.size() - 1
    size_t hand_at = kFirstBatch;  // items at which batch is handed over; SIZE_MAX: held
    // What Hold found: batch's size and limits, limits_gen and hand_at.
    size_t held_size = 0, held_limits = 0, held_hand_at = 0;
    uint64_t held_gen = 0, held_tag = 0;
    absl::Mutex mu;
    std::deque<Batch> queue ABSL_GUARDED_BY(mu);
    std::vector<Batch> free ABSL_GUARDED_BY(mu);  // emptied batches, for reuse
    int in_flight ABSL_GUARDED_BY(mu) = 0;        // queued or being appended
    bool closing ABSL_GUARDED_BY(mu) = false;
    int64_t rejected ABSL_GUARDED_BY(mu) = 0;
    HeadReplayer::Range range ABSL_GUARDED_BY(mu);
    // By head ref, the series this worker appends to: its own between hand-offs (see Add).
    std::vector<MemSeries*> series;
    HugeArray<Item> grouped{kMaxBatch};  // the worker's batch, by block (its first items)
    std::vector<uint32_t> starts;        // the worker's counting sort: per block, its first item
    std::thread thread;
  };

  // Items per batch and batches queued per worker before the reading thread waits: at most
  // kMaxQueued + 2 batches of 24 MiB per worker (being filled, queued, appended) and its
  // grouped copy. The first batch of a worker has kFirstBatch items, each next one twice as
  // many up to kMaxBatch. A block holds 1024 consecutive head refs.
  static constexpr size_t kMaxBatch = size_t{1} << 20;
  static constexpr size_t kFirstBatch = size_t{1} << 14;
  static constexpr size_t kMaxQueued = 1;
  static constexpr int kBlockBits = 10;

  // Groups the items of b by block into shard->grouped, keeping their order within a block.
  static void Group(const Batch& b, Shard* shard);
  void AddCreation(uint32_t shard_index, Creation c);
  // Queues shard's batch for its worker (waiting while the queue is full).
  void Hand(Shard* shard);
  void Work(Shard* shard);
  // The worker's series of ref, or null.
  static MemSeries* Lookup(const Shard& shard, SeriesRef ref) {
    return ref < shard.series.size() ? shard.series[ref] : nullptr;
  }

  HeadReplayer* const replayer_;
  HeadReplayer::Limits limits_;
  uint64_t limits_gen_ = 1;
  bool creating_ = false;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_REPLAY_SHARDS_H_
