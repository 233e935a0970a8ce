// Decoding, validation, printing and path resolution of HttpClientConfig and its parts.
#include "config/http_client_config.h"

#include "absl/strings/ascii.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "config/internal/codec.h"

namespace sundial::config::internal {
namespace {

bool IsTlsVersion(std::string_view v) {
  return v == "TLS10" || v == "TLS11" || v == "TLS12" || v == "TLS13";
}

absl::Status ValidateTls(const TlsConfig& tls) {
  for (const std::string* v : {&tls.min_version, &tls.max_version}) {
    if (!v->empty() && !IsTlsVersion(*v)) {
      return absl::InvalidArgumentError(StrCat("unknown TLS version: ", *v));
    }
  }
  if (!tls.ca.empty() && !tls.ca_file.empty()) {
    return absl::InvalidArgumentError("at most one of ca and ca_file must be configured");
  }
  if (!tls.cert.empty() && !tls.cert_file.empty()) {
    return absl::InvalidArgumentError("at most one of cert and cert_file must be configured");
  }
  if (!tls.key.empty() && !tls.key_file.empty()) {
    return absl::InvalidArgumentError("at most one of key and key_file must be configured");
  }
  const bool has_cert = !tls.cert.empty() || !tls.cert_file.empty();
  const bool has_key = !tls.key.empty() || !tls.key_file.empty();
  if (has_cert && !has_key) {
    return absl::InvalidArgumentError(
        "exactly one of key or key_file must be configured when a client certificate is "
        "configured");
  }
  if (has_key && !has_cert) {
    return absl::InvalidArgumentError(
        "exactly one of cert or cert_file must be configured when a client key is configured");
  }
  return absl::OkStatus();
}

void DecodeProxyFields(MapDecoder& d, ProxyConfig* out) {
  d.Field("proxy_url", &out->proxy_url)
      .Field("no_proxy", &out->no_proxy)
      .Field("proxy_from_environment", &out->proxy_from_environment)
      .Field("proxy_connect_header", &out->proxy_connect_header);
}

absl::Status ValidateProxy(const ProxyConfig& proxy) {
  if (!proxy.proxy_url.empty()) {
    const size_t colon = proxy.proxy_url.find("://");
    if (colon == std::string::npos || colon == 0) {
      return absl::InvalidArgumentError(
          StrCat("parse \"", proxy.proxy_url, "\": invalid proxy URL, missing scheme"));
    }
  }
  if (proxy.proxy_from_environment && !proxy.proxy_url.empty()) {
    return absl::InvalidArgumentError(
        "if proxy_from_environment is configured, proxy_url must not be configured");
  }
  if (proxy.proxy_from_environment && !proxy.no_proxy.empty()) {
    return absl::InvalidArgumentError(
        "if proxy_from_environment is configured, no_proxy must not be configured");
  }
  if (!proxy.no_proxy.empty() && proxy.proxy_url.empty()) {
    return absl::InvalidArgumentError(
        "if no_proxy is configured, proxy_url must also be configured");
  }
  if (!proxy.proxy_connect_header.empty() && proxy.proxy_url.empty() &&
      !proxy.proxy_from_environment) {
    return absl::InvalidArgumentError(
        "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be "
        "configured");
  }
  return absl::OkStatus();
}

void EncodeProxyFields(Encoder& e, const ProxyConfig& proxy) {
  e.OptString("proxy_url", proxy.proxy_url);
  e.OptString("no_proxy", proxy.no_proxy);
  e.OptBool("proxy_from_environment", proxy.proxy_from_environment);
  e.OptMultiMap("proxy_connect_header", proxy.proxy_connect_header, /*secret_values=*/true);
}

}  // namespace

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, TlsConfig* out) {
  MapDecoder d(node, ctx, "tls_config");
  d.Field("ca", &out->ca)
      .Field("cert", &out->cert)
      .Field("key", &out->key)
      .Field("ca_file", &out->ca_file)
      .Field("cert_file", &out->cert_file)
      .Field("key_file", &out->key_file)
      .Field("server_name", &out->server_name)
      .Field("insecure_skip_verify", &out->insecure_skip_verify)
      .Field("min_version", &out->min_version)
      .Field("max_version", &out->max_version);
  RETURN_IF_ERROR(d.Finish());
  absl::Status status = ValidateTls(*out);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, BasicAuth* out) {
  MapDecoder d(node, ctx, "basic_auth");
  d.Field("username", &out->username)
      .Field("username_file", &out->username_file)
      .Field("password", &out->password)
      .Field("password_file", &out->password_file);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, Authorization* out) {
  MapDecoder d(node, ctx, "authorization");
  d.Field("type", &out->type)
      .Field("credentials", &out->credentials)
      .Field("credentials_file", &out->credentials_file);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, OAuth2* out) {
  MapDecoder d(node, ctx, "oauth2");
  d.Field("client_id", &out->client_id)
      .Field("client_secret", &out->client_secret)
      .Field("client_secret_file", &out->client_secret_file)
      .Field("scopes", &out->scopes)
      .Field("token_url", &out->token_url)
      .Field("endpoint_params", &out->endpoint_params)
      .Field("tls_config", &out->tls_config);
  DecodeProxyFields(d, &out->proxy);
  RETURN_IF_ERROR(d.Finish());
  absl::Status status = ValidateProxy(out->proxy);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

void DecodeHttpClientFields(MapDecoder& d, HttpClientConfig* out) {
  d.Field("basic_auth", &out->basic_auth)
      .Field("authorization", &out->authorization)
      .Field("oauth2", &out->oauth2)
      .Field("bearer_token", &out->bearer_token)
      .Field("bearer_token_file", &out->bearer_token_file)
      .Field("tls_config", &out->tls_config)
      .Field("follow_redirects", &out->follow_redirects)
      .Field("enable_http2", &out->enable_http2);
  DecodeProxyFields(d, &out->proxy);
}

absl::Status ValidateHttpClient(HttpClientConfig* cfg) {
  auto error = [](std::string_view message) {
    return absl::InvalidArgumentError(std::string(message));
  };
  const bool has_bearer = !cfg->bearer_token.empty() || !cfg->bearer_token_file.empty();
  if (!cfg->bearer_token.empty() && !cfg->bearer_token_file.empty()) {
    return error("at most one of bearer_token & bearer_token_file must be configured");
  }
  if ((cfg->basic_auth || cfg->oauth2) && has_bearer) {
    return error(
        "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  }
  if (cfg->basic_auth) {
    const BasicAuth& b = *cfg->basic_auth;
    if (!b.username.empty() && !b.username_file.empty()) {
      return error("at most one of basic_auth username & username_file must be configured");
    }
    if (!b.password.empty() && !b.password_file.empty()) {
      return error("at most one of basic_auth password & password_file must be configured");
    }
  }
  if (cfg->authorization) {
    Authorization& a = *cfg->authorization;
    if (has_bearer)
      return error("authorization is not compatible with bearer_token & bearer_token_file");
    if (!a.credentials.empty() && !a.credentials_file.empty()) {
      return error(
          "at most one of authorization credentials & credentials_file must be configured");
    }
    a.type = std::string(AsStd(absl::StripAsciiWhitespace(AsAbsl(a.type))));
    if (a.type.empty()) a.type = "Bearer";
    if (absl::AsciiStrToLower(AsAbsl(a.type)) == "basic") {
      return error(R"(authorization type cannot be set to "basic", use "basic_auth" instead)");
    }
    if (cfg->basic_auth || cfg->oauth2) {
      return error("at most one of basic_auth, oauth2 & authorization must be configured");
    }
  } else if (has_bearer) {
    cfg->authorization = Authorization{.type = "Bearer",
                                       .credentials = std::move(cfg->bearer_token),
                                       .credentials_file = std::move(cfg->bearer_token_file)};
    cfg->bearer_token.clear();
    cfg->bearer_token_file.clear();
  }
  if (cfg->oauth2) {
    const OAuth2& o = *cfg->oauth2;
    if (cfg->basic_auth) {
      return error("at most one of basic_auth, oauth2 & authorization must be configured");
    }
    if (o.client_id.empty()) return error("oauth2 client_id must be configured");
    if (o.client_secret.empty() && o.client_secret_file.empty()) {
      return error("either oauth2 client_secret or client_secret_file must be configured");
    }
    if (o.token_url.empty()) return error("oauth2 token_url must be configured");
    if (!o.client_secret.empty() && !o.client_secret_file.empty()) {
      return error("at most one of oauth2 client_secret & client_secret_file must be configured");
    }
  }
  return ValidateProxy(cfg->proxy);
}

void EncodeTls(Encoder& e, std::string_view key, const TlsConfig& tls) {
  if (tls == TlsConfig{}) return;
  e.Key(key);
  e.BeginMap();
  e.OptString("ca", tls.ca);
  e.OptString("cert", tls.cert);
  e.OptSecret("key", tls.key);
  e.OptString("ca_file", tls.ca_file);
  e.OptString("cert_file", tls.cert_file);
  e.OptString("key_file", tls.key_file);
  e.OptString("server_name", tls.server_name);
  e.Bool("insecure_skip_verify", tls.insecure_skip_verify);
  e.OptString("min_version", tls.min_version);
  e.OptString("max_version", tls.max_version);
  e.EndMap();
}

void EncodeHttpClientFields(Encoder& e, const HttpClientConfig& cfg) {
  if (cfg.basic_auth) {
    e.Key("basic_auth");
    e.BeginMap();
    e.OptString("username", cfg.basic_auth->username);
    e.OptString("username_file", cfg.basic_auth->username_file);
    e.OptSecret("password", cfg.basic_auth->password);
    e.OptString("password_file", cfg.basic_auth->password_file);
    e.EndMap();
  }
  if (cfg.authorization) {
    e.Key("authorization");
    e.BeginMap();
    e.OptString("type", cfg.authorization->type);
    e.OptSecret("credentials", cfg.authorization->credentials);
    e.OptString("credentials_file", cfg.authorization->credentials_file);
    e.EndMap();
  }
  if (cfg.oauth2) {
    const OAuth2& o = *cfg.oauth2;
    e.Key("oauth2");
    e.BeginMap();
    e.String("client_id", o.client_id);
    e.OptSecret("client_secret", o.client_secret);
    e.OptString("client_secret_file", o.client_secret_file);
    e.OptStrings("scopes", o.scopes);
    e.String("token_url", o.token_url);
    e.OptMap("endpoint_params", o.endpoint_params);
    EncodeTls(e, "tls_config", o.tls_config);
    EncodeProxyFields(e, o.proxy);
    e.EndMap();
  }
  e.OptSecret("bearer_token", cfg.bearer_token);
  e.OptString("bearer_token_file", cfg.bearer_token_file);
  EncodeProxyFields(e, cfg.proxy);
  EncodeTls(e, "tls_config", cfg.tls_config);
  e.Bool("follow_redirects", cfg.follow_redirects);
  e.Bool("enable_http2", cfg.enable_http2);
}

void ResolveTlsPaths(std::string_view dir, TlsConfig* tls) {
  tls->ca_file = JoinDir(dir, tls->ca_file);
  tls->cert_file = JoinDir(dir, tls->cert_file);
  tls->key_file = JoinDir(dir, tls->key_file);
}

void ResolveHttpClientPaths(std::string_view dir, HttpClientConfig* cfg) {
  if (cfg->basic_auth) {
    cfg->basic_auth->username_file = JoinDir(dir, cfg->basic_auth->username_file);
    cfg->basic_auth->password_file = JoinDir(dir, cfg->basic_auth->password_file);
  }
  if (cfg->authorization) {
    cfg->authorization->credentials_file = JoinDir(dir, cfg->authorization->credentials_file);
  }
  if (cfg->oauth2) {
    cfg->oauth2->client_secret_file = JoinDir(dir, cfg->oauth2->client_secret_file);
    ResolveTlsPaths(dir, &cfg->oauth2->tls_config);
  }
  cfg->bearer_token_file = JoinDir(dir, cfg->bearer_token_file);
  ResolveTlsPaths(dir, &cfg->tls_config);
}

}  // namespace sundial::config::internal
