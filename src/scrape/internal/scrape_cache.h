// The scrape cache of one target: raw series text -> final labels, SeriesRef (and, when the
// storage is a head, the series pinned: tsdb/pinned_series.h) and relabel outcome, plus the
// series of the previous scrape for staleness and the metadata of the metric families the
// target exposes. Internal to scrape/; guarded by the owning loop. Must not outlive the storage
// its series were appended to (the scrape manager goes before the DB).
#ifndef SUNDIAL_SCRAPE_INTERNAL_SCRAPE_CACHE_H_
#define SUNDIAL_SCRAPE_INTERNAL_SCRAPE_CACHE_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"
#include "scrape/metric_metadata.h"
#include "tsdb/pinned_series.h"
#include "tsdb/storage.h"

namespace sundial::scrape::internal {

struct CacheEntry {
  tsdb::SeriesRef ref = 0;
  // The head series of ref, pinned while the entry lives: the entry goes two successful scrapes
  // after the target stopped exposing the series (EvictOld), and then the head may collect it.
  tsdb::PinnedSeries series;
  Labels labels;         // after target labels and metric_relabel_configs
  bool dropped = false;  // by metric_relabel_configs
  uint64_t last_iter = 0;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// HELP/TYPE/UNIT of one metric family and the last scrape that mentioned it.
struct MetaEntry {
  MetricType type = MetricType::kUnknown;
  std::string help;
  std::string unit;
  uint64_t last_iter = 0;
};

struct ScrapeCache {
  using SeriesMap = std::unordered_map<std::string, CacheEntry, StringHash, std::equal_to<>>;
  using Slot = SeriesMap::value_type;

  // Node-based: entry pointers stay valid until the entry is erased.
  SeriesMap series;
  uint64_t iter = 0;              // number of the current (or last) scrape
  size_t seen = 0;                // entries whose last_iter became iter in the current scrape
  size_t size_after_success = 0;  // entries after the last successful scrape's EvictOld
  // Entries appended without an explicit timestamp by the previous successful scrape; they get
  // stale markers when they disappear. Never points at an erased entry (see EndScrape).
  std::vector<CacheEntry*> prev_seen;
  std::vector<CacheEntry*> cur_seen;
  // Every series line of the last fully parsed body, in body order, and of the body being parsed.
  // Exporters print their series in the same order every time, so the n-th line of a body is
  // first compared with the n-th line of the last one, which spares hashing it. prev_order only
  // holds entries of the last scrape, which EvictOld keeps.
  std::vector<Slot*> prev_order;
  std::vector<Slot*> cur_order;

  // Metric family name -> metadata, as Prometheus' scrapeCache.metadata: an entry is made by
  // any of its HELP, TYPE or UNIT lines and kept for 10 scrapes after its last mention.
  std::unordered_map<std::string, MetaEntry, StringHash, std::equal_to<>> metadata;
  size_t meta_seen = 0;           // metadata entries whose last_iter became iter in this scrape
  bool metadata_changed = false;  // since the loop last published MetadataList()

  void SetType(std::string_view family, MetricType type) {
    MetaEntry& e = Meta(family);
    if (e.type != type) {
      e.type = type;
      metadata_changed = true;
    }
  }
  void SetHelp(std::string_view family, std::string_view help) {
    SetText(family, help, &MetaEntry::help);
  }
  void SetUnit(std::string_view family, std::string_view unit) {
    SetText(family, unit, &MetaEntry::unit);
  }

  // Erases metadata not mentioned in the last 10 scrapes. Walks the map only when some entry was
  // not mentioned in this scrape.
  void EvictOldMetadata() {
    if (meta_seen == metadata.size()) return;
    metadata_changed |= std::erase_if(metadata, [this](const auto& kv) {
                          return kv.second.last_iter + 10 < iter;
                        }) > 0;
  }

  // Every family's metadata, sorted by name.
  std::vector<MetricMetadata> MetadataList() const {
    std::vector<MetricMetadata> out;
    out.reserve(metadata.size());
    for (const auto& [name, e] : metadata) out.push_back({name, e.type, e.help, e.unit});
    std::sort(out.begin(), out.end(),
              [](const MetricMetadata& a, const MetricMetadata& b) { return a.metric < b.metric; });
    return out;
  }

  // The raw series text that the `pos`-th series line of the body probably has (that of the
  // last body's), or empty.
  std::string_view Predicted(size_t pos) const {
    return pos < prev_order.size() ? std::string_view(prev_order[pos]->first) : std::string_view();
  }
  // The slot of raw series text `key`, the `pos`-th series line of the body, or nullptr.
  Slot* Find(std::string_view key, size_t pos) {
    if (pos < prev_order.size() && prev_order[pos]->first == key) return prev_order[pos];
    auto it = series.find(key);
    return it == series.end() ? nullptr : &*it;
  }

  // Ends a scrape whose body was (parsed_ok) or was not parsed to its end: the order of a
  // complete body predicts the next one; a partial one predicts nothing.
  void EndOrder(bool parsed_ok) {
    if (parsed_ok) {
      prev_order.swap(cur_order);
    } else {
      prev_order.clear();
    }
    cur_order.clear();
  }

  // Ends the scrape's use of the entries. A successful scrape erases entries seen neither in it
  // nor in the scrape before. A failed one erases nothing, as in Prometheus, so a target that
  // comes back finds its series cached; unless failed scrapes grew the cache past twice its size
  // after the last successful one plus 1000 (bodies of changing series that fail to parse).
  // Walks the map only when some entry was not seen in this scrape.
  void EvictOld(bool scrape_ok) {
    if (!scrape_ok && series.size() <= 2 * size_after_success + 1000) return;
    if (seen != series.size()) {
      std::erase_if(series, [this](const auto& kv) { return kv.second.last_iter + 1 < iter; });
    }
    if (scrape_ok) size_after_success = series.size();
  }

 private:
  // The entry of family, made if missing, marked as mentioned in this scrape.
  MetaEntry& Meta(std::string_view family) {
    auto it = metadata.find(family);
    if (it == metadata.end()) {
      it = metadata.emplace(std::string(family), MetaEntry{}).first;
      metadata_changed = true;
    }
    if (it->second.last_iter != iter) {
      it->second.last_iter = iter;
      ++meta_seen;
    }
    return it->second;
  }
  void SetText(std::string_view family, std::string_view text, std::string MetaEntry::*field) {
    MetaEntry& e = Meta(family);
    if (e.*field != text) {
      (e.*field).assign(text.data(), text.size());
      metadata_changed = true;
    }
  }
};

}  // namespace sundial::scrape::internal

#endif  // SUNDIAL_SCRAPE_INTERNAL_SCRAPE_CACHE_H_
