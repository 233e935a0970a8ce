// Head::IndexStats: the cardinality statistics of /api/v1/status/tsdb, computed from the
// postings index as Prometheus' MemPostings.Stats does. The memory figure is Prometheus 3.x's
// (labels.SizeOfLabels with its default string labels): each name=value pair takes the bytes of
// name and value, each with a length prefix (1 byte below 255, else 4), once per series.
// Prometheus 2.x summed only the bytes of the distinct values.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/str_cat.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

// The length prefix of a string in Prometheus' string labels.
uint64_t PrefixBytes(size_t n) { return n < 255 ? 1 : 4; }

// Keeps the `limit` largest counts, largest first; equal counts by name.
void TopN(std::vector<CardinalityStat>* stats, size_t limit) {
  auto order = [](const CardinalityStat& a, const CardinalityStat& b) {
    return a.count != b.count ? a.count > b.count : a.name < b.name;
  };
  if (stats->size() > limit) {
    std::partial_sort(stats->begin(), stats->begin() + static_cast<ptrdiff_t>(limit), stats->end(),
                      order);
    stats->resize(limit);
  } else {
    std::sort(stats->begin(), stats->end(), order);
  }
}

}  // namespace

HeadIndexStats Head::IndexStats(std::string_view by_label, size_t limit) const {
  HeadIndexStats out;
  out.num_series = NumSeries();
  out.min_time = MinTime();
  out.max_time = MaxTime();
  for (SeriesRef ref : postings_.All()) out.chunk_count += ChunksOf(ref).size();

  std::vector<CardinalityStat> metrics, names, memory, pairs;
  for (const std::string& name : postings_.LabelNames()) {
    std::vector<std::string> values = postings_.LabelValues(name);
    names.push_back({name, values.size()});
    out.num_label_pairs += values.size();
    uint64_t bytes = 0;
    for (const std::string& value : values) {
      const uint64_t series = postings_.Get(name, value).size();
      if (name == by_label) metrics.push_back({value, series});
      pairs.push_back({StrCat(name, "=", value), series});
      bytes += (name.size() + PrefixBytes(name.size()) + value.size() + PrefixBytes(value.size())) *
               series;
    }
    memory.push_back({name, bytes});
    // Only the top entries are kept; trimming as we go bounds memory by the number of values
    // of one name.
    if (pairs.size() > 4 * limit + 1024) TopN(&pairs, limit);
  }
  TopN(&metrics, limit);
  TopN(&names, limit);
  TopN(&memory, limit);
  TopN(&pairs, limit);
  out.series_count_by_metric_name = std::move(metrics);
  out.label_value_count_by_label_name = std::move(names);
  out.memory_in_bytes_by_label_name = std::move(memory);
  out.series_count_by_label_value_pair = std::move(pairs);
  return out;
}

}  // namespace sundial::tsdb
