#include "web/server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <charconv>
#include <future>

#include "base/log.h"
#include "base/str_cat.h"
#include "web/internal/connection.h"
#include "web/internal/server_state.h"

namespace sundial::web {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

const Logger kLog("web");

constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);
constexpr auto kForcedCloseWait = std::chrono::seconds(2);

struct HostPort {
  std::string host;  // "" for all interfaces
  uint16_t port = 0;
};

absl::StatusOr<HostPort> ParseListenAddress(std::string_view address) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        StrCat("listen tcp ", address, ": address ", address, ": ", why));
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return bad("missing port in address");
  HostPort hp;
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (host.starts_with('[')) {
    if (!host.ends_with(']')) return bad("missing ']' in address");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("too many colons in address");
  }
  unsigned value = 0;
  auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || err != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("invalid port");
  }
  hp.host = std::string(host);
  hp.port = static_cast<uint16_t>(value);
  return hp;
}

// Go spells errno texts in lower case: "address already in use".
std::string GoErrorText(const boost::system::error_code& ec) {
  std::string text = ec.message();
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
  return text;
}

// The path of --web.external-url ("http://host:9090/prom/" -> "/prom"), or "" when it has none.
std::string ExternalPath(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    size_t slash = url.find('/', scheme + 3);
    url = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  url = url.substr(0, url.find_first_of("?#"));
  while (url.ends_with('/')) url.remove_suffix(1);
  return std::string(url);
}

}  // namespace

Server::State::State(ServerOptions opts, net::IoPool* io_pool, Router* r)
    : options(std::move(opts)),
      pool(io_pool),
      router(r),
      accept_strand(asio::make_strand(io_pool->context())),
      acceptor(accept_strand),
      accept_retry(accept_strand) {}

void Server::State::DoAccept() {
  acceptor.async_accept(
      asio::make_strand(pool->context()),
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void Server::State::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    kLog.Error("Accept error", {{"err", ec.message()}});
    accept_retry.expires_after(kAcceptRetryDelay);
    accept_retry.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec && self->acceptor.is_open()) self->DoAccept();
    });
    return;
  }
  // As Go's net/http: a response's last small write must not wait for the client's ACK.
  boost::system::error_code nodelay_ec;
  socket.set_option(tcp::no_delay(true), nodelay_ec);
  std::shared_ptr<const internal::WebSecurity::Settings> settings;
  if (security) settings = security->Current();
  std::shared_ptr<internal::Connection> conn;
  bool pause = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) return;  // the socket closes as it goes out of scope
    conn = std::make_shared<internal::Connection>(std::move(socket), shared_from_this(),
                                                  std::move(settings));
    connections.emplace(conn.get(), conn);
    ++open_connections;
    pause = options.max_connections > 0 && open_connections >= options.max_connections;
    accept_paused = pause;
  }
  conn->Start();
  if (!pause) DoAccept();
}

void Server::State::ConnectionClosed(internal::Connection* conn) {
  bool resume = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (connections.erase(conn) == 0) return;
    --open_connections;
    if (accept_paused && !stopping) {
      accept_paused = false;
      resume = true;
    }
  }
  cv.notify_all();
  if (resume) {
    asio::post(accept_strand, [self = shared_from_this()] {
      if (self->acceptor.is_open()) self->DoAccept();
    });
  }
}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerOptions options, net::IoPool* pool,
                                                       Router* router) {
  std::string listen_address = options.listen_address;
  if (absl::StatusOr<HostPort> hp = ParseListenAddress(listen_address); !hp.ok()) {
    return hp.status();
  }
  std::string prefix = options.route_prefix;
  while (prefix.ends_with('/')) prefix.pop_back();
  if (!prefix.empty() && prefix.front() != '/') prefix.insert(prefix.begin(), '/');
  std::string home = options.external_url.empty() ? prefix : ExternalPath(options.external_url);
  bool cors_any = options.cors_origin == ".*";
  std::unique_ptr<RE2> cors;
  if (!cors_any) {
    cors = std::make_unique<RE2>(options.cors_origin, RE2::Quiet);
    if (!cors->ok()) {
      return absl::InvalidArgumentError(
          StrCat("could not compile CORS regex \"", options.cors_origin, "\": ", cors->error()));
    }
  }
  std::unique_ptr<internal::WebSecurity> security;
  if (!options.web_config_file.empty()) {
    absl::StatusOr<std::unique_ptr<internal::WebSecurity>> loaded =
        internal::WebSecurity::Load(options.web_config_file);
    if (!loaded.ok()) return loaded.status();
    security = *std::move(loaded);
  }
  auto state = std::make_shared<State>(std::move(options), pool, router);
  state->security = std::move(security);
  state->route_prefix = std::move(prefix);
  state->home_location = StrCat(home, "/graph");
  state->cors_any = cors_any;
  state->cors = std::move(cors);
  return std::unique_ptr<Server>(new Server(std::move(state), std::move(listen_address)));
}

Server::Server(std::shared_ptr<State> state, std::string listen_address)
    : state_(std::move(state)), listen_address_(std::move(listen_address)) {}

Server::~Server() { Shutdown(std::chrono::milliseconds(0)); }

absl::Status Server::Start() {
  absl::StatusOr<HostPort> hp = ParseListenAddress(listen_address_);
  if (!hp.ok()) return hp.status();
  auto fail = [&](std::string_view op, const boost::system::error_code& ec) {
    return absl::UnavailableError(
        StrCat("listen tcp ", listen_address_, ": ", op, ": ", GoErrorText(ec)));
  };
  tcp::endpoint endpoint;
  boost::system::error_code ec;
  if (hp->host.empty()) {
    endpoint = tcp::endpoint(tcp::v6(), hp->port);
  } else {
    asio::ip::address addr = asio::ip::make_address(hp->host, ec);
    if (ec) {
      tcp::resolver resolver(state_->pool->context());
      tcp::resolver::results_type results =
          resolver.resolve(hp->host, std::to_string(hp->port), ec);
      if (ec || results.empty()) {
        return absl::UnavailableError(StrCat("listen tcp: lookup ", hp->host, ": no such host"));
      }
      endpoint = results.begin()->endpoint();
    } else {
      endpoint = tcp::endpoint(addr, hp->port);
    }
  }
  tcp::acceptor& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec && hp->host.empty()) {  // no IPv6 on this host: all IPv4 interfaces
    endpoint = tcp::endpoint(tcp::v4(), hp->port);
    acceptor.open(endpoint.protocol(), ec);
  }
  if (ec) return fail("socket", ec);
  if (endpoint.protocol() == tcp::v6() && hp->host.empty()) {
    acceptor.set_option(asio::ip::v6_only(false), ec);
  }
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return fail("bind", ec);
  }
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return fail("listen", ec);
  }
  started_ = true;
  kLog.Info("Listening", {{"address", listen_address_}, {"port", port()}});
  // The exporter toolkit's line, which operators grep for.
  kLog.Info(
      state_->security && state_->security->Current()->tls ? "TLS is enabled." : "TLS is disabled.",
      {{"http2", "false"}, {"address", listen_address_}});
  asio::post(state_->accept_strand, [state = state_] { state->DoAccept(); });
  return absl::OkStatus();
}

int Server::port() const {
  boost::system::error_code ec;
  tcp::endpoint ep = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  if (!started_ || shut_down_) return;
  shut_down_ = true;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
  }
  // Close the listener on its strand so no accept races with it; new connects are refused.
  std::promise<void> closed;
  asio::post(state_->accept_strand, [state = state_, &closed] {
    boost::system::error_code ec;
    state->acceptor.close(ec);
    state->accept_retry.cancel();
    closed.set_value();
  });
  closed.get_future().wait();

  auto snapshot = [&] {
    std::vector<std::shared_ptr<internal::Connection>> conns;
    std::lock_guard<std::mutex> lock(state_->mu);
    for (const auto& [ptr, weak] : state_->connections) {
      if (auto conn = weak.lock()) conns.push_back(std::move(conn));
    }
    return conns;
  };
  for (const auto& conn : snapshot()) conn->CloseIfIdle();
  auto all_closed = [&] { return state_->open_connections == 0; };
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    if (state_->cv.wait_for(lock, grace, all_closed)) return;
  }
  for (const auto& conn : snapshot()) conn->ForceClose();
  std::unique_lock<std::mutex> lock(state_->mu);
  if (!state_->cv.wait_for(lock, kForcedCloseWait, all_closed)) {
    kLog.Warn("Connections still open after shutdown", {{"count", state_->open_connections}});
  }
}

}  // namespace sundial::web
