#include "base/metrics_gauge.h"

#include "base/metrics_snapshot.h"

namespace sundial::metrics {

void Gauge::Collect(MetricSnapshot* out) const { out->value = Value(); }

}  // namespace sundial::metrics
