// Deletions in the head: HeadTombstones holds the deleted time ranges of head series (what
// DB::Delete adds and the WAL's tombstone records restore), and NewTombstoneQuerier wraps the
// head's querier so that reads, head compaction included, skip them. The head's own read path
// is left untouched: a query pays only when some head series has deletions.
//
//   HeadTombstones stones;
//   stones.Add({{labels, {1000, 2000}}});                // both ends inclusive
//   std::unique_ptr<Querier> q = NewTombstoneQuerier(std::move(head_q), stones.Snapshot());
//   stones.TruncateBefore(head_min_time);                // after the head was truncated
//
// A series whose samples in range are all deleted is not returned by Select, except for
// metadata selects (hints.func "series"), which list it as Prometheus' head does. LabelNames
// and LabelValues are not filtered, as in Prometheus.
#ifndef SUNDIAL_TSDB_DB_TOMBSTONE_QUERIER_H_
#define SUNDIAL_TSDB_DB_TOMBSTONE_QUERIER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "tsdb/block/tombstones.h"
#include "tsdb/storage.h"

namespace sundial::tsdb {

// Deleted intervals by series labels. Copy on write: Snapshot() is a cheap immutable view that
// stays valid while deletions are added. Thread-safe.
class HeadTombstones {
 public:
  class View {
   public:
    // The sorted, merged intervals of the series, or null if it has none.
    const std::vector<block::Interval>* Get(const Labels& labels) const;
    uint64_t NumIntervals() const;
    // Every series with its intervals, in no particular order.
    std::vector<std::pair<Labels, std::vector<block::Interval>>> All() const;

   private:
    friend class HeadTombstones;
    struct Entry {
      Labels labels;
      std::vector<block::Interval> intervals;
    };
    // By labels hash; more than one entry only on a hash collision.
    absl::flat_hash_map<uint64_t, std::vector<Entry>> by_hash_;
  };

  // Merges the intervals in (adjacent ones join, as in block::Tombstones).
  void Add(std::span<const std::pair<Labels, block::Interval>> stones);
  // Drops intervals that end before mint: that data has left the head.
  void TruncateBefore(Timestamp mint);
  // Null while there are no deletions.
  std::shared_ptr<const View> Snapshot() const;

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const View> view_ ABSL_GUARDED_BY(mu_);
};

// A querier that hides the samples of `inner` inside the view's intervals. With a null view it
// returns `inner` itself.
std::unique_ptr<Querier> NewTombstoneQuerier(std::unique_ptr<Querier> inner,
                                             std::shared_ptr<const HeadTombstones::View> view);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_TOMBSTONE_QUERIER_H_
