// Server::State: what the listener and every connection share. Internal to web/.
#ifndef SUNDIAL_WEB_INTERNAL_SERVER_STATE_H_
#define SUNDIAL_WEB_INTERNAL_SERVER_STATE_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "re2/re2.h"
#include "web/internal/web_security.h"
#include "web/server.h"

namespace sundial::web {

namespace internal {
class Connection;
}

struct Server::State : std::enable_shared_from_this<Server::State> {
  State(ServerOptions opts, net::IoPool* io_pool, Router* r);

  // Arms one async accept. Runs on accept_strand.
  void DoAccept();
  // Called by a connection (on its strand) when its socket closes.
  void ConnectionClosed(internal::Connection* conn);
  bool shutting_down() const {
    std::lock_guard<std::mutex> lock(mu);
    return stopping;
  }

  const ServerOptions options;
  net::IoPool* const pool;
  Router* const router;
  std::string route_prefix;   // "" for "/", else "/prom" (no trailing '/')
  std::string home_location;  // where "<prefix>/" redirects: "<external path>/graph"
  bool cors_any = true;       // cors_origin is ".*"
  std::unique_ptr<RE2> cors;  // set iff !cors_any
  std::unique_ptr<internal::WebSecurity> security;  // null without --web.config.file

  boost::asio::strand<boost::asio::io_context::executor_type> accept_strand;
  boost::asio::ip::tcp::acceptor acceptor;  // used on accept_strand only
  boost::asio::steady_timer accept_retry;   // backs off after accept errors (EMFILE)

  mutable std::mutex mu;
  std::condition_variable cv;  // signalled when a connection closes
  std::unordered_map<internal::Connection*, std::weak_ptr<internal::Connection>> connections;
  int open_connections = 0;    // GUARDED_BY(mu)
  bool accept_paused = false;  // GUARDED_BY(mu): at max_connections
  bool stopping = false;       // GUARDED_BY(mu)
  // Tasks deferred by Responder::RunAfterHandler that hold an io thread; fewer than its threads.
  std::atomic<int> tasks_after_handler{0};

 private:
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
};

}  // namespace sundial::web

#endif  // SUNDIAL_WEB_INTERNAL_SERVER_STATE_H_
