// Web config file decoding and validation, following Prometheus' exporter-toolkit.
#include "config/web_config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "config/internal/yaml_decode.h"

namespace sundial::config {
namespace internal {

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, TlsServerConfig* out) {
  MapDecoder d(node, ctx, "tls_server_config");
  d.Field("cert_file", &out->cert_file)
      .Field("key_file", &out->key_file)
      .Field("client_auth_type", &out->client_auth_type)
      .Field("client_ca_file", &out->client_ca_file)
      .Field("client_allowed_sans", &out->client_allowed_sans)
      .Field("min_version", &out->min_version)
      .Field("max_version", &out->max_version)
      .Field("cipher_suites", &out->cipher_suites)
      .Field("prefer_server_cipher_suites", &out->prefer_server_cipher_suites)
      .Field("curve_preferences", &out->curve_preferences);
  RETURN_IF_ERROR(d.Finish());
  if (out->cert_file.empty()) return ctx.Error(node, "missing cert_file");
  if (out->key_file.empty()) return ctx.Error(node, "missing key_file");
  constexpr std::string_view kAuthTypes[] = {"NoClientCert", "RequestClientCert",
                                             "RequireAnyClientCert", "VerifyClientCertIfGiven",
                                             "RequireAndVerifyClientCert"};
  if (std::find(std::begin(kAuthTypes), std::end(kAuthTypes), out->client_auth_type) ==
      std::end(kAuthTypes)) {
    return ctx.Error(node, StrCat("invalid ClientAuth: ", out->client_auth_type));
  }
  const bool verifies = out->client_auth_type == "VerifyClientCertIfGiven" ||
                        out->client_auth_type == "RequireAndVerifyClientCert";
  if (!out->client_ca_file.empty() && !verifies) {
    return ctx.Error(node, "Client CA's have been configured without a Client Auth Policy");
  }
  for (const std::string* v : {&out->min_version, &out->max_version}) {
    if (*v != "TLS10" && *v != "TLS11" && *v != "TLS12" && *v != "TLS13") {
      return ctx.Error(node, StrCat("unknown TLS version: ", *v));
    }
  }
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, HttpServerConfig* out) {
  MapDecoder d(node, ctx, "http_server_config");
  d.Field("http2", &out->http2).Field("headers", &out->headers);
  RETURN_IF_ERROR(d.Finish());
  constexpr std::string_view kAllowed[] = {"Strict-Transport-Security", "X-Content-Type-Options",
                                           "X-Frame-Options", "X-XSS-Protection",
                                           "Content-Security-Policy"};
  for (const auto& [name, value] : out->headers) {
    if (std::find(std::begin(kAllowed), std::end(kAllowed), name) == std::end(kAllowed)) {
      return ctx.Error(node, StrCat("HTTP header \"", name, "\" can not be configured"));
    }
    if (name == "X-Content-Type-Options" && value != "nosniff") {
      return ctx.Error(node, StrCat("invalid value for X-Content-Type-Options. Expected one of: "
                                    "[\"nosniff\"], but got: \"",
                                    value, "\""));
    }
    if (name == "X-Frame-Options" && value != "deny" && value != "sameorigin") {
      return ctx.Error(node, StrCat("invalid value for X-Frame-Options. Expected one of: "
                                    "[\"deny\" \"sameorigin\"], but got: \"",
                                    value, "\""));
    }
  }
  return absl::OkStatus();
}

}  // namespace internal

absl::StatusOr<WebConfig> ParseWebConfig(std::string_view yaml, std::string_view filename) {
  internal::DecodeContext ctx(filename);
  WebConfig web;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    internal::MapDecoder d(root, ctx, "web_config");
    d.Field("tls_server_config", &web.tls_server_config)
        .Field("http_server_config", &web.http_server_config)
        .Field("basic_auth_users", &web.basic_auth_users);
    RETURN_IF_ERROR(d.Finish());
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return absl::InvalidArgumentError(StrCat(filename, ": yaml: ", e.msg));
    return absl::InvalidArgumentError(StrCat(filename, ":", e.mark.line + 1, ": yaml: ", e.msg));
  }
  return web;
}

absl::StatusOr<WebConfig> LoadWebConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat("open ", path, ": ", std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  ASSIGN_OR_RETURN(WebConfig web, ParseWebConfig(text.str(), path));
  if (web.tls_server_config) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    TlsServerConfig& tls = *web.tls_server_config;
    tls.cert_file = internal::JoinDir(dir, tls.cert_file);
    tls.key_file = internal::JoinDir(dir, tls.key_file);
    tls.client_ca_file = internal::JoinDir(dir, tls.client_ca_file);
  }
  return web;
}

}  // namespace sundial::config
