// Server: the incoming HTTP/1.1 server (Prometheus' --web.* listener) on the shared net::IoPool.
//
//   web::Router router;
//   web::RegisterLifecycleHandlers(&router, hooks);
//   web::ServerOptions opts;
//   opts.listen_address = ":9090";
//   ASSIGN_OR_RETURN(std::unique_ptr<web::Server> server,
//                    web::Server::Create(opts, &pool, &router));
//   RETURN_IF_ERROR(server->Start());
//   ...
//   server->Shutdown(std::chrono::seconds(5));
//
// Behaviour: HTTPS and basic auth when the web config file asks for them (401 with
// "WWW-Authenticate: Basic" before any routing); keep-alive; pipelined requests are answered in
// order (one at a time per connection); gzip when the client accepts it; requests outside the route
// prefix get 404; "/" redirects to the prefix and "<prefix>/" to "<external path>/graph" (302)
// unless a route handles it; 404 and 405 (with Allow) like Prometheus, OPTIONS answered with Allow;
// CORS headers on /api/ responses; 413 for bodies over max_body_bytes, 431 for headers over
// max_header_bytes, 400 for malformed requests (each then closes the connection); a request must
// arrive within read_timeout of its first byte and an idle keep-alive connection is closed after
// idle_timeout.
//
// Thread-safety: Start/Shutdown/port may be called from any non-io thread, not concurrently with
// each other. The IoPool and the Router must outlive the Server.
#ifndef SUNDIAL_WEB_SERVER_H_
#define SUNDIAL_WEB_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/io_pool.h"
#include "web/router.h"

namespace sundial::web {

// Called once per routed request when the handler completes the response (Send/Finish, or the
// responder was dropped or the client went away), before the response's last bytes are sent, so
// a client that has read the response finds it counted. handler is the route pattern with the route
// prefix, e.g. "/api/v1/query" or "/prom/api/v1/query"; requests that matched no route (404, 405,
// redirects) are not reported. Runs on the thread that completed the response; must be cheap
// and thread-safe.
using RequestObserver = std::function<void(std::string_view handler, int status_code,
                                           std::chrono::nanoseconds duration)>;

struct ServerOptions {
  // ":9090" (all interfaces, IPv6 and IPv4), "127.0.0.1:0" (ephemeral port), "[::1]:9090",
  // "localhost:9090".
  std::string listen_address = ":9090";
  // --web.route-prefix; "/" or "/prom" (a trailing '/' is ignored).
  std::string route_prefix = "/";
  // --web.external-url; its path is where "<prefix>/" redirects (".../graph"). Empty: the prefix.
  std::string external_url;
  // --web.cors.origin: a regular expression (RE2, fully anchored) matched against Origin for
  // /api/ responses. ".*" answers "Access-Control-Allow-Origin: *".
  std::string cors_origin = ".*";
  // --web.read-timeout: from the first byte of a request to its last.
  std::chrono::milliseconds read_timeout = std::chrono::minutes(5);
  // How long a keep-alive connection may wait for the next request.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);
  // How long one socket write may wait for a client that does not read; then the connection
  // is dropped and a blocked Responder::Write() returns false.
  std::chrono::milliseconds write_timeout = std::chrono::minutes(5);
  size_t max_header_bytes = 1 << 20;
  size_t max_body_bytes = 32 << 20;
  // --web.max-connections; further connections wait in the kernel backlog until one closes.
  // 0 means unlimited.
  int max_connections = 512;
  // Bytes a streaming response may queue before Responder::Write() blocks.
  size_t write_buffer_bytes = 1 << 20;
  // --web.config.file (the exporter-toolkit format): TLS, basic auth and response headers.
  // Empty: plain HTTP for everyone. Create() fails if it does not load; later changes to it (and
  // to the certificate files it names) apply to new connections.
  std::string web_config_file;
  RequestObserver observer;
};

class Server {
 public:
  // Validates options (listen address syntax, CORS regexp); does not bind.
  static absl::StatusOr<std::unique_ptr<Server>> Create(ServerOptions options, net::IoPool* pool,
                                                        Router* router);
  // Shuts down with no grace period if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Errors read like Go's: "listen tcp :9090: bind: address already
  // in use". REQUIRES: called once.
  absl::Status Start();

  // The bound port (useful with port 0). REQUIRES: Start() succeeded.
  int port() const;

  // Stops accepting (new connections are refused), closes idle connections, lets in-flight
  // requests finish for up to `grace`, then closes everything. Blocks until done. Idempotent.
  // REQUIRES: the IoPool is still running; not called on one of its threads.
  void Shutdown(std::chrono::milliseconds grace);

  struct State;  // shared with connections; internal (web/internal/server_state.h)

 private:
  Server(std::shared_ptr<State> state, std::string listen_address);

  std::shared_ptr<State> state_;
  std::string listen_address_;
  bool started_ = false;
  bool shut_down_ = false;
};

}  // namespace sundial::web

#endif  // SUNDIAL_WEB_SERVER_H_
