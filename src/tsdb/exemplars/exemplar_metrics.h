// ExemplarMetrics: exposes a CircularExemplarStorage as Prometheus' prometheus_tsdb_exemplar_*
// self-metrics for as long as it lives.
//
//   ExemplarMetrics metrics(&storage, &metrics::Registry::Default());
#ifndef SUNDIAL_TSDB_EXEMPLARS_EXEMPLAR_METRICS_H_
#define SUNDIAL_TSDB_EXEMPLARS_EXEMPLAR_METRICS_H_

#include "base/metrics_registry.h"
#include "tsdb/exemplars/circular_storage.h"

namespace sundial::tsdb {

class ExemplarMetrics {
 public:
  // Both not owned; storage must outlive this object. A null registry registers nothing.
  ExemplarMetrics(const CircularExemplarStorage* storage, metrics::Registry* registry);
  ~ExemplarMetrics();
  ExemplarMetrics(const ExemplarMetrics&) = delete;
  ExemplarMetrics& operator=(const ExemplarMetrics&) = delete;

 private:
  metrics::Registry* const registry_;
  metrics::Collector* handle_ = nullptr;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_EXEMPLARS_EXEMPLAR_METRICS_H_
