#include "net/client_options_from_config.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "base/status_macros.h"
#include "net/secret.h"

namespace sundial::net {

absl::StatusOr<ClientOptions> ClientOptionsFromConfig(const config::HttpClientConfig& config,
                                                      std::chrono::milliseconds request_timeout) {
  if (config.oauth2) return absl::UnimplementedError("oauth2 is not supported yet by Sundial");
  if (config.proxy.proxy_from_environment || !config.proxy.no_proxy.empty() ||
      !config.proxy.proxy_connect_header.empty()) {
    return absl::UnimplementedError(
        "proxy_from_environment, no_proxy and proxy_connect_header are not supported yet by "
        "Sundial");
  }
  if (!config.tls_config.max_version.empty()) {
    return absl::UnimplementedError("tls_config max_version is not supported yet by Sundial");
  }
  ClientOptions options;
  const config::TlsConfig& tls = config.tls_config;
  options.tls.ca = tls.ca;
  options.tls.ca_file = tls.ca_file;
  options.tls.cert = tls.cert;
  options.tls.cert_file = tls.cert_file;
  options.tls.key = tls.key;
  options.tls.key_file = tls.key_file;
  options.tls.server_name = tls.server_name;
  options.tls.insecure_skip_verify = tls.insecure_skip_verify;
  options.tls.min_version = tls.min_version;
  if (config.basic_auth) {
    const config::BasicAuth& auth = *config.basic_auth;
    options.basic_auth.username = auth.username;
    if (!auth.username_file.empty()) {
      ASSIGN_OR_RETURN(std::unique_ptr<Secret> username,
                       Secret::Create("", auth.username_file, "basic auth username file"));
      ASSIGN_OR_RETURN(options.basic_auth.username, username->Get());
    }
    options.basic_auth.password = auth.password;
    options.basic_auth.password_file = auth.password_file;
  }
  if (config.authorization) {
    const config::Authorization& auth = *config.authorization;
    if (!auth.type.empty()) options.authorization.type = auth.type;
    options.authorization.credentials = auth.credentials;
    options.authorization.credentials_file = auth.credentials_file;
  } else if (!config.bearer_token.empty() || !config.bearer_token_file.empty()) {
    options.authorization.credentials = config.bearer_token;
    options.authorization.credentials_file = config.bearer_token_file;
  }
  options.proxy_url = config.proxy.proxy_url;
  options.follow_redirects = config.follow_redirects;
  options.enable_http2 = config.enable_http2;
  options.request_timeout = request_timeout;
  return options;
}

}  // namespace sundial::net
