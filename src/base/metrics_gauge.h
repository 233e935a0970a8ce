// Gauge: a value that goes up and down (queue length, bytes in memory, last success time).
//
//   Gauge& g = registry.NewGauge("prometheus_tsdb_head_series", "Total number of series.");
//   g.Set(1200);
//   g.Inc();
//
// Thread-safe and lock-free (Set is a store, Add a compare-and-swap loop).
#ifndef SUNDIAL_BASE_METRICS_GAUGE_H_
#define SUNDIAL_BASE_METRICS_GAUGE_H_

#include "base/metrics_atomic_double.h"

namespace sundial::metrics {

struct MetricSnapshot;

class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { value_.Store(v); }
  void Add(double delta) { value_.Add(delta); }
  void Sub(double delta) { value_.Add(-delta); }
  void Inc() { value_.Add(1); }
  void Dec() { value_.Add(-1); }
  double Value() const { return value_.Load(); }

  // Fills out->value for the exposition.
  void Collect(MetricSnapshot* out) const;

 private:
  AtomicDouble value_;
};

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_GAUGE_H_
