// Connection: one client socket (plain or TLS), its read buffer and its strand, plus the pool of
// idle keep-alive connections. Internal to net/ (includes Asio; only net/*.cc include it).
//
// A Connection is used by one exchange at a time. All asynchronous operations on it run on its
// own strand, so the Beast timeouts and completion handlers never race each other.
#ifndef SUNDIAL_NET_CONNECTION_H_
#define SUNDIAL_NET_CONNECTION_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sundial::net {

struct Connection {
  explicit Connection(boost::asio::io_context& io)
      : tcp(std::make_unique<boost::beast::tcp_stream>(boost::asio::make_strand(io))) {}

  boost::beast::tcp_stream& lowest() { return tls ? boost::beast::get_lowest_layer(*tls) : *tcp; }
  // Wraps the connected TCP stream in TLS (for the handshake that follows).
  void StartTls(std::shared_ptr<boost::asio::ssl::context> context) {
    tls_context = std::move(context);
    tls = std::make_unique<boost::beast::ssl_stream<boost::beast::tcp_stream>>(std::move(*tcp),
                                                                               *tls_context);
    tcp.reset();
  }
  // Calls f with the stream to read and write HTTP on.
  template <typename F>
  void Visit(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*tcp);
    }
  }
  void Close() {
    boost::system::error_code ec;
    lowest().socket().shutdown(boost::asio::socket_base::shutdown_both, ec);
    lowest().close();
  }

  std::unique_ptr<boost::beast::tcp_stream> tcp;  // set until StartTls
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;
  std::shared_ptr<boost::asio::ssl::context> tls_context;  // outlives tls
  boost::beast::flat_buffer buffer;
  std::string pool_key;
  std::chrono::steady_clock::time_point idle_since;
};

// Idle connections by key ("https://host:port" plus the proxy). Thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(int max_idle_per_key, std::chrono::milliseconds idle_timeout)
      : max_idle_per_key_(max_idle_per_key), idle_timeout_(idle_timeout) {}

  // The most recently used idle connection for key that is not older than the idle timeout,
  // or null. Expired ones are closed.
  std::unique_ptr<Connection> Take(const std::string& key);
  // Keeps conn for reuse unless its key already has max_idle_per_key idle connections.
  // REQUIRES: conn has no pending operation and a complete response was read from it.
  void Put(std::unique_ptr<Connection> conn);

 private:
  const size_t max_idle_per_key_;
  const std::chrono::milliseconds idle_timeout_;
  std::mutex mu_;
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace sundial::net

#endif  // SUNDIAL_NET_CONNECTION_H_
