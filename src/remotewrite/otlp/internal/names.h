// Metric and label name translation from OTLP to Prometheus, as Prometheus 3.x does it (the rules
// of its otlptranslator: unit and type suffixes, underscore escaping, "key_" prefixes).
//
//   BuildMetricName({.name = "http.server.duration", .unit = "s", .kind = MetricKind::kHistogram},
//                   {.escape = true, .add_suffixes = true})   -> "http_server_duration_seconds"
//   BuildLabelName("http.method", {.escape = true})             -> "http_method"
#ifndef SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_NAMES_H_
#define SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_NAMES_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sundial::remotewrite::otlp {

// What a metric is, as far as naming cares.
enum class MetricKind {
  kGauge,
  kMonotonicSum,     // a counter: gets "_total"
  kNonMonotonicSum,  // named like a gauge, but no "_ratio"
  kHistogram,
  kExponentialHistogram,
  kSummary,
};

struct NamingOptions {
  // Replace characters outside [a-zA-Z0-9:] (metrics) or [a-zA-Z0-9_] (labels) with '_'.
  // false keeps UTF-8 names as they are (NoUTF8EscapingWithSuffixes, NoTranslation).
  bool escape = true;
  // Append unit, "_total" and "_ratio" suffixes (the *WithSuffixes strategies).
  bool add_suffixes = true;
  // Labels: prefix "key" to a name that starts with a single '_' (Prometheus' default).
  bool underscore_label_sanitization = true;
  // Labels: keep runs of '_' as they are (Prometheus' default) rather than collapsing them.
  bool preserve_multiple_underscores = true;
};

struct MetricIdentity {
  std::string_view name = {};
  std::string_view unit = {};
  MetricKind kind = MetricKind::kGauge;
};

// The Prometheus metric family name. InvalidArgument when the result would be empty or only
// underscores ("normalization for metric \"...\" resulted in empty name").
absl::StatusOr<std::string> BuildMetricName(const MetricIdentity& metric,
                                            const NamingOptions& options);

// The Prometheus label name of an attribute key. InvalidArgument for an empty key or one that
// becomes only underscores.
absl::StatusOr<std::string> BuildLabelName(std::string_view key, const NamingOptions& options);

}  // namespace sundial::remotewrite::otlp

#endif  // SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_NAMES_H_
