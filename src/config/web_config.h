// The web config file (--web.config.file, the exporter-toolkit format): TLS and HTTP options for
// Sundial's own server, and basic-auth users.
//
//   ASSIGN_OR_RETURN(config::WebConfig web, config::LoadWebConfigFile(path));
//   if (web.tls_server_config) { ... serve HTTPS ... }
#ifndef SUNDIAL_CONFIG_WEB_CONFIG_H_
#define SUNDIAL_CONFIG_WEB_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sundial::config {

struct TlsServerConfig {
  std::string cert_file;  // required
  std::string key_file;   // required
  // NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or
  // RequireAndVerifyClientCert.
  std::string client_auth_type = "NoClientCert";
  std::string client_ca_file;  // only with VerifyClientCertIfGiven / RequireAndVerifyClientCert
  std::vector<std::string> client_allowed_sans;
  std::string min_version = "TLS12";  // TLS10 ... TLS13
  std::string max_version = "TLS13";
  std::vector<std::string> cipher_suites;  // Go names, e.g. TLS_AES_128_GCM_SHA256; kept as is
  bool prefer_server_cipher_suites = true;
  std::vector<std::string> curve_preferences;

  friend bool operator==(const TlsServerConfig&, const TlsServerConfig&) = default;
};

struct HttpServerConfig {
  bool http2 = true;
  // Only Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection and
  // Content-Security-Policy may be set.
  std::map<std::string, std::string> headers;

  friend bool operator==(const HttpServerConfig&, const HttpServerConfig&) = default;
};

struct WebConfig {
  std::optional<TlsServerConfig> tls_server_config;  // absent: plain HTTP
  HttpServerConfig http_server_config;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash (not checked here)

  friend bool operator==(const WebConfig&, const WebConfig&) = default;
};

// filename is used in error messages only.
absl::StatusOr<WebConfig> ParseWebConfig(std::string_view yaml, std::string_view filename);

// Reads and parses the file; relative cert_file, key_file and client_ca_file are resolved against
// the file's directory.
absl::StatusOr<WebConfig> LoadWebConfigFile(const std::string& path);

}  // namespace sundial::config

#endif  // SUNDIAL_CONFIG_WEB_CONFIG_H_
