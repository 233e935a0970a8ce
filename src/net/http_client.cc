#include "net/http_client.h"

#include <future>

#include "base/str_cat.h"
#include "net/client_core.h"

#ifndef SUNDIAL_VERSION_STRING
#define SUNDIAL_VERSION_STRING "unknown"
#endif

namespace sundial::net {
namespace {

absl::Status Exclusive(const std::string& a, const std::string& b, std::string_view what) {
  if (!a.empty() && !b.empty()) {
    return absl::InvalidArgumentError(StrCat("at most one of ", what, " must be configured"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(ClientOptions options,
                                                               IoPool* pool) {
  const BasicAuth& basic = options.basic_auth;
  const Authorization& authz = options.authorization;
  const bool has_basic =
      !basic.username.empty() || !basic.password.empty() || !basic.password_file.empty();
  const bool has_authz = !authz.credentials.empty() || !authz.credentials_file.empty();
  if (has_basic && has_authz) {
    return absl::InvalidArgumentError(
        "at most one of basic_auth, oauth2 & authorization must be configured");
  }
  if (absl::Status s =
          Exclusive(basic.password, basic.password_file, "basic_auth password & password_file");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Exclusive(authz.credentials, authz.credentials_file,
                                 "authorization credentials & credentials_file");
      !s.ok()) {
    return s;
  }
  if (has_authz) {
    std::string type = authz.type;
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type == "basic") {
      return absl::InvalidArgumentError(
          "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    }
    if (type.empty()) return absl::InvalidArgumentError("authorization type must not be empty");
  }
  if (options.max_idle_conns_per_host < 0) {
    return absl::InvalidArgumentError("max_idle_conns_per_host must not be negative");
  }

  // From here on read the options through core: `options`, `basic` and `authz` are moved from.
  auto core = std::make_shared<ClientCore>(std::move(options), pool->context());
  const ClientOptions& opts = core->options;
  if (!opts.proxy_url.empty()) {
    absl::StatusOr<Url> proxy = ParseUrl(opts.proxy_url);
    if (!proxy.ok()) {
      return absl::InvalidArgumentError(
          StrCat("invalid proxy_url: ", AsStd(proxy.status().message())));
    }
    if (proxy->is_https()) {
      return absl::InvalidArgumentError("invalid proxy_url: only http:// proxies are supported");
    }
    core->proxy = *std::move(proxy);
  }
  if (has_basic) {
    absl::StatusOr<std::unique_ptr<Secret>> secret = Secret::Create(
        opts.basic_auth.password, opts.basic_auth.password_file, "basic auth password file");
    if (!secret.ok()) return secret.status();
    core->basic_password = *std::move(secret);
  }
  if (has_authz) {
    absl::StatusOr<std::unique_ptr<Secret>> secret =
        Secret::Create(opts.authorization.credentials, opts.authorization.credentials_file,
                       "authorization credentials file");
    if (!secret.ok()) return secret.status();
    core->credentials = *std::move(secret);
  }
  absl::StatusOr<std::unique_ptr<TlsContextSource>> tls = TlsContextSource::Create(opts.tls);
  if (!tls.ok()) return tls.status();
  core->tls = *std::move(tls);
  core->user_agent =
      opts.user_agent.empty() ? StrCat("Sundial/", SUNDIAL_VERSION_STRING) : opts.user_agent;
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(core)));
}

HttpClient::~HttpClient() = default;

void HttpClient::Do(Request request, Callback done) {
  StartExchange(core_, std::move(request), std::move(done));
}

absl::StatusOr<Response> HttpClient::DoSync(Request request) {
  std::promise<absl::StatusOr<Response>> promise;
  std::future<absl::StatusOr<Response>> future = promise.get_future();
  Do(std::move(request),
     [&promise](absl::StatusOr<Response> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace sundial::net
