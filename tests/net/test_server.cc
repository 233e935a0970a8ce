#include "net/test_server.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <zlib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <set>

namespace sundial::net::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Serialize(const ServerResponse& r) {
  std::string reason(http::obsolete_reason(static_cast<http::status>(r.status)));
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason + "\r\n";
  bool has_length = false;
  for (const auto& [n, v] : r.headers) {
    out += n + ": " + v + "\r\n";
    if (Lower(n) == "content-length" || Lower(n) == "transfer-encoding") has_length = true;
  }
  if (!has_length) {
    const size_t announced = r.close_mid_body ? r.body.size() + 1000 : r.body.size();
    out += "Content-Length: " + std::to_string(announced) + "\r\n";
  }
  if (r.close) out += "Connection: close\r\n";
  out += "\r\n";
  out += r.body;
  return out;
}

}  // namespace

struct TestServer::Impl {
  Handler handler;
  Mode mode;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<ssl::context> tls;
  std::thread accept_thread;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::vector<std::thread> threads;
  std::set<int> fds;  // open sockets, shut down on stop
  std::vector<std::string> proxied;
  std::string proxy_authorization;

  // Sleeps for d or until the server stops; false if stopping.
  bool Sleep(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, d, [&] { return stopping; });
    return !stopping;
  }
  bool Track(int fd) {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) return false;
    fds.insert(fd);
    return true;
  }
  void Untrack(int fd) {
    std::lock_guard<std::mutex> lock(mu);
    fds.erase(fd);
  }

  template <typename Stream>
  void Loop(Stream& stream, tcp::socket& socket, bool client_cert);
  void Forward(http::request<http::string_body>& req, tcp::socket& client);
  void Tunnel(const std::string& authority, tcp::socket& client);
};

TestServer::TestServer(Handler handler, const ServerTls* tls, Mode mode)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->mode = mode;
  if (tls != nullptr) {
    impl_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(tls->cert_file);
    impl_->tls->use_private_key_file(tls->key_file, ssl::context::pem);
    if (!tls->client_ca_file.empty()) {
      impl_->tls->load_verify_file(tls->client_ca_file);
      impl_->tls->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
  }
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] { AcceptLoop(); });
}

TestServer::~TestServer() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
    for (int fd : impl_->fds) ::shutdown(fd, SHUT_RDWR);
  }
  impl_->cv.notify_all();
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->accept_thread.join();
  // No new threads start once stopping is set and the accept loop is gone.
  for (std::thread& t : impl_->threads) t.join();
}

std::string TestServer::Url(std::string_view path) const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
         std::string(path);
}

std::vector<std::string> TestServer::proxied() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->proxied;
}

std::string TestServer::proxy_authorization() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->proxy_authorization;
}

void TestServer::AcceptLoop() {
  while (true) {
    beast::error_code ec;
    tcp::socket socket(impl_->io);
    impl_->acceptor.accept(socket, ec);
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (ec || impl_->stopping) return;
    ++accepted_;
    const int fd = socket.release();
    impl_->fds.insert(fd);
    impl_->threads.emplace_back([this, fd] { Serve(fd); });
  }
}

void TestServer::Serve(int fd) {
  tcp::socket socket(impl_->io, tcp::v4(), fd);
  beast::error_code ec;
  if (impl_->tls) {
    ssl::stream<tcp::socket&> stream(socket, *impl_->tls);
    stream.handshake(ssl::stream_base::server, ec);
    if (!ec) {
      const bool cert = SSL_get0_peer_certificate(stream.native_handle()) != nullptr;
      impl_->Loop(stream, socket, cert);
    }
  } else {
    impl_->Loop(socket, socket, false);
  }
  impl_->Untrack(fd);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

template <typename Stream>
void TestServer::Impl::Loop(Stream& stream, tcp::socket& socket, bool client_cert) {
  beast::flat_buffer buffer;
  while (true) {
    beast::error_code ec;
    http::request<http::string_body> req;
    http::read(stream, buffer, req, ec);
    if (ec) return;
    if (mode == Mode::kForwardProxy) {
      {
        std::lock_guard<std::mutex> lock(mu);
        proxied.push_back(req.method() == http::verb::connect
                              ? "CONNECT " + std::string(req.target())
                              : std::string(req.target()));
        proxy_authorization = std::string(req[http::field::proxy_authorization]);
      }
      if (req.method() == http::verb::connect) return Tunnel(std::string(req.target()), socket);
      Forward(req, socket);
      continue;
    }
    ServerRequest sr;
    sr.method = std::string(req.method_string());
    sr.target = std::string(req.target());
    for (const auto& f : req) sr.headers[Lower(std::string(f.name_string()))] = f.value();
    sr.body = req.body();
    sr.has_client_cert = client_cert;
    ServerResponse resp = handler(sr);
    if (resp.delay.count() > 0 && !Sleep(resp.delay)) return;
    asio::write(stream, asio::buffer(Serialize(resp)), ec);
    if (ec || resp.close || resp.close_mid_body) return;
  }
}

void TestServer::Impl::Forward(http::request<http::string_body>& req, tcp::socket& client) {
  // target is "http://host:port/path"
  std::string target(req.target());
  std::string rest = target.substr(target.find("://") + 3);
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const size_t colon = authority.rfind(':');
  tcp::socket upstream(io);
  beast::error_code ec;
  upstream.connect(tcp::endpoint(asio::ip::make_address(authority.substr(0, colon)),
                                 static_cast<uint16_t>(std::stoi(authority.substr(colon + 1)))),
                   ec);
  if (ec) return;
  req.target(slash == std::string::npos ? "/" : rest.substr(slash));
  req.erase(http::field::proxy_authorization);
  http::write(upstream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(upstream, buffer, res, ec);
  if (ec) return;
  http::write(client, res, ec);
}

void TestServer::Impl::Tunnel(const std::string& authority, tcp::socket& client) {
  const size_t colon = authority.rfind(':');
  tcp::socket upstream(io);
  beast::error_code ec;
  upstream.connect(tcp::endpoint(asio::ip::make_address(authority.substr(0, colon)),
                                 static_cast<uint16_t>(std::stoi(authority.substr(colon + 1)))),
                   ec);
  if (ec || !Track(upstream.native_handle())) return;
  asio::write(client, asio::buffer(std::string("HTTP/1.1 200 Connection Established\r\n\r\n")), ec);
  auto pump = [](tcp::socket& from, tcp::socket& to) {
    char buf[16384];
    beast::error_code e;
    while (true) {
      const size_t n = from.read_some(asio::buffer(buf), e);
      if (e || asio::write(to, asio::buffer(buf, n), e) != n || e) break;
    }
    to.shutdown(tcp::socket::shutdown_both, e);
    from.shutdown(tcp::socket::shutdown_both, e);
  };
  std::thread back([&] { pump(upstream, client); });
  pump(client, upstream);
  back.join();
  Untrack(upstream.native_handle());
}

std::string Gzip(std::string_view data) {
  z_stream zs = {};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace sundial::net::testing
