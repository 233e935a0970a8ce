// The self-metrics registry: Sundial's own counters, gauges, histograms and summaries, exposed
// on /metrics in the Prometheus text format.
//
//   metrics::Registry& r = metrics::Registry::Default();
//   static metrics::Counter& fsyncs = r.NewCounter("sundial_wal_fsyncs_total", "WAL fsyncs.");
//   fsyncs.Inc();
//   std::string body = r.Expose();   // what GET /metrics returns
//
// Programmer errors abort with a message (see base/metrics_fatal.h): an invalid metric or label
// name, a name registered twice, a family registered with the reserved label "le" (or
// "quantile" in a summary) or a label starting with "__". Names are literals in the code, so the
// first test that runs the code finds the bug; there is no Status to thread through.
//
// Thread-safe. Registration, lookups and Expose may run concurrently from any thread. Every
// family and metric returned lives as long as the registry (Default() is never destroyed).
#ifndef SUNDIAL_BASE_METRICS_REGISTRY_H_
#define SUNDIAL_BASE_METRICS_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/metrics_counter.h"
#include "base/metrics_family.h"
#include "base/metrics_gauge.h"
#include "base/metrics_histogram.h"
#include "base/metrics_snapshot.h"
#include "base/metrics_summary.h"

namespace sundial::metrics {

// Emits whole families at scrape time, for values owned elsewhere (TSDB head statistics,
// process metrics) that would be wasteful or awkward to mirror into counters and gauges.
class Collector {
 public:
  virtual ~Collector() = default;
  // Appends families to out. Called by Gather/Expose with the registry's lock held, so calls
  // never overlap, and Collect must not call back into the registry. A family whose name is
  // already registered or emitted earlier is left out of the exposition.
  virtual void Collect(std::vector<FamilySnapshot>* out) const = 0;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry served on /metrics. Never destroyed.
  static Registry& Default();

  // Labelled families. label_names are in the order WithLabelValues expects its values.
  CounterFamily& NewCounterFamily(std::string_view name, std::string_view help,
                                  std::vector<std::string> label_names);
  GaugeFamily& NewGaugeFamily(std::string_view name, std::string_view help,
                              std::vector<std::string> label_names);
  HistogramFamily& NewHistogramFamily(std::string_view name, std::string_view help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> buckets = DefaultBuckets());
  // The label name "quantile" is reserved in a summary family.
  SummaryFamily& NewSummaryFamily(std::string_view name, std::string_view help,
                                  std::vector<std::string> label_names,
                                  SummaryOptions options = {});

  // Unlabelled metrics: a family with no labels and its only child.
  Counter& NewCounter(std::string_view name, std::string_view help);
  Gauge& NewGauge(std::string_view name, std::string_view help);
  Histogram& NewHistogram(std::string_view name, std::string_view help,
                          std::vector<double> buckets = DefaultBuckets());
  Summary& NewSummary(std::string_view name, std::string_view help, SummaryOptions options = {});

  // Unlabelled metrics whose value fn returns at scrape time (called under the registry's lock;
  // must not call back into the registry). fn must stay callable as long as the registry
  // lives; for values of shorter-lived objects use a Collector and RemoveCollector.
  void NewCounterFunc(std::string_view name, std::string_view help, std::function<double()> fn);
  void NewGaugeFunc(std::string_view name, std::string_view help, std::function<double()> fn);

  // Takes ownership; returns the collector as a handle for RemoveCollector.
  Collector* AddCollector(std::unique_ptr<Collector> collector);
  // Destroys the collector. When this returns, its Collect is not running and will not be
  // called again. REQUIRES: collector came from AddCollector on this registry and was not
  // removed yet (aborts otherwise).
  void RemoveCollector(Collector* collector);

  // Every family with at least one metric, registered and collected, sorted by name.
  std::vector<FamilySnapshot> Gather() const;
  // Gather() in the text exposition format 0.0.4 (see base/metrics_text_format.h).
  std::string Expose() const;

 private:
  // Validates, aborts on a duplicate, and takes ownership.
  template <typename F>
  F& Add(std::unique_ptr<F> family);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> families_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Collector>> collectors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_REGISTRY_H_
