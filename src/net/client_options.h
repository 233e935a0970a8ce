// ClientOptions: how an HttpClient talks to its servers. Mirrors Prometheus' http_config
// (tls_config, basic_auth, authorization, proxy_url, follow_redirects, enable_http2) so config/
// can map a scrape_config, alertmanager_config or remote_write block onto it field by field.
//
//   ClientOptions opts;
//   opts.tls.ca_file = "/etc/ssl/my-ca.pem";
//   opts.authorization.credentials_file = "/run/secrets/token";
//   ASSIGN_OR_RETURN(auto client, HttpClient::Create(opts, &pool));
//
// Files named here are read by HttpClient::Create (a missing or unreadable file is an error
// there) and re-read when their modification time changes: password_file and credentials_file
// before each request, the TLS files before each new connection.
#ifndef SUNDIAL_NET_CLIENT_OPTIONS_H_
#define SUNDIAL_NET_CLIENT_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace sundial::net {

struct TlsOptions {
  std::string ca_file;    // PEM CA bundle; at most one of ca_file and ca
  std::string ca;         // PEM text
  std::string cert_file;  // client certificate (mTLS); at most one of cert_file and cert
  std::string cert;
  std::string key_file;  // client private key; at most one of key_file and key
  std::string key;
  std::string server_name;  // SNI and the name verified; default: the URL's host
  bool insecure_skip_verify = false;
  std::string min_version;  // "TLS10" | "TLS11" | "TLS12" | "TLS13"; empty means TLS12
};

struct BasicAuth {
  std::string username;
  std::string password;  // at most one of password and password_file
  std::string password_file;
};

struct Authorization {
  std::string type = "Bearer";
  std::string credentials;  // at most one of credentials and credentials_file
  std::string credentials_file;
};

struct ClientOptions {
  TlsOptions tls;
  BasicAuth basic_auth;         // used when username, password or password_file is set
  Authorization authorization;  // used when credentials or credentials_file is set
  std::string proxy_url;        // "http://[user:pass@]host:port"; https targets tunnel with CONNECT
  bool follow_redirects = true;  // at most 10 hops, as Go's http.Client
  bool enable_http2 = true;      // accepted for config compatibility; we speak HTTP/1.1
  std::chrono::milliseconds connect_timeout{30'000};  // TCP connect + proxy CONNECT + TLS
  std::chrono::milliseconds request_timeout{0};  // per request unless Request::timeout; 0 = none
  uint64_t max_response_bytes = 0;               // limit on the (decoded) body; 0 = unlimited
  std::string user_agent;                        // empty: "Sundial/<version>"
  bool accept_gzip = true;          // send Accept-Encoding: gzip and decode gzip bodies
  int max_idle_conns_per_host = 8;  // keep-alive pool size per scheme://host:port
  std::chrono::milliseconds idle_conn_timeout{90'000};  // idle connections older are closed
};

}  // namespace sundial::net

#endif  // SUNDIAL_NET_CLIENT_OPTIONS_H_
