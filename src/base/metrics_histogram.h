// Histogram: counts observations (request durations, response sizes) into buckets with fixed
// upper bounds, plus their sum and count, exposed as Prometheus' cumulative `_bucket{le=...}`,
// `_sum` and `_count` series.
//
//   Histogram& h = registry.NewHistogram("prometheus_tsdb_compaction_duration_seconds",
//                                        "Duration of compaction runs", ExponentialBuckets(1, 2,
//                                        14));
//   h.Observe(0.42);
//
// Thread-safe and lock-free. A snapshot taken while other threads observe is consistent in its
// buckets and count (the count is the sum of the bucket counts, so `le="+Inf"` always equals
// `_count`); the sum may include an observation the buckets do not yet show, or miss one.
#ifndef SUNDIAL_BASE_METRICS_HISTOGRAM_H_
#define SUNDIAL_BASE_METRICS_HISTOGRAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/metrics_atomic_double.h"

namespace sundial::metrics {

struct MetricSnapshot;

// client_golang's DefBuckets: .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10 (seconds).
std::vector<double> DefaultBuckets();
// count bounds start, start+width, ... REQUIRES: count >= 1, width > 0 (else aborts).
std::vector<double> LinearBuckets(double start, double width, int count);
// count bounds start, start*factor, ... REQUIRES: count >= 1, start > 0, factor > 1 (else aborts).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

class Histogram {
 public:
  // upper_bounds must be strictly increasing (a trailing +Inf is allowed and dropped: the +Inf
  // bucket always exists). Aborts otherwise: bucket layouts are programmer decisions.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // v goes into the first bucket whose upper bound is >= v; NaN and values above every bound go
  // into the +Inf bucket (as in client_golang).
  void Observe(double v);

  // The finite upper bounds, ascending.
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Fills out->buckets (cumulative, finite bounds only), out->count and out->sum.
  void Collect(MetricSnapshot* out) const;

 private:
  std::vector<double> upper_bounds_;
  // upper_bounds_.size() + 1 non-cumulative counts; the last one is the +Inf bucket.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  AtomicDouble sum_;
};

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_HISTOGRAM_H_
