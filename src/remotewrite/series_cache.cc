#include "remotewrite/series_cache.h"

#include <algorithm>
#include <utility>

#include "base/str_cat.h"

namespace sundial::remotewrite {

SeriesCache::SeriesCache(size_t max_entries)
    : generation_entries_(std::max<size_t>(1, max_entries / 2)) {}

void SeriesCache::MaybeRotate() {
  if (live_.size() < generation_entries_) return;
  previous_ = std::move(live_);
  live_ = Map();
}

tsdb::SeriesRef SeriesCache::Get(std::string_view key) {
  absl::MutexLock lock(&mu_);
  if (auto it = live_.find(AsAbsl(key)); it != live_.end()) return it->second;
  auto it = previous_.find(AsAbsl(key));
  if (it == previous_.end()) return 0;
  auto node = previous_.extract(it);
  const tsdb::SeriesRef ref = node.mapped();
  MaybeRotate();
  live_.insert(std::move(node));
  return ref;
}

void SeriesCache::Put(std::string_view key, tsdb::SeriesRef ref) {
  absl::MutexLock lock(&mu_);
  MaybeRotate();
  live_.insert_or_assign(std::string(key), ref);
}

void SeriesCache::Erase(std::string_view key) {
  absl::MutexLock lock(&mu_);
  live_.erase(AsAbsl(key));
  previous_.erase(AsAbsl(key));
}

size_t SeriesCache::size() const {
  absl::MutexLock lock(&mu_);
  return live_.size() + previous_.size();
}

}  // namespace sundial::remotewrite
