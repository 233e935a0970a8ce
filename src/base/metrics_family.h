// A metric family: one name, help text and type, with one child metric per combination of label
// values.
//
//   CounterFamily& requests = registry.NewCounterFamily(
//       "prometheus_http_requests_total", "Counter of HTTP requests.", {"handler", "code"});
//   Counter& ok = requests.WithLabelValues({"/api/v1/query", "200"});  // cache this
//   ok.Inc();
//
// Thread-safe. WithLabelValues takes a reader lock (a writer lock the first time a combination
// is seen); the child it returns lives as long as the family, i.e. as long as the registry, so
// hot paths look it up once and keep the reference. Children are never removed.
#ifndef SUNDIAL_BASE_METRICS_FAMILY_H_
#define SUNDIAL_BASE_METRICS_FAMILY_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "base/metrics_counter.h"
#include "base/metrics_gauge.h"
#include "base/metrics_histogram.h"
#include "base/metrics_snapshot.h"
#include "base/metrics_summary.h"

namespace sundial::metrics {

// What the Registry keeps: any family that can snapshot itself.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Returns the current values of every child (none if no child exists yet).
  virtual FamilySnapshot Collect() const = 0;

 protected:
  FamilyBase(std::string_view name, std::string_view help, MetricType type,
             std::vector<std::string> label_names);

  // A snapshot with name, help, type and label names filled in and no metrics.
  FamilySnapshot EmptySnapshot() const;
  // Aborts: WithLabelValues got `got` values for label_names().size() names.
  [[noreturn]] void DieLabelCount(size_t got) const;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

// T is Counter, Gauge, Histogram or Summary: it has `void Collect(MetricSnapshot*) const`.
template <typename T>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  // Use the Registry's New*Family instead; it validates names.
  Family(std::string_view name, std::string_view help, MetricType type,
         std::vector<std::string> label_names, Factory factory)
      : FamilyBase(name, help, type, std::move(label_names)), factory_(std::move(factory)) {}

  // The child for these values, created on first use. Values pair with the label names in the
  // order they were registered; aborts if the count differs.
  T& WithLabelValues(std::initializer_list<std::string_view> values) {
    return WithLabelValues(std::span<const std::string_view>(values.begin(), values.size()));
  }
  T& WithLabelValues(std::span<const std::string_view> values);

  FamilySnapshot Collect() const override;

 private:
  struct Child {
    std::vector<std::string> label_values;
    std::unique_ptr<T> metric;  // stable address across rehashes
  };

  Factory factory_;
  mutable absl::Mutex mu_;
  // Keyed by the label values, each prefixed by its length so that no two tuples collide.
  absl::flat_hash_map<std::string, Child> children_ ABSL_GUARDED_BY(mu_);
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;
using SummaryFamily = Family<Summary>;

template <typename T>
T& Family<T>::WithLabelValues(std::span<const std::string_view> values) {
  if (values.size() != label_names().size()) DieLabelCount(values.size());
  std::string key;
  for (std::string_view v : values) {
    uint32_t n = static_cast<uint32_t>(v.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(v);
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = children_.find(key);
    if (it != children_.end()) return *it->second.metric;
  }
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = children_.try_emplace(std::move(key));
  if (inserted) {
    it->second.label_values.assign(values.begin(), values.end());
    it->second.metric = factory_();
  }
  return *it->second.metric;
}

template <typename T>
FamilySnapshot Family<T>::Collect() const {
  FamilySnapshot out = EmptySnapshot();
  absl::ReaderMutexLock lock(&mu_);
  out.metrics.reserve(children_.size());
  for (const auto& [key, child] : children_) {
    MetricSnapshot& m = out.metrics.emplace_back();
    m.label_values = child.label_values;
    child.metric->Collect(&m);
  }
  return out;
}

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_FAMILY_H_
