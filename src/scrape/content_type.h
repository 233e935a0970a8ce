// Content negotiation for scrapes: the Accept header to send and the parser for the answer.
//
//   request.SetHeader("Accept", AcceptHeader(cfg.scrape_protocols));
//   FormatChoice choice = ChooseFormat(response.content_type);
//   if (!choice.note.empty()) log.Debug(choice.note);
//   std::unique_ptr<Parser> p = NewParser(choice.format, body);
#ifndef SUNDIAL_SCRAPE_CONTENT_TYPE_H_
#define SUNDIAL_SCRAPE_CONTENT_TYPE_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "scrape/parser.h"

namespace sundial::scrape {

enum class Format { kPrometheusText, kOpenMetrics };

struct FormatChoice {
  Format format = Format::kPrometheusText;
  // Non-empty when the content type was missing, malformed or unsupported and the text parser
  // was chosen as a fallback; says why.
  std::string note;
};

// As Prometheus' textparse.New: application/openmetrics-text (any version) -> OpenMetrics;
// text/plain and anything else -> the text format. Media types compare case-insensitively.
FormatChoice ChooseFormat(std::string_view content_type);

// A parser for body (which must outlive it). created_timestamps is passed to the OpenMetrics
// parser (OpenMetricsParser::Options).
std::unique_ptr<Parser> NewParser(Format format, std::string_view body,
                                  bool created_timestamps = false);

// The Accept header for the given scrape_protocols ("OpenMetricsText1.0.0",
// "OpenMetricsText0.0.1", "PrometheusText0.0.4", "PrometheusProto"), in order of preference with
// q-values as Prometheus 2.55 computes them; empty means the default order OpenMetricsText1.0.0,
// OpenMetricsText0.0.1, PrometheusText0.0.4:
// application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,
// text/plain;version=0.0.4;q=0.3,*/*;q=0.2. Unknown protocol names are skipped (the config
// module rejects them).
std::string AcceptHeader(std::span<const std::string> scrape_protocols);

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_CONTENT_TYPE_H_
