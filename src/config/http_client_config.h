// HTTP client options shared by scrape configs, service discovery, Alertmanagers and remote
// read/write (Prometheus' common/config HTTPClientConfig). Relative file paths are resolved
// against the config file's directory by LoadFile.
#ifndef SUNDIAL_CONFIG_HTTP_CLIENT_CONFIG_H_
#define SUNDIAL_CONFIG_HTTP_CLIENT_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sundial::config {

// TLS versions as written in the config: "TLS10", "TLS11", "TLS12", "TLS13"; empty = default.
struct TlsConfig {
  std::string ca;  // inline PEM
  std::string cert;
  std::string key;  // secret
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;
  std::string min_version;
  std::string max_version;

  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

struct BasicAuth {
  std::string username;
  std::string username_file;
  std::string password;  // secret
  std::string password_file;

  friend bool operator==(const BasicAuth&, const BasicAuth&) = default;
};

// After validation type is never empty ("Bearer" by default).
struct Authorization {
  std::string type;
  std::string credentials;  // secret
  std::string credentials_file;

  friend bool operator==(const Authorization&, const Authorization&) = default;
};

// Proxy options; also embedded in OAuth2.
struct ProxyConfig {
  std::string proxy_url;
  std::string no_proxy;
  bool proxy_from_environment = false;
  std::map<std::string, std::vector<std::string>> proxy_connect_header;  // values are secrets

  friend bool operator==(const ProxyConfig&, const ProxyConfig&) = default;
};

struct OAuth2 {
  std::string client_id;
  std::string client_secret;  // secret
  std::string client_secret_file;
  std::vector<std::string> scopes;
  std::string token_url;
  std::map<std::string, std::string> endpoint_params;
  TlsConfig tls_config;
  ProxyConfig proxy;

  friend bool operator==(const OAuth2&, const OAuth2&) = default;
};

// After validation bearer_token / bearer_token_file are empty: like Prometheus, they are moved
// into authorization {type: Bearer}. At most one of basic_auth, authorization and oauth2 is set.
struct HttpClientConfig {
  std::optional<BasicAuth> basic_auth;
  std::optional<Authorization> authorization;
  std::optional<OAuth2> oauth2;
  std::string bearer_token;
  std::string bearer_token_file;
  ProxyConfig proxy;
  TlsConfig tls_config;
  bool follow_redirects = true;
  bool enable_http2 = true;

  friend bool operator==(const HttpClientConfig&, const HttpClientConfig&) = default;
};

}  // namespace sundial::config

#endif  // SUNDIAL_CONFIG_HTTP_CLIENT_CONFIG_H_
