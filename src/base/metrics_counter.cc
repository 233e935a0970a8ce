#include "base/metrics_counter.h"

#include <cmath>

#include "base/metrics_snapshot.h"

namespace sundial::metrics {

void Counter::Add(double delta) {
  if (!(delta >= 0)) return;  // negative or NaN
  // Whole numbers below 2^53 are exact in both representations: take the cheap atomic add.
  if (delta < 9007199254740992.0 && delta == std::floor(delta)) {
    ints_.fetch_add(static_cast<uint64_t>(delta), std::memory_order_relaxed);
    return;
  }
  floats_.Add(delta);
}

void Counter::Collect(MetricSnapshot* out) const { out->value = Value(); }

}  // namespace sundial::metrics
