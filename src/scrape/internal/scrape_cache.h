// The scrape cache of one target: raw series text -> final labels, SeriesRef and relabel
// outcome, plus the series of the previous scrape for staleness. Internal to scrape/; guarded by
// the owning loop.
#ifndef SUNDIAL_SCRAPE_INTERNAL_SCRAPE_CACHE_H_
#define SUNDIAL_SCRAPE_INTERNAL_SCRAPE_CACHE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"
#include "tsdb/storage.h"

namespace sundial::scrape::internal {

struct CacheEntry {
  tsdb::SeriesRef ref = 0;
  Labels labels;         // after target labels and metric_relabel_configs
  bool dropped = false;  // by metric_relabel_configs
  uint64_t last_iter = 0;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct ScrapeCache {
  // Node-based: entry pointers stay valid until the entry is erased.
  std::unordered_map<std::string, CacheEntry, StringHash, std::equal_to<>> series;
  uint64_t iter = 0;  // number of the current (or last) scrape
  // Entries appended without an explicit timestamp by the previous successful scrape; they get
  // stale markers when they disappear. Never points at an erased entry (see EndScrape).
  std::vector<CacheEntry*> prev_seen;
  std::vector<CacheEntry*> cur_seen;

  // Erases entries seen neither in this scrape nor in the previous one.
  void EvictOld() {
    std::erase_if(series, [this](const auto& kv) { return kv.second.last_iter + 1 < iter; });
  }
};

}  // namespace sundial::scrape::internal

#endif  // SUNDIAL_SCRAPE_INTERNAL_SCRAPE_CACHE_H_
