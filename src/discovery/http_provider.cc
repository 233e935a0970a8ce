#include "discovery/http_provider.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <utility>

#include "absl/status/status.h"
#include "base/metrics_registry.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "discovery/refresh_provider.h"
#include "discovery/stoppable_fetch.h"
#include "model/names.h"
#include "net/client_options_from_config.h"
#include "net/http_client.h"

namespace sundial::discovery {
namespace {

metrics::Counter& Failures() {
  static metrics::Counter& c = metrics::Registry::Default().NewCounter(
      "prometheus_sd_http_failures_total", "Number of HTTP service discovery refresh failures.");
  return c;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A JSON string: yaml-cpp tags quoted scalars "!", plain ones (numbers, true, null) "?".
bool IsJsonString(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "!"; }

absl::Status TypeError(std::string_view what, std::string_view go_type) {
  return absl::InvalidArgumentError(
      StrCat("json: cannot unmarshal ", what, " into Go value of type ", go_type));
}

std::string_view JsonKind(const YAML::Node& n) {
  if (n.IsSequence()) return "array";
  if (n.IsMap()) return "object";
  if (n.IsNull()) return "null";
  if (n.IsScalar() && n.Tag() == "!") return "string";
  const std::string& s = n.Scalar();
  if (s == "true" || s == "false") return "bool";
  return "number";
}

absl::StatusOr<TargetGroup> DecodeGroup(std::string_view url, size_t index,
                                        const YAML::Node& node) {
  if (node.IsNull()) return absl::InvalidArgumentError("nil target group item found");
  if (!node.IsMap()) return TypeError(JsonKind(node), "targetgroup.Group");
  TargetGroup g{.source = StrCat(url, ":", index)};
  LabelsBuilder labels;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& value = kv.second;
    // Go's decoder matches field names case-insensitively.
    if (EqualsIgnoreCase(key, "targets")) {
      if (value.IsNull()) continue;
      if (!value.IsSequence()) return TypeError(JsonKind(value), "[]string");
      for (const YAML::Node& t : value) {
        if (!IsJsonString(t)) return TypeError(JsonKind(t), "string");
        g.targets.push_back(Labels{{"__address__", t.Scalar()}});
      }
    } else if (EqualsIgnoreCase(key, "labels")) {
      if (value.IsNull()) continue;
      if (!value.IsMap()) return TypeError(JsonKind(value), "model.LabelSet");
      for (const auto& l : value) {
        const std::string name = l.first.Scalar();
        if (!IsLegacyLabelName(name)) {
          return absl::InvalidArgumentError(StrCat(GoQuote(name), " is not a valid label name"));
        }
        if (!IsJsonString(l.second)) return TypeError(JsonKind(l.second), "model.LabelValue");
        labels.Set(name, l.second.Scalar());
      }
    } else {
      return absl::InvalidArgumentError(StrCat("json: unknown field ", GoQuote(key)));
    }
  }
  labels.Set("__meta_url", url);
  g.labels = labels.Build();
  return g;
}

// strconv.FormatFloat(seconds, 'f', -1, 64): "60", "1.5".
std::string FormatSeconds(Duration d) {
  char buf[64];
  const double seconds = static_cast<double>(d.count()) / 1000.0;
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, seconds, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

absl::StatusOr<std::vector<TargetGroup>> Refresh(const config::HttpSdConfig& config,
                                                 net::HttpClient& client, std::stop_token stop) {
  net::Request request{.url = config.url};
  request.headers.Set("User-Agent", StrCat("Prometheus/", SUNDIAL_VERSION_STRING));
  request.headers.Set("Accept", "application/json");
  request.headers.Set("X-Prometheus-Refresh-Interval-Seconds",
                      FormatSeconds(config.refresh_interval));
  absl::StatusOr<net::Response> response = StoppableFetch(client, std::move(request), stop);
  if (!response.ok()) {
    if (!stop.stop_requested()) Failures().Inc();
    return response.status();
  }
  if (response->status_code != 200) {
    Failures().Inc();
    return absl::UnavailableError(StrCat("server returned HTTP status ", response->status));
  }
  const std::string_view content_type = response->headers.Get("Content-Type");
  if (!IsHttpSdContentType(content_type)) {
    Failures().Inc();
    return absl::InvalidArgumentError(StrCat("unsupported content type ", GoQuote(content_type)));
  }
  absl::StatusOr<std::vector<TargetGroup>> groups = ParseHttpSdBody(config.url, response->body);
  if (!groups.ok()) Failures().Inc();
  return groups;
}

}  // namespace

bool IsHttpSdContentType(std::string_view content_type) {
  std::string_view s = Trim(content_type);
  constexpr std::string_view kJson = "application/json";
  if (s.size() < kJson.size() || !EqualsIgnoreCase(s.substr(0, kJson.size()), kJson)) return false;
  s.remove_prefix(kJson.size());
  if (s.empty()) return true;
  if (s.front() != ';') return false;
  s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  constexpr std::string_view kCharset = "charset=";
  if (s.size() < kCharset.size() || !EqualsIgnoreCase(s.substr(0, kCharset.size()), kCharset)) {
    return false;
  }
  s.remove_prefix(kCharset.size());
  return EqualsIgnoreCase(s, "utf-8") || EqualsIgnoreCase(s, "\"utf-8\"");
}

absl::StatusOr<std::vector<TargetGroup>> ParseHttpSdBody(std::string_view url,
                                                         std::string_view body) {
  if (Trim(body).empty()) return absl::InvalidArgumentError("unexpected end of JSON input");
  YAML::Node root;
  try {
    root = YAML::Load(std::string(body));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat("invalid JSON: ", e.what()));
  }
  std::vector<TargetGroup> groups;
  if (root.IsNull()) return groups;  // "null"
  if (!root.IsSequence()) return TypeError(JsonKind(root), "[]*targetgroup.Group");
  try {
    for (size_t i = 0; i < root.size(); ++i) {
      ASSIGN_OR_RETURN(TargetGroup g, DecodeGroup(url, i, root[i]));
      groups.push_back(std::move(g));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat("invalid JSON: ", e.what()));
  }
  return groups;
}

absl::StatusOr<std::unique_ptr<Provider>> NewHttpProvider(config::HttpSdConfig config,
                                                          net::IoPool* pool) {
  ASSIGN_OR_RETURN(net::ClientOptions options,
                   net::ClientOptionsFromConfig(config.http_client, config.refresh_interval));
  ASSIGN_OR_RETURN(std::unique_ptr<net::HttpClient> created,
                   net::HttpClient::Create(std::move(options), pool));
  std::shared_ptr<net::HttpClient> client(std::move(created));
  Failures();  // exported from the start, as Prometheus registers it
  const Duration interval = config.refresh_interval;
  return NewRefreshProvider("http", interval,
                            [config = std::move(config), client](std::stop_token stop) {
                              return Refresh(config, *client, stop);
                            });
}

}  // namespace sundial::discovery
