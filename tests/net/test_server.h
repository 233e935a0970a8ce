// TestServer: a small blocking HTTP/1.1 (optionally TLS) server on 127.0.0.1 for client tests,
// one thread per connection. It can also act as a forward proxy (absolute-form requests and
// CONNECT tunnels). Beast stays inside test_server.cc so test files compile quickly.
#ifndef SUNDIAL_TESTS_NET_TEST_SERVER_H_
#define SUNDIAL_TESTS_NET_TEST_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "testing/temp_dir.h"

namespace sundial::net::testing {

struct ServerRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool has_client_cert = false;
};

struct ServerResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::chrono::milliseconds delay{0};  // wait before answering
  bool close = false;                  // send Connection: close and close afterwards
  bool close_mid_body = false;         // announce more than body.size() bytes, then close
};

using Handler = std::function<ServerResponse(const ServerRequest&)>;

struct ServerTls {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // when set, a client certificate is required
};

class TestServer {
 public:
  enum class Mode { kHandler, kForwardProxy };
  explicit TestServer(Handler handler, const ServerTls* tls = nullptr, Mode mode = Mode::kHandler);
  ~TestServer();

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>" (https when serving TLS).
  std::string Url(std::string_view path) const;
  int accepted() const { return accepted_.load(); }
  // Proxy mode: request lines seen ("CONNECT host:port" or the absolute URL) and the last
  // Proxy-Authorization header.
  std::vector<std::string> proxied() const;
  std::string proxy_authorization() const;

 private:
  struct Impl;
  void AcceptLoop();
  void Serve(int fd);
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::unique_ptr<Impl> impl_;
};

// gzip-compresses data (for Content-Encoding tests).
std::string Gzip(std::string_view data);

using sundial::testing::TempDir;

}  // namespace sundial::net::testing

#endif  // SUNDIAL_TESTS_NET_TEST_SERVER_H_
