// Counter: a value that only goes up (requests served, bytes written), reset only by a restart.
//
//   Counter& c = registry.NewCounter("sundial_wal_fsyncs_total", "Number of WAL fsyncs.");
//   c.Inc();
//   c.Add(512);
//
// Thread-safe and lock-free. As in client_golang, whole increments go to an integer that is
// bumped with one atomic add (cheap under contention); fractional ones go to a double updated
// with compare-and-swap. Value() is their sum.
#ifndef SUNDIAL_BASE_METRICS_COUNTER_H_
#define SUNDIAL_BASE_METRICS_COUNTER_H_

#include <atomic>
#include <cstdint>

#include "base/metrics_atomic_double.h"

namespace sundial::metrics {

struct MetricSnapshot;

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Inc() { ints_.fetch_add(1, std::memory_order_relaxed); }
  // A counter cannot go down: a negative or NaN delta is ignored.
  void Add(double delta);
  double Value() const {
    return static_cast<double>(ints_.load(std::memory_order_relaxed)) + floats_.Load();
  }

  // Fills out->value for the exposition.
  void Collect(MetricSnapshot* out) const;

 private:
  std::atomic<uint64_t> ints_{0};
  AtomicDouble floats_;
};

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_COUNTER_H_
