// The provider behind http_sd_configs, as Prometheus' discovery/http: every refresh_interval it
// GETs the URL (with the config's TLS, auth and proxy settings, the header
// X-Prometheus-Refresh-Interval-Seconds and a request timeout of one refresh interval) and
// expects 200 with Content-Type application/json and a body of [{"targets": [...], "labels":
// {...}}, ...]. Group sources are "<url>:<index>" and every group gets __meta_url.
//
// A failed refresh (transport error, status other than 200, other content type, bad JSON) is
// logged, counted in prometheus_sd_http_failures_total and keeps the groups of the last good
// refresh. Errors read like Prometheus': "server returned HTTP status 404 Not Found",
// `unsupported content type "text/plain"`.
#ifndef SUNDIAL_DISCOVERY_HTTP_PROVIDER_H_
#define SUNDIAL_DISCOVERY_HTTP_PROVIDER_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "config/discovery_config.h"
#include "discovery/provider.h"
#include "net/io_pool.h"

namespace sundial::discovery {

// Decodes a response body; `url` names the groups and fills __meta_url. Like Go's decoder it
// rejects unknown fields (`json: unknown field "x"`), null items ("nil target group item
// found"), non-string targets and label values, and invalid label names.
absl::StatusOr<std::vector<TargetGroup>> ParseHttpSdBody(std::string_view url,
                                                         std::string_view body);

// True iff a Content-Type header value is what Prometheus accepts: application/json, optionally
// with charset=utf-8 (quoted or not), case-insensitive.
bool IsHttpSdContentType(std::string_view content_type);

// Fails when the HTTP client cannot be built from config.http_client.
// REQUIRES: pool != nullptr and outlives the provider.
absl::StatusOr<std::unique_ptr<Provider>> NewHttpProvider(config::HttpSdConfig config,
                                                          net::IoPool* pool);

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_HTTP_PROVIDER_H_
