// ClientCore: the state an HttpClient shares with its in-flight exchanges, and the entry point
// that runs one request. Internal to net/.
#ifndef SUNDIAL_NET_CLIENT_CORE_H_
#define SUNDIAL_NET_CLIENT_CORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "net/client_options.h"
#include "net/connection.h"
#include "net/http_message.h"
#include "net/secret.h"
#include "net/tls_context.h"
#include "net/url.h"

namespace sundial::net {

// Immutable after construction except for the internally synchronized members
// (Secret, TlsContextSource, ConnectionPool), so exchanges on any thread may share it.
struct ClientCore {
  ClientCore(ClientOptions opts, boost::asio::io_context& io_context)
      : options(std::move(opts)),
        io(io_context),
        pool(options.max_idle_conns_per_host, options.idle_conn_timeout) {}

  const ClientOptions options;
  boost::asio::io_context& io;
  std::optional<Url> proxy;
  std::unique_ptr<Secret> basic_password;  // set iff basic auth is configured
  std::unique_ptr<Secret> credentials;     // set iff authorization is configured
  std::unique_ptr<TlsContextSource> tls;
  ConnectionPool pool;
  std::string user_agent;
};

using ResponseCallback = std::function<void(absl::StatusOr<Response>)>;

// Runs request (following redirects as configured) and calls done exactly once on an
// io_context thread. core is kept alive until done has been called.
void StartExchange(std::shared_ptr<ClientCore> core, Request request, ResponseCallback done);

}  // namespace sundial::net

#endif  // SUNDIAL_NET_CLIENT_CORE_H_
