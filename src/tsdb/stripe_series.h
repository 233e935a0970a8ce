// The head's series registry: series by ref and by labels hash, in lock stripes padded against
// false sharing, so appenders to different series rarely touch the same lock.
//
// Lock order: hash stripe, then ref stripe, then a series' own mutex.
#ifndef SUNDIAL_TSDB_STRIPE_SERIES_H_
#define SUNDIAL_TSDB_STRIPE_SERIES_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "tsdb/series.h"
#include "tsdb/storage.h"

namespace sundial::tsdb {

class StripeSeries {
 public:
  static constexpr size_t kStripes = size_t{1} << 14;

  StripeSeries();

  // The series with this ref, pinned (MemSeries::Pin), or null. The pointer stays valid until
  // the matching MemSeries::Unpin.
  MemSeries* PinByRef(SeriesRef ref);
  // The series with these labels, pinned, or null.
  MemSeries* PinByLabels(const Labels& labels);
  // The series with these labels, created with the next ref if absent, pinned. *created tells
  // which. REQUIRES: labels non-empty.
  MemSeries* PinOrCreate(const Labels& labels, bool* created);
  // PinOrCreate for a caller that expects the series to be absent (WAL replay): one lookup,
  // under the exclusive lock, and labels moved into a created series.
  MemSeries* CreateOrPin(Labels labels, bool* created);
  // The next ref, taken for a series that CreateWithRef creates later (or never: a gap).
  SeriesRef ReserveRef() { return last_ref_.fetch_add(1, std::memory_order_relaxed) + 1; }
  // A new series with labels (of this hash) under a ref from ReserveRef, pinned; no lookup.
  // REQUIRES: no series has these labels, nor ever gets them through another call meanwhile.
  MemSeries* CreateWithRef(SeriesRef ref, Labels labels, uint64_t hash);

  // Runs f on the series with this ref under its lock; false if there is none.
  bool WithSeries(SeriesRef ref, absl::FunctionRef<void(const MemSeries&)> f) const;
  bool WithMutableSeries(SeriesRef ref, absl::FunctionRef<void(MemSeries&)> f);

  // Series created from now on carry chunks_head ref base + their ref (MemSeries::
  // set_chunk_series_ref); before the first call they carry none.
  void SetChunkRefBase(uint64_t base) {
    chunk_ref_base_.store(static_cast<int64_t>(base), std::memory_order_release);
  }

  // Truncates every series before mint and removes those left empty and unpinned. Returns the
  // removed series' refs and labels (for the postings index); adds the number of in-order
  // chunks dropped to *chunks_removed if not null.
  std::vector<std::pair<SeriesRef, Labels>> TruncateAndCollect(Timestamp mint,
                                                               uint64_t* chunks_removed = nullptr);

  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) RefStripe {
    mutable absl::Mutex mu;
    absl::flat_hash_map<SeriesRef, std::unique_ptr<MemSeries>> series ABSL_GUARDED_BY(mu);
  };
  struct alignas(64) HashStripe {
    mutable absl::Mutex mu;
    // Almost always one series per hash; more on a 64-bit hash collision.
    absl::flat_hash_map<uint64_t, absl::InlinedVector<MemSeries*, 1>> series ABSL_GUARDED_BY(mu);
  };

  RefStripe& ref_stripe(SeriesRef ref) const { return ref_stripes_[ref & (kStripes - 1)]; }
  // The series with labels (of this hash) in stripe, pinned, or null.
  static MemSeries* FindAndPin(const HashStripe& stripe, uint64_t hash, const Labels& labels)
      ABSL_SHARED_LOCKS_REQUIRED(stripe.mu);
  // A new series with labels (of this hash) in stripe under ref, pinned.
  MemSeries* Create(HashStripe& stripe, uint64_t hash, Labels labels, SeriesRef ref)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(stripe.mu);

  std::unique_ptr<RefStripe[]> ref_stripes_;
  std::unique_ptr<HashStripe[]> hash_stripes_;
  std::atomic<SeriesRef> last_ref_{0};
  std::atomic<size_t> size_{0};
  std::atomic<int64_t> chunk_ref_base_{-1};
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_STRIPE_SERIES_H_
