// ScrapeConfig decoding, validation and printing. Inheritance from `global` happens in config.cc
// once the whole file is read.
#include "config/scrape_config.h"

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "config/internal/codec.h"

namespace sundial::config::internal {
namespace {

// body_size_limit: "10MB", "1GiB", "0".
struct ByteSize {
  int64_t bytes = 0;
};

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, ByteSize* out) {
  std::string text;
  RETURN_IF_ERROR(DecodeYaml(node, ctx, &text));
  absl::StatusOr<int64_t> bytes = ParseByteSize(text);
  if (!bytes.ok()) return ctx.FieldError(node, AsStd(bytes.status().message()));
  out->bytes = *bytes;
  return absl::OkStatus();
}

constexpr std::string_view kScrapeProtocols[] = {"PrometheusProto", "OpenMetricsText0.0.1",
                                                 "OpenMetricsText1.0.0", "PrometheusText0.0.4",
                                                 "PrometheusText1.0.0"};

absl::Status Validate(ScrapeConfig* c) {
  auto error = [](std::string message) { return absl::InvalidArgumentError(std::move(message)); };
  if (c->job_name.empty()) return error("job_name is empty");
  RETURN_IF_ERROR(ValidateHttpClient(&c->http_client));
  if (c->relabel_configs.empty()) RETURN_IF_ERROR(CheckStaticTargets(c->service_discovery));
  std::vector<std::string_view> seen;
  for (const std::string& p : c->scrape_protocols) {
    if (std::find(std::begin(kScrapeProtocols), std::end(kScrapeProtocols), p) ==
        std::end(kScrapeProtocols)) {
      return error(StrCat("unknown scrape protocol ", p,
                          ", supported: PrometheusProto, OpenMetricsText0.0.1, "
                          "OpenMetricsText1.0.0, PrometheusText0.0.4, PrometheusText1.0.0"));
    }
    if (std::find(seen.begin(), seen.end(), p) != seen.end()) {
      return error(StrCat("duplicated protocol in scrape_protocols, got [", p, "]"));
    }
    seen.push_back(p);
  }
  return absl::OkStatus();
}

}  // namespace

void DecodeScrapeLimitFields(MapDecoder& d, ScrapeLimits* out) {
  ByteSize body_size{out->body_size_limit};
  d.Field("body_size_limit", &body_size)
      .Field("sample_limit", &out->sample_limit)
      .Field("target_limit", &out->target_limit)
      .Field("label_limit", &out->label_limit)
      .Field("label_name_length_limit", &out->label_name_length_limit)
      .Field("label_value_length_limit", &out->label_value_length_limit)
      .Field("keep_dropped_targets", &out->keep_dropped_targets);
  out->body_size_limit = body_size.bytes;
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, ScrapeConfig* out) {
  if (node.IsNull()) return ctx.Error(node, "empty or null scrape config section");
  MapDecoder d(node, ctx, "scrape_config");
  d.Field("job_name", &out->job_name)
      .Field("honor_labels", &out->honor_labels)
      .Field("honor_timestamps", &out->honor_timestamps)
      .Field("track_timestamps_staleness", &out->track_timestamps_staleness)
      .Field("params", &out->params)
      .Field("scrape_interval", &out->scrape_interval)
      .Field("scrape_timeout", &out->scrape_timeout)
      .Field("scrape_protocols", &out->scrape_protocols)
      .Field("metrics_path", &out->metrics_path)
      .Field("scheme", &out->scheme)
      .Field("relabel_configs", &out->relabel_configs)
      .Field("metric_relabel_configs", &out->metric_relabel_configs);
  DecodeScrapeLimitFields(d, &out->limits);
  DecodeHttpClientFields(d, &out->http_client);
  DecodeServiceDiscoveryFields(d, &out->service_discovery);
  RETURN_IF_ERROR(d.Finish());
  absl::Status status = Validate(out);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

void EncodeScrapeLimitFields(Encoder& e, const ScrapeLimits& limits) {
  if (limits.body_size_limit != 0) {
    e.String("body_size_limit", FormatByteSize(limits.body_size_limit));
  }
  e.OptInt("sample_limit", static_cast<int64_t>(limits.sample_limit));
  e.OptInt("target_limit", static_cast<int64_t>(limits.target_limit));
  e.OptInt("label_limit", static_cast<int64_t>(limits.label_limit));
  e.OptInt("label_name_length_limit", static_cast<int64_t>(limits.label_name_length_limit));
  e.OptInt("label_value_length_limit", static_cast<int64_t>(limits.label_value_length_limit));
  e.OptInt("keep_dropped_targets", static_cast<int64_t>(limits.keep_dropped_targets));
}

void EncodeScrapeConfig(Encoder& e, const ScrapeConfig& c) {
  e.BeginMap();
  e.String("job_name", c.job_name);
  e.OptBool("honor_labels", c.honor_labels);
  e.Bool("honor_timestamps", c.honor_timestamps);
  e.OptBool("track_timestamps_staleness", c.track_timestamps_staleness);
  e.OptMultiMap("params", c.params);
  e.Dur("scrape_interval", c.scrape_interval);
  e.Dur("scrape_timeout", c.scrape_timeout);
  e.OptStrings("scrape_protocols", c.scrape_protocols);
  e.String("metrics_path", c.metrics_path);
  e.String("scheme", c.scheme);
  EncodeScrapeLimitFields(e, c.limits);
  EncodeHttpClientFields(e, c.http_client);
  EncodeRelabelConfigs(e, "relabel_configs", c.relabel_configs);
  EncodeRelabelConfigs(e, "metric_relabel_configs", c.metric_relabel_configs);
  EncodeServiceDiscoveryFields(e, c.service_discovery);
  e.EndMap();
}

}  // namespace sundial::config::internal
