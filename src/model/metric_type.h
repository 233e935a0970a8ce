// The type of a metric family as exposition formats declare it (TYPE lines) and as the WAL's
// metadata records store it. The values are the WAL byte (Prometheus' record.MetricType), so a
// type is written as static_cast<uint8_t>(type); a byte read back may be outside the enum.
#ifndef SUNDIAL_MODEL_METRIC_TYPE_H_
#define SUNDIAL_MODEL_METRIC_TYPE_H_

#include <cstdint>
#include <string_view>

namespace sundial {

enum class MetricType : uint8_t {
  kUnknown = 0,  // "untyped" in the text format, "unknown" in OpenMetrics
  kCounter = 1,
  kGauge = 2,
  kHistogram = 3,
  kGaugeHistogram = 4,
  kSummary = 5,
  kInfo = 6,
  kStateset = 7,
};

// "counter", "gaugehistogram", ... as OpenMetrics and the metadata API spell them; kUnknown and
// values outside the enum are "unknown".
constexpr std::string_view MetricTypeName(MetricType type) {
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

}  // namespace sundial

#endif  // SUNDIAL_MODEL_METRIC_TYPE_H_
