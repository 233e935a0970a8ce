// Decoders, encoders and path resolvers of the config structs (internal to src/config/).
// Decoders validate as Prometheus' UnmarshalYAML does and return located errors.
#ifndef SUNDIAL_CONFIG_INTERNAL_CODEC_H_
#define SUNDIAL_CONFIG_INTERNAL_CODEC_H_

#include <string_view>

#include "absl/status/status.h"
#include "config/config.h"
#include "config/internal/yaml_decode.h"
#include "config/internal/yaml_encode.h"

namespace sundial::config::internal {

// http_client_config.cc
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, TlsConfig* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, BasicAuth* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, Authorization* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, OAuth2* out);
// HttpClientConfig is inlined into its parent mapping: registers its keys on d.
void DecodeHttpClientFields(MapDecoder& d, HttpClientConfig* out);
// Prometheus' HTTPClientConfig.Validate; moves bearer_token(_file) into authorization. The error
// is a bare message for the caller to locate.
absl::Status ValidateHttpClient(HttpClientConfig* cfg);
void EncodeTls(Encoder& e, std::string_view key, const TlsConfig& tls);
void EncodeHttpClientFields(Encoder& e, const HttpClientConfig& cfg);
void ResolveTlsPaths(std::string_view dir, TlsConfig* tls);
void ResolveHttpClientPaths(std::string_view dir, HttpClientConfig* cfg);

// relabel_config.cc
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, RelabelConfig* out);
void EncodeRelabelConfigs(Encoder& e, std::string_view key, const std::vector<RelabelConfig>& rs);

// discovery_config.cc
// Registers the SD keys on d; keys of SD kinds Sundial lacks fail with a clear error.
void DecodeServiceDiscoveryFields(MapDecoder& d, ServiceDiscoveryConfigs* out);
// Prometheus' checkStaticTargets: no URLs among static targets. Bare message on error.
absl::Status CheckStaticTargets(const ServiceDiscoveryConfigs& sd);
void EncodeServiceDiscoveryFields(Encoder& e, const ServiceDiscoveryConfigs& sd);
void ResolveServiceDiscoveryPaths(std::string_view dir, ServiceDiscoveryConfigs* sd);

// scrape_config.cc
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, ScrapeConfig* out);
void DecodeScrapeLimitFields(MapDecoder& d, ScrapeLimits* out);
void EncodeScrapeLimitFields(Encoder& e, const ScrapeLimits& limits);
void EncodeScrapeConfig(Encoder& e, const ScrapeConfig& cfg);

// alerting_config.cc
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, AlertingConfig* out);
void EncodeAlertingConfig(Encoder& e, const AlertingConfig& cfg);

// remote_config.cc
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, RemoteWriteConfig* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, RemoteReadConfig* out);
void EncodeRemoteWriteConfig(Encoder& e, const RemoteWriteConfig& cfg);
void EncodeRemoteReadConfig(Encoder& e, const RemoteReadConfig& cfg);

}  // namespace sundial::config::internal

#endif  // SUNDIAL_CONFIG_INTERNAL_CODEC_H_
