// Content negotiation for scrapes.
#include "scrape/content_type.h"

#include "base/str_cat.h"
#include "base/strings.h"
#include "scrape/openmetrics_parser.h"
#include "scrape/text_parser.h"

namespace sundial::scrape {
namespace {

struct Protocol {
  std::string_view name;
  std::string_view media_type;
};

// Prometheus' config.ScrapeProtocolsHeaders (2.55); its size sets the top q-value.
constexpr Protocol kProtocols[] = {
    {"PrometheusProto",
     "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"},
    {"PrometheusText0.0.4", "text/plain;version=0.0.4"},
    {"OpenMetricsText0.0.1", "application/openmetrics-text;version=0.0.1"},
    {"OpenMetricsText1.0.0", "application/openmetrics-text;version=1.0.0"},
};

constexpr std::string_view kDefaultProtocols[] = {"OpenMetricsText1.0.0", "OpenMetricsText0.0.1",
                                                  "PrometheusText0.0.4"};

// RFC 7230 token characters, which Go's mime.ParseMediaType requires of type and subtype.
bool IsTokenChar(char c) {
  if (c <= ' ' || c >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

FormatChoice ChooseFormat(std::string_view content_type) {
  if (TrimSpace(content_type).empty()) {
    return {Format::kPrometheusText, "no Content-Type, using the Prometheus text format"};
  }
  std::string media(TrimSpace(content_type.substr(0, content_type.find(';'))));
  for (char& c : media) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  size_t slash = media.find('/');
  bool valid = slash != std::string::npos && slash > 0 && slash + 1 < media.size();
  for (size_t i = 0; valid && i < media.size(); ++i) {
    valid = i == slash || IsTokenChar(media[i]);
  }
  if (!valid) {
    return {Format::kPrometheusText, StrCat("invalid Content-Type ", GoQuote(content_type),
                                            ", using the Prometheus text format")};
  }
  if (media == "application/openmetrics-text") return {Format::kOpenMetrics, ""};
  if (media == "text/plain") return {Format::kPrometheusText, ""};
  return {Format::kPrometheusText, StrCat("unsupported Content-Type ", GoQuote(content_type),
                                          ", using the Prometheus text format")};
}

std::unique_ptr<Parser> NewParser(Format format, std::string_view body, bool created_timestamps) {
  if (format == Format::kOpenMetrics) {
    OpenMetricsParser::Options options;
    options.created_timestamps = created_timestamps;
    return std::make_unique<OpenMetricsParser>(body, options);
  }
  return std::make_unique<TextParser>(body);
}

std::string AcceptHeader(std::span<const std::string> scrape_protocols) {
  std::string out;
  int weight = static_cast<int>(std::size(kProtocols)) + 1;
  auto add = [&](std::string_view name) {
    for (const Protocol& p : kProtocols) {
      if (p.name != name) continue;
      StrAppend(&out, out.empty() ? "" : ",", p.media_type, ";q=0.", weight);
      --weight;
    }
  };
  if (scrape_protocols.empty()) {
    for (std::string_view name : kDefaultProtocols) add(name);
  } else {
    for (const std::string& name : scrape_protocols) add(name);
  }
  StrAppend(&out, out.empty() ? "" : ",", "*/*;q=0.", weight);
  return out;
}

}  // namespace sundial::scrape
