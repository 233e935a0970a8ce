// The point-in-time values of metric families, as a Registry gathers them for one scrape and as a
// Collector emits them for values owned elsewhere:
//
//   FamilySnapshot& f = out->emplace_back();
//   f.name = "prometheus_tsdb_head_chunks";
//   f.help = "Total number of chunks in the head block.";
//   f.type = MetricType::kGauge;
//   f.metrics.emplace_back().value = 1234;
//
// Plain values, no invariants beyond the field comments.
#ifndef SUNDIAL_BASE_METRICS_SNAPSHOT_H_
#define SUNDIAL_BASE_METRICS_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sundial::metrics {

enum class MetricType { kCounter, kGauge, kHistogram, kUntyped, kSummary };

// "counter", "gauge", "histogram", "untyped" or "summary", as on a # TYPE line.
std::string_view MetricTypeName(MetricType type);

struct HistogramBucket {
  double upper_bound = 0;
  uint64_t cumulative_count = 0;  // observations <= upper_bound
};

struct SummaryQuantile {
  double quantile = 0;  // in [0, 1]
  double value = 0;     // NaN when there was no observation to rank
};

struct MetricSnapshot {
  std::vector<std::string> label_values;  // parallel to FamilySnapshot::label_names
  double value = 0;                       // counter, gauge, untyped
  // Histogram only: ascending bounds with cumulative counts. A +Inf bucket may be present; if it
  // is not, the exposition adds one with `count`.
  std::vector<HistogramBucket> buckets;
  // Summary only: ascending quantiles, exposed as {quantile="..."} lines.
  std::vector<SummaryQuantile> quantiles;
  uint64_t count = 0;  // histogram and summary
  double sum = 0;      // histogram and summary
};

struct FamilySnapshot {
  std::string name;
  std::string help;
  MetricType type = MetricType::kUntyped;
  std::vector<std::string> label_names;
  std::vector<MetricSnapshot> metrics;
};

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_SNAPSHOT_H_
