// remote_write / remote_read decoding, validation and printing.
#include "config/remote_config.h"

#include "absl/strings/ascii.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "config/internal/codec.h"

namespace sundial::config::internal {
namespace {

absl::Status ValidateHeaders(const std::map<std::string, std::string>& headers) {
  constexpr std::string_view kReserved[] = {"content-encoding",
                                            "content-length",
                                            "content-type",
                                            "user-agent",
                                            "x-prometheus-remote-write-version",
                                            "x-prometheus-remote-read-version"};
  for (const auto& [name, value] : headers) {
    const std::string lower(AsStd(absl::AsciiStrToLower(AsAbsl(name))));
    if (lower == "authorization") {
      return absl::InvalidArgumentError(
          "authorization header must be changed via the basic_auth, authorization, oauth2, or "
          "sigv4 parameter");
    }
    if (std::find(std::begin(kReserved), std::end(kReserved), lower) != std::end(kReserved)) {
      return absl::InvalidArgumentError(
          StrCat(name, " is a reserved header. It must not be changed"));
    }
  }
  return absl::OkStatus();
}

// sigv4 / azuread: accepted by Prometheus, not implemented by Sundial.
struct UnsupportedAuth {};

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, UnsupportedAuth*) {
  return ctx.Error(node, StrCat(ctx.field(), " authentication is not supported by Sundial"));
}

void DecodeRemoteHttpFields(MapDecoder& d, HttpClientConfig* out) {
  DecodeHttpClientFields(d, out);
  UnsupportedAuth unsupported;
  d.Field("sigv4", &unsupported).Field("azuread", &unsupported);
}

}  // namespace

// Found by argument-dependent lookup, so outside the unnamed namespace.
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, QueueConfig* out) {
  MapDecoder d(node, ctx, "queue_config");
  d.Field("capacity", &out->capacity)
      .Field("max_shards", &out->max_shards)
      .Field("min_shards", &out->min_shards)
      .Field("max_samples_per_send", &out->max_samples_per_send)
      .Field("batch_send_deadline", &out->batch_send_deadline)
      .Field("min_backoff", &out->min_backoff)
      .Field("max_backoff", &out->max_backoff)
      .Field("retry_on_http_429", &out->retry_on_http_429);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, MetadataConfig* out) {
  MapDecoder d(node, ctx, "metadata_config");
  d.Field("send", &out->send)
      .Field("send_interval", &out->send_interval)
      .Field("max_samples_per_send", &out->max_samples_per_send);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, RemoteWriteConfig* out) {
  if (node.IsNull()) return ctx.FieldError(node, "empty or null remote write config section");
  MapDecoder d(node, ctx, "remote_write_config");
  d.Field("url", &out->url)
      .Field("remote_timeout", &out->remote_timeout)
      .Field("headers", &out->headers)
      .Field("write_relabel_configs", &out->write_relabel_configs)
      .Field("name", &out->name)
      .Field("send_exemplars", &out->send_exemplars)
      .Field("send_native_histograms", &out->send_native_histograms)
      .Field("queue_config", &out->queue_config)
      .Field("metadata_config", &out->metadata_config);
  DecodeRemoteHttpFields(d, &out->http_client);
  RETURN_IF_ERROR(d.Finish());
  if (out->url.empty()) return ctx.Error(node, "url for remote_write is empty");
  absl::Status status = ValidateHeaders(out->headers);
  if (status.ok()) status = ValidateHttpClient(&out->http_client);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, RemoteReadConfig* out) {
  if (node.IsNull()) return ctx.FieldError(node, "empty or null remote read config section");
  MapDecoder d(node, ctx, "remote_read_config");
  d.Field("url", &out->url)
      .Field("remote_timeout", &out->remote_timeout)
      .Field("headers", &out->headers)
      .Field("read_recent", &out->read_recent)
      .Field("name", &out->name)
      .Field("required_matchers", &out->required_matchers)
      .Field("filter_external_labels", &out->filter_external_labels);
  DecodeRemoteHttpFields(d, &out->http_client);
  RETURN_IF_ERROR(d.Finish());
  if (out->url.empty()) return ctx.Error(node, "url for remote_read is empty");
  absl::Status status = ValidateHeaders(out->headers);
  if (status.ok()) status = ValidateHttpClient(&out->http_client);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

void EncodeRemoteWriteConfig(Encoder& e, const RemoteWriteConfig& c) {
  e.BeginMap();
  e.String("url", c.url);
  e.Dur("remote_timeout", c.remote_timeout);
  e.OptMap("headers", c.headers);
  EncodeRelabelConfigs(e, "write_relabel_configs", c.write_relabel_configs);
  e.OptString("name", c.name);
  e.OptBool("send_exemplars", c.send_exemplars);
  e.OptBool("send_native_histograms", c.send_native_histograms);
  EncodeHttpClientFields(e, c.http_client);
  const QueueConfig& q = c.queue_config;
  e.Key("queue_config");
  e.BeginMap();
  e.OptInt("capacity", q.capacity);
  e.OptInt("max_shards", q.max_shards);
  e.OptInt("min_shards", q.min_shards);
  e.OptInt("max_samples_per_send", q.max_samples_per_send);
  e.OptDur("batch_send_deadline", q.batch_send_deadline);
  e.OptDur("min_backoff", q.min_backoff);
  e.OptDur("max_backoff", q.max_backoff);
  e.OptBool("retry_on_http_429", q.retry_on_http_429);
  e.EndMap();
  e.Key("metadata_config");
  e.BeginMap();
  e.Bool("send", c.metadata_config.send);
  e.Dur("send_interval", c.metadata_config.send_interval);
  e.OptInt("max_samples_per_send", c.metadata_config.max_samples_per_send);
  e.EndMap();
  e.EndMap();
}

void EncodeRemoteReadConfig(Encoder& e, const RemoteReadConfig& c) {
  e.BeginMap();
  e.String("url", c.url);
  e.Dur("remote_timeout", c.remote_timeout);
  e.OptMap("headers", c.headers);
  e.OptBool("read_recent", c.read_recent);
  e.OptString("name", c.name);
  EncodeHttpClientFields(e, c.http_client);
  e.OptMap("required_matchers", c.required_matchers);
  e.Bool("filter_external_labels", c.filter_external_labels);
  e.EndMap();
}

}  // namespace sundial::config::internal
