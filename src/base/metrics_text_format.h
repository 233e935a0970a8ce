// The Prometheus text exposition format 0.0.4, written byte for byte as client_golang's expfmt
// writes it, so that /metrics of Sundial and of Prometheus diff cleanly:
//
//   # HELP prometheus_http_requests_total Counter of HTTP requests.
//   # TYPE prometheus_http_requests_total counter
//   prometheus_http_requests_total{code="200",handler="/api/v1/query"} 12
//
// Pure functions; thread-compatible.
#ifndef SUNDIAL_BASE_METRICS_TEXT_FORMAT_H_
#define SUNDIAL_BASE_METRICS_TEXT_FORMAT_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/metrics_snapshot.h"

namespace sundial::metrics {

// The Content-Type header value for a /metrics response in this format.
inline constexpr std::string_view kTextFormatContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Appends v as Go's strconv.FormatFloat(v, 'g', -1, 64): the shortest digits that round-trip, in
// exponent form ("1e+06", "1.5e-07") when the decimal exponent is < -4 or >= 6, else plain
// ("123456", "0.0001"). Special cases as in expfmt: "+Inf", "-Inf", "NaN", and -0 as "0".
void AppendFloat(std::string* out, double v);
std::string FormatFloat(double v);

// Appends every family with at least one metric, in this order: families by name, metrics by
// their label values (compared in label-name order), label pairs by name, histogram `le` and
// summary `quantile` last.
// HELP text has backslash and newline escaped; label values also double quote.
// REQUIRES: family names are unique; every metric has one value per label name.
void AppendTextFormat(std::vector<FamilySnapshot>* families, std::string* out);

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_TEXT_FORMAT_H_
