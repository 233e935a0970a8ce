// HttpClient: the outbound HTTP/1.1 client for scraping, notifiers, remote write and HTTP-based
// service discovery. Requests run asynchronously on an IoPool.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client, HttpClient::Create(opts, &pool));
//   client->Do({.url = "http://node:9100/metrics", .timeout = 10s},
//              [](absl::StatusOr<Response> r) { ... runs on a pool thread ... });
//   absl::StatusOr<Response> r = client->DoSync({.url = url});   // not on a pool thread
//
// Behaviour follows Go's net/http client as Prometheus configures it: keep-alive connections
// pooled per scheme://host:port (a request that fails on a reused connection before any
// response byte arrives is retried once on a new one), redirects followed up to 10 hops,
// gzip bodies decoded, TLS peers verified against the system CAs or the configured CA, with the
// URL's host (or tls.server_name) checked against the certificate.
//
// Errors read like Go's: `Get "http://x/metrics": context deadline exceeded` (DeadlineExceeded),
// `Get "http://x/": dial tcp 10.0.0.1:80: Connection refused` (Unavailable),
// `body size limit exceeded: ...` (ResourceExhausted). A non-2xx status is not an error here;
// see CheckHttpStatus in net/http_message.h.
//
// Thread-safe: Do and DoSync may be called concurrently from any thread.
// Lifetime: the IoPool must outlive the client. Destroying the client does not cancel requests
// in flight; their callbacks still run (unless the IoPool is stopped first, which abandons them).
#ifndef SUNDIAL_NET_HTTP_CLIENT_H_
#define SUNDIAL_NET_HTTP_CLIENT_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "net/client_options.h"
#include "net/http_message.h"
#include "net/io_pool.h"

namespace sundial::net {

struct ClientCore;

class HttpClient {
 public:
  using Callback = std::function<void(absl::StatusOr<Response>)>;

  // Validates options (exclusive fields, proxy URL, TLS version) and reads every configured
  // file. REQUIRES: pool != nullptr and outlives the client.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(ClientOptions options, IoPool* pool);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends request; done is called exactly once, on a pool thread, never inline.
  void Do(Request request, Callback done);

  // Do and wait. REQUIRES: not called on a thread of the client's IoPool (it would deadlock).
  absl::StatusOr<Response> DoSync(Request request);

 private:
  explicit HttpClient(std::shared_ptr<ClientCore> core) : core_(std::move(core)) {}
  std::shared_ptr<ClientCore> core_;
};

}  // namespace sundial::net

#endif  // SUNDIAL_NET_HTTP_CLIENT_H_
