// OTLP metrics -> Prometheus samples, as Prometheus 3.x translates them (its
// storage/remote/otlptranslator), without native histograms:
// - gauges and non-monotonic sums -> one float series per data point; monotonic sums -> counters
//   ("_total"); sums and histograms with any temporality but cumulative are rejected (Prometheus
//   without its delta features does the same);
// - explicit-bucket histograms -> _bucket{le} (cumulative, with le="+Inf" = count), _sum (if
//   present), _count; summaries -> {quantile}, _sum, _count;
// - exponential histograms are rejected: native histograms are not stored yet;
// - labels: data point attributes (names sanitised; attributes whose names collide after
//   sanitising are joined with ';' in key order), then promoted resource attributes where not
//   already set, then job (service.namespace "/" service.name) and instance
//   (service.instance.id), then __name__ and le/quantile;
// - per resource with at least one data point, a target_info series (value 1) carrying the other
//   resource attributes, sampled from the earliest to the latest data point timestamp every half
//   lookback delta and at the latest (at most kMaxTargetInfoSamples of them);
// - data points flagged NO_RECORDED_VALUE become stale markers; timestamps are truncated to
//   milliseconds; start timestamps, descriptions and units-as-metadata are ignored;
// - exemplars of sum data points go with the point's series, those of histogram data points with
//   the first _bucket series (by bound, +Inf last) whose bound is >= the exemplar's value;
//   gauges' and summaries' are dropped. Exemplar labels: trace_id and span_id (lowercase hex,
//   when set), then the filtered attributes as they are (names not translated) unless that makes
//   more than 128 characters of names and values together.
// A metric or data point that cannot be translated is counted as rejected with an error message;
// the rest of the request is translated.
#ifndef SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_TRANSLATE_H_
#define SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_TRANSLATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model/labels.h"
#include "remotewrite/otlp/internal/names.h"
#include "remotewrite/otlp/metrics.pb.h"
#include "tsdb/exemplars/exemplar.h"

namespace sundial::remotewrite::otlp {

inline constexpr int kMaxTargetInfoSamples = 1000;
inline constexpr int kMaxErrorMessages = 10;

struct TranslateOptions {
  NamingOptions naming;
  // Resource attributes copied onto every series of their resource (as labels).
  std::vector<std::string> promote_resource_attributes;
  // Keep service.name, service.namespace and service.instance.id on target_info too.
  bool keep_identifying_resource_attributes = false;
  int64_t lookback_delta_ms = 5 * 60 * 1000;
};

// Receives every translated sample, in request order.
class SampleWriter {
 public:
  virtual ~SampleWriter() = default;
  // Returns false to stop the translation (the storage failed).
  virtual bool Write(const Labels& labels, int64_t t_ms, double v) = 0;
  // An exemplar of the series `labels`, after that series' sample. Dropped by default.
  virtual void WriteExemplar(const Labels& labels, const tsdb::Exemplar& exemplar) {}
};

struct TranslateResult {
  uint64_t data_points = 0;           // OTLP data points in the request
  uint64_t rejected_data_points = 0;  // of those, not translated
  uint64_t exponential_histogram_points = 0;
  uint64_t samples = 0;    // Prometheus samples handed to the writer (target_info included)
  uint64_t exemplars = 0;  // exemplars handed to the writer
  uint64_t errors = 0;     // number of problems; the first kMaxErrorMessages are kept
  std::vector<std::string> error_messages;
  bool stopped = false;  // the writer asked to stop

  // The kept messages joined with "; ", with a count of the others.
  std::string ErrorSummary() const;
};

// Translates request into samples for writer. Never throws on any input.
void Translate(const sundial::otlp::ExportMetricsServiceRequest& request,
               const TranslateOptions& options, SampleWriter* writer, TranslateResult* result);

}  // namespace sundial::remotewrite::otlp

#endif  // SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_TRANSLATE_H_
