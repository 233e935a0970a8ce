#include "tsdb/exemplars/exemplar_metrics.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sundial::tsdb {
namespace {

class Collector : public metrics::Collector {
 public:
  explicit Collector(const CircularExemplarStorage* storage) : storage_(storage) {}

  void Collect(std::vector<metrics::FamilySnapshot>* out) const override {
    using metrics::MetricType;
    const ExemplarStats s = storage_->Stats();
    Add(out, "prometheus_tsdb_exemplar_exemplars_appended_total",
        "Total number of appended exemplars.", MetricType::kCounter,
        static_cast<double>(s.appended_total));
    Add(out, "prometheus_tsdb_exemplar_exemplars_in_storage",
        "Number of exemplars currently in circular storage.", MetricType::kGauge,
        static_cast<double>(s.exemplars_in_storage));
    Add(out, "prometheus_tsdb_exemplar_last_exemplars_timestamp_seconds",
        "The timestamp of the oldest exemplar stored in circular storage. Useful to check for "
        "what timerange the current exemplar buffer limit allows. This usually means the last "
        "timestampfor all exemplars for a typical setup. This is not true though if one of the "
        "series timestamp is in future compared to rest series.",
        MetricType::kGauge, s.oldest_timestamp_seconds);
    Add(out, "prometheus_tsdb_exemplar_max_exemplars",
        "Total number of exemplars the exemplar storage can store, resizeable.", MetricType::kGauge,
        static_cast<double>(s.max_exemplars));
    Add(out, "prometheus_tsdb_exemplar_out_of_order_exemplars_total",
        "Total number of out of order exemplar ingestion failed attempts.", MetricType::kCounter,
        static_cast<double>(s.out_of_order_total));
    Add(out, "prometheus_tsdb_exemplar_series_with_exemplars_in_storage",
        "Number of series with exemplars currently in circular storage.", MetricType::kGauge,
        static_cast<double>(s.series_with_exemplars));
  }

 private:
  static void Add(std::vector<metrics::FamilySnapshot>* out, std::string name, std::string help,
                  metrics::MetricType type, double value) {
    metrics::FamilySnapshot& f = out->emplace_back();
    f.name = std::move(name);
    f.help = std::move(help);
    f.type = type;
    f.metrics.emplace_back().value = value;
  }

  const CircularExemplarStorage* const storage_;
};

}  // namespace

ExemplarMetrics::ExemplarMetrics(const CircularExemplarStorage* storage,
                                 metrics::Registry* registry)
    : registry_(registry) {
  if (registry_ != nullptr) handle_ = registry_->AddCollector(std::make_unique<Collector>(storage));
}

ExemplarMetrics::~ExemplarMetrics() {
  if (registry_ != nullptr) registry_->RemoveCollector(handle_);
}

}  // namespace sundial::tsdb
