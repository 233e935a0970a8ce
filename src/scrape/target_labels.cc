// Target label population, following Prometheus 3.x's scrape/target.go.
#include "scrape/target_labels.h"

#include "base/duration.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "scrape/relabel.h"

namespace sundial::scrape {
namespace {

constexpr std::string_view kAddressLabel = "__address__";
constexpr std::string_view kSchemeLabel = "__scheme__";
constexpr std::string_view kMetricsPathLabel = "__metrics_path__";
constexpr std::string_view kScrapeIntervalLabel = "__scrape_interval__";
constexpr std::string_view kScrapeTimeoutLabel = "__scrape_timeout__";
constexpr std::string_view kParamPrefix = "__param_";
constexpr std::string_view kMetaPrefix = "__meta_";

bool IsUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void AppendPercent(std::string* out, char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  unsigned char u = static_cast<unsigned char>(c);
  out->push_back('%');
  out->push_back(kHex[u >> 4]);
  out->push_back(kHex[u & 15]);
}

// Go's url.QueryEscape.
void AppendQueryEscaped(std::string* out, std::string_view s) {
  for (char c : s) {
    if (IsUnreserved(c)) {
      out->push_back(c);
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      AppendPercent(out, c);
    }
  }
}

// Go's path escaping in URL.String (encodePath).
void AppendPathEscaped(std::string* out, std::string_view s) {
  for (char c : s) {
    if (IsUnreserved(c) || std::string_view("$&+,/:;=@").find(c) != std::string_view::npos) {
      out->push_back(c);
    } else {
      AppendPercent(out, c);
    }
  }
}

absl::Status Error(std::string_view message) { return absl::InvalidArgumentError(AsAbsl(message)); }

// Step 1 of PopulateTarget.
void AddScrapeDefaults(const config::ScrapeConfig& job, LabelsBuilder* b) {
  const std::pair<std::string_view, std::string> defaults[] = {
      {"job", job.job_name},
      {kScrapeIntervalLabel, FormatDuration(job.scrape_interval)},
      {kScrapeTimeoutLabel, FormatDuration(job.scrape_timeout)},
      {kMetricsPathLabel, job.metrics_path},
      {kSchemeLabel, job.scheme},
  };
  for (const auto& [name, value] : defaults) {
    if (b->Get(name).empty()) b->Set(name, value);
  }
  for (const auto& [key, values] : job.params) {
    std::string name = StrCat(kParamPrefix, key);
    if (!values.empty() && b->Get(name).empty()) b->Set(name, values[0]);
  }
}

}  // namespace

Labels WithScrapeDefaults(const Labels& discovered, const config::ScrapeConfig& job) {
  LabelsBuilder b(discovered);
  AddScrapeDefaults(job, &b);
  return b.Build();
}

absl::StatusOr<std::optional<ScrapeTarget>> PopulateTarget(const Labels& discovered,
                                                           const config::ScrapeConfig& job) {
  LabelsBuilder b(discovered);
  AddScrapeDefaults(job, &b);
  if (!Relabel(job.relabel_configs, &b)) return std::nullopt;

  const std::string address(b.Get(kAddressLabel));
  if (address.empty()) return Error("no address");
  if (address.find('/') != std::string::npos) {
    return Error(StrCat(GoQuote(address), " is not a valid hostname"));
  }
  const std::string interval(b.Get(kScrapeIntervalLabel));
  absl::StatusOr<Duration> interval_d = ParseDuration(interval);
  if (!interval_d.ok()) {
    return Error(StrCat("error parsing scrape interval: ", interval_d.status().message()));
  }
  if (interval_d->count() == 0) return Error("scrape interval cannot be 0");
  const std::string timeout(b.Get(kScrapeTimeoutLabel));
  absl::StatusOr<Duration> timeout_d = ParseDuration(timeout);
  if (!timeout_d.ok()) {
    return Error(StrCat("error parsing scrape timeout: ", timeout_d.status().message()));
  }
  if (timeout_d->count() == 0) return Error("scrape timeout cannot be 0");
  if (*timeout_d > *interval_d) {
    return Error(StrCat("scrape timeout cannot be greater than scrape interval (", GoQuote(timeout),
                        " > ", GoQuote(interval), ")"));
  }

  const Labels relabeled = b.Build();
  for (const Label& l : relabeled) {
    if (l.name.starts_with(kMetaPrefix)) b.Del(l.name);
  }
  if (b.Get("instance").empty()) b.Set("instance", address);

  ScrapeTarget target;
  target.labels = b.Build();
  for (const Label& l : target.labels) {
    if (!IsValidUtf8(l.value)) {
      return Error(StrCat("invalid label value for ", GoQuote(l.name), ": ", GoQuote(l.value)));
    }
  }
  target.url = TargetUrl(target.labels, job.params);
  return target;
}

std::string TargetUrl(const Labels& labels,
                      const std::map<std::string, std::vector<std::string>>& params) {
  std::map<std::string, std::vector<std::string>> query = params;
  for (const Label& l : labels) {
    if (!l.name.starts_with(kParamPrefix)) continue;
    std::vector<std::string>& values = query[std::string(l.name.substr(kParamPrefix.size()))];
    if (values.empty()) {
      values.emplace_back(l.value);
    } else {
      values[0] = std::string(l.value);
    }
  }
  std::string url = StrCat(labels.Get(kSchemeLabel), "://", labels.Get(kAddressLabel));
  std::string_view path = labels.Get(kMetricsPathLabel);
  if (!path.empty() && path[0] != '/') url.push_back('/');
  AppendPathEscaped(&url, path);
  char sep = '?';
  for (const auto& [key, values] : query) {
    for (const std::string& v : values) {
      url.push_back(sep);
      sep = '&';
      AppendQueryEscaped(&url, key);
      url.push_back('=');
      AppendQueryEscaped(&url, v);
    }
  }
  return url;
}

}  // namespace sundial::scrape
