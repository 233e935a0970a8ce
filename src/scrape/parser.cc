// Parts of the parser interface shared by both formats.
#include "scrape/parser.h"

#include "scrape/internal/lex.h"

namespace sundial::scrape {

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kUnknown:
      return "unknown";
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGaugeHistogram:
      return "gaugehistogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kInfo:
      return "info";
    case MetricType::kStateset:
      return "stateset";
  }
  return "unknown";
}

void Parser::Labels(LabelsBuilder* builder) {
  static const sundial::Labels kEmpty;
  builder->Reset(kEmpty);
  builder->Set(kMetricNameLabel, metric_name_);
  for (const LabelSpan& l : labels_) {
    builder->Set(l.name, internal::UnescapeLabelValue(l.raw_value, &value_scratch_));
  }
}

}  // namespace sundial::scrape
