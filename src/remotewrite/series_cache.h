// SeriesCache: which series ref of one storage a remote write 1.0 series resolved to, keyed
// by the series' labels exactly as encoded in the request. A series seen before is then appended
// by ref, without validating, building or hashing its label set again: equal bytes decode to
// equal labels, and only labels that passed validation are cached. A ref the storage has since
// dropped is noticed by the receiver at append time and erased.
//
//   SeriesCache cache;   // one per storage, shared by all requests to it
//   WriteOptions options;
//   options.series_cache = &cache;
//   HandleWrite(request, &head, options);
//
// Bounded: when the current generation holds max_entries / 2 keys it becomes the previous one
// (still looked up, and hits move back) and the one before is dropped, so keys not sent for a
// whole generation fall out. Thread-safe (one mutex: requests are decoded on one io thread).
#ifndef SUNDIAL_REMOTEWRITE_SERIES_CACHE_H_
#define SUNDIAL_REMOTEWRITE_SERIES_CACHE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "tsdb/storage.h"

namespace sundial::remotewrite {

class SeriesCache {
 public:
  explicit SeriesCache(size_t max_entries = size_t{1} << 23);
  SeriesCache(const SeriesCache&) = delete;
  SeriesCache& operator=(const SeriesCache&) = delete;

  // The ref cached for key, or 0.
  tsdb::SeriesRef Get(std::string_view key);
  void Put(std::string_view key, tsdb::SeriesRef ref);
  void Erase(std::string_view key);
  // Keys held, over both generations.
  size_t size() const;

 private:
  using Map = absl::flat_hash_map<std::string, tsdb::SeriesRef>;
  // Starts a new generation when the current one is full.
  void MaybeRotate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t generation_entries_;
  mutable absl::Mutex mu_;
  Map live_ ABSL_GUARDED_BY(mu_);
  Map previous_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sundial::remotewrite

#endif  // SUNDIAL_REMOTEWRITE_SERIES_CACHE_H_
