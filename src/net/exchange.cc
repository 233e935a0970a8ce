// One logical request: connect (directly, through an HTTP proxy, or by CONNECT tunnel), TLS,
// write, read with limits, follow redirects. Every step after the first runs on the strand of
// the connection in use, so an Exchange is never touched by two threads at once.
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <vector>

#include "absl/strings/escaping.h"
#include "base/str_cat.h"
#include "net/body_stream.h"
#include "net/client_core.h"
#include "net/gzip.h"

namespace sundial::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr int kMaxRedirects = 10;
constexpr uint32_t kHeaderLimit = 1 << 20;
// Beast reads max(512, free capacity of the read buffer) bytes per read, and a buffer that the
// parser keeps draining never grows: without this a 100 KiB body took ~200 reads (and as many
// trips through the reactor).
constexpr size_t kReadBufferBytes = 16 << 10;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool IsValidFieldValue(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == 0; });
}

std::string BasicCredentials(std::string_view user, std::string_view password) {
  return StrCat("Basic ", absl::Base64Escape(AsAbsl(StrCat(user, ":", password))));
}

// Go's url.Error Op: "Get", "Post", ...
std::string OpName(std::string_view method) {
  std::string op(method);
  for (size_t i = 1; i < op.size(); ++i) {
    if (op[i] >= 'A' && op[i] <= 'Z') op[i] = static_cast<char>(op[i] + 32);
  }
  return op;
}

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<ClientCore> core, Request request, ResponseCallback done)
      : core_(std::move(core)), request_(std::move(request)), done_(std::move(done)) {}

  void Start();

 private:
  void Hop();
  void Dial();
  void ConnectTo();
  void OnConnected(const beast::error_code& ec);
  void ProxyConnect();
  void Handshake();
  void Write();
  void ReadHeader();
  void ReadBody();
  void StreamBody();
  void StreamStep();
  void OnResponse();
  void Retry();
  absl::Status BuildWire();

  bool CanRetry(const beast::error_code& ec) const {
    return reused_ && !retried_ && ec != beast::error::timeout;
  }
  bool Expired() const {
    return deadline_ != Clock::time_point::max() && Clock::now() >= deadline_;
  }
  Clock::time_point ConnectDeadline() const {
    if (core_->options.connect_timeout.count() <= 0) return deadline_;
    return std::min(deadline_, Clock::now() + core_->options.connect_timeout);
  }
  void Arm(Clock::time_point t) {
    if (t == Clock::time_point::max()) {
      conn_->lowest().expires_never();
    } else {
      conn_->lowest().expires_at(t);
    }
  }
  absl::Status UrlError(absl::StatusCode code, std::string_view detail) const {
    return absl::Status(code, StrCat(OpName(request_.method), " \"", url_text_, "\": ", detail));
  }
  absl::Status DeadlineError() const {
    return UrlError(absl::StatusCode::kDeadlineExceeded, "context deadline exceeded");
  }
  // A read/write failure on an established connection.
  absl::Status TransportError(const beast::error_code& ec) const;
  // A failure before the connection was usable; `stage` like "dial tcp 1.2.3.4:80".
  absl::Status SetupError(const beast::error_code& ec, std::string_view stage) const;
  void Fail(absl::Status status);
  void Finish(absl::StatusOr<Response> result);

  std::shared_ptr<ClientCore> core_;
  Request request_;
  ResponseCallback done_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Url url_;
  std::string url_text_;  // for errors; never contains userinfo once parsed
  std::string pool_key_;
  int redirects_ = 0;
  bool reused_ = false;
  bool retried_ = false;
  bool decode_gzip_ = false;
  bool resolve_timed_out_ = false;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<tcp::resolver> resolver_;
  std::unique_ptr<asio::steady_timer> resolve_timer_;
  std::vector<tcp::endpoint> endpoints_;
  std::string dial_authority_;
  http::request<http::string_body> wire_;
  std::unique_ptr<http::response_parser<http::string_body>> parser_;
  http::request<http::empty_body> connect_request_;
  std::unique_ptr<http::response_parser<http::empty_body>> connect_parser_;
};

void Exchange::Start() {
  url_text_ = request_.url;
  const std::chrono::milliseconds timeout =
      request_.timeout.count() > 0 ? request_.timeout : core_->options.request_timeout;
  if (timeout.count() > 0) deadline_ = Clock::now() + timeout;
  if (!IsToken(request_.method)) {
    return Fail(UrlError(absl::StatusCode::kInvalidArgument,
                         StrCat("net/http: invalid method \"", request_.method, "\"")));
  }
  for (const auto& [name, value] : request_.headers.fields()) {
    if (!IsToken(name) || !IsValidFieldValue(value)) {
      return Fail(UrlError(absl::StatusCode::kInvalidArgument,
                           StrCat("net/http: invalid header field \"", name, "\"")));
    }
  }
  absl::StatusOr<Url> url = ParseUrl(request_.url);
  if (!url.ok()) {
    return Fail(UrlError(absl::StatusCode::kInvalidArgument, AsStd(url.status().message())));
  }
  url_ = *std::move(url);
  url_text_ = url_.String();
  decode_gzip_ = core_->options.accept_gzip && !request_.headers.Has("Accept-Encoding") &&
                 request_.method != "HEAD" && request_.stream == nullptr;
  if (request_.stream != nullptr && request_.stream->cancelled()) {
    return Fail(absl::CancelledError("context canceled"));
  }
  Hop();
}

absl::Status Exchange::BuildWire() {
  const bool http_proxy = core_->proxy.has_value() && !url_.is_https();
  wire_ = {};
  wire_.version(11);
  wire_.method_string(request_.method);
  wire_.target(http_proxy ? url_.String() : url_.target);
  wire_.set(http::field::host, url_.HostHeader());
  for (const auto& [name, value] : request_.headers.fields()) {
    if (!EqualsIgnoreCase(name, "Host")) wire_.insert(name, value);
  }
  if (!request_.headers.Has("User-Agent")) wire_.set(http::field::user_agent, core_->user_agent);
  if (decode_gzip_) wire_.set(http::field::accept_encoding, "gzip");
  if (!request_.headers.Has("Authorization")) {
    if (core_->credentials != nullptr) {
      absl::StatusOr<std::string> credentials = core_->credentials->Get();
      if (!credentials.ok()) return credentials.status();
      wire_.set(http::field::authorization,
                StrCat(core_->options.authorization.type, " ", *credentials));
    } else if (core_->basic_password != nullptr) {
      absl::StatusOr<std::string> password = core_->basic_password->Get();
      if (!password.ok()) return password.status();
      wire_.set(http::field::authorization,
                BasicCredentials(core_->options.basic_auth.username, *password));
    } else if (url_.has_userinfo) {
      wire_.set(http::field::authorization, BasicCredentials(url_.username, url_.password));
    }
  }
  if (http_proxy && core_->proxy->has_userinfo) {
    wire_.set(http::field::proxy_authorization,
              BasicCredentials(core_->proxy->username, core_->proxy->password));
  }
  wire_.body() = request_.body;
  wire_.prepare_payload();
  return absl::OkStatus();
}

void Exchange::Hop() {
  if (absl::Status s = BuildWire(); !s.ok()) return Fail(std::move(s));
  pool_key_ = StrCat(url_.scheme, "://", url_.Authority());
  if (core_->proxy.has_value()) StrAppend(&pool_key_, " via ", core_->proxy->Authority());
  conn_ = core_->pool.Take(pool_key_);
  reused_ = conn_ != nullptr;
  if (!reused_) return Dial();
  asio::post(conn_->lowest().get_executor(), [self = shared_from_this()] { self->Write(); });
}

void Exchange::Retry() {
  conn_->Close();
  conn_.reset();
  retried_ = true;
  reused_ = false;
  Dial();
}

void Exchange::Dial() {
  conn_ = std::make_unique<Connection>(core_->io);
  conn_->pool_key = pool_key_;
  const Url& target = core_->proxy.has_value() ? *core_->proxy : url_;
  dial_authority_ = target.Authority();
  endpoints_.clear();
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(target.host, ec);
  if (!ec) {
    endpoints_.emplace_back(address, target.port);
    return ConnectTo();
  }
  auto executor = conn_->lowest().get_executor();
  resolver_ = std::make_unique<tcp::resolver>(executor);
  resolve_timer_ = std::make_unique<asio::steady_timer>(executor);
  resolve_timed_out_ = false;
  resolve_timer_->expires_at(ConnectDeadline());
  resolve_timer_->async_wait([self = shared_from_this()](const beast::error_code& ec) {
    if (ec) return;  // cancelled: the lookup finished first
    self->resolve_timed_out_ = true;
    self->resolver_->cancel();
  });
  resolver_->async_resolve(
      target.host, std::to_string(target.port),
      [self = shared_from_this(), host = target.host](const beast::error_code& ec,
                                                      tcp::resolver::results_type results) {
        self->resolve_timer_->cancel();
        if (ec) {
          if (self->resolve_timed_out_) {
            return self->Fail(self->SetupError(beast::error::timeout, "dial tcp"));
          }
          return self->Fail(self->UrlError(absl::StatusCode::kUnavailable,
                                           StrCat("dial tcp: lookup ", host, ": ", ec.message())));
        }
        for (const auto& entry : results) self->endpoints_.push_back(entry.endpoint());
        self->ConnectTo();
      });
}

void Exchange::ConnectTo() {
  Arm(ConnectDeadline());
  conn_->lowest().async_connect(
      endpoints_, [self = shared_from_this()](const beast::error_code& ec, const tcp::endpoint&) {
        self->OnConnected(ec);
      });
}

void Exchange::OnConnected(const beast::error_code& ec) {
  if (ec) return Fail(SetupError(ec, StrCat("dial tcp ", dial_authority_)));
  beast::error_code ignored;
  conn_->lowest().socket().set_option(tcp::no_delay(true), ignored);
  if (core_->proxy.has_value() && url_.is_https()) return ProxyConnect();
  if (url_.is_https()) return Handshake();
  Write();
}

void Exchange::ProxyConnect() {
  connect_request_ = {http::verb::connect, url_.Authority(), 11};
  connect_request_.set(http::field::host, url_.Authority());
  if (core_->proxy->has_userinfo) {
    connect_request_.set(http::field::proxy_authorization,
                         BasicCredentials(core_->proxy->username, core_->proxy->password));
  }
  http::async_write(
      *conn_->tcp, connect_request_,
      [self = shared_from_this()](const beast::error_code& ec, size_t) {
        if (ec) return self->Fail(self->SetupError(ec, "proxyconnect tcp"));
        self->connect_parser_ = std::make_unique<http::response_parser<http::empty_body>>();
        self->connect_parser_->skip(true);  // a CONNECT response has no body
        http::async_read(*self->conn_->tcp, self->conn_->buffer, *self->connect_parser_,
                         [self](const beast::error_code& ec, size_t) {
                           if (ec) return self->Fail(self->SetupError(ec, "proxyconnect tcp"));
                           const auto& res = self->connect_parser_->get();
                           if (res.result_int() != 200) {
                             return self->Fail(self->UrlError(
                                 absl::StatusCode::kUnavailable,
                                 StrCat("proxyconnect tcp: proxy returned HTTP status ",
                                        res.result_int(), " ", res.reason())));
                           }
                           self->Handshake();
                         });
      });
}

void Exchange::Handshake() {
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> context = core_->tls->Get();
  if (!context.ok()) return Fail(context.status());
  conn_->StartTls(*std::move(context));
  core_->tls->PrepareConnection(conn_->tls->native_handle(), url_.host);
  Arm(ConnectDeadline());
  conn_->tls->async_handshake(
      asio::ssl::stream_base::client, [self = shared_from_this()](const beast::error_code& ec) {
        if (!ec) return self->Write();
        const long verify = SSL_get_verify_result(self->conn_->tls->native_handle());
        if (ec != beast::error::timeout && verify != X509_V_OK) {
          return self->Fail(self->UrlError(absl::StatusCode::kUnavailable,
                                           StrCat("tls: failed to verify certificate: ",
                                                  X509_verify_cert_error_string(verify))));
        }
        self->Fail(self->SetupError(ec, "tls: handshake failure"));
      });
}

void Exchange::Write() {
  Arm(deadline_);
  conn_->Visit([&](auto& stream) {
    http::async_write(stream, wire_,
                      [self = shared_from_this()](const beast::error_code& ec, size_t) {
                        if (!ec) return self->ReadHeader();
                        if (self->CanRetry(ec)) return self->Retry();
                        self->Fail(self->TransportError(ec));
                      });
  });
}

void Exchange::ReadHeader() {
  parser_ = std::make_unique<http::response_parser<http::string_body>>();
  parser_->header_limit(kHeaderLimit);
  const uint64_t limit = core_->options.max_response_bytes;
  // Not boost::none: Boost 1.74 compares the length against the optional and then treats
  // "none" as smaller than any length.
  parser_->body_limit(limit != 0 ? limit : std::numeric_limits<uint64_t>::max());
  if (request_.method == "HEAD") parser_->skip(true);
  if (conn_->buffer.capacity() < kReadBufferBytes) conn_->buffer.reserve(kReadBufferBytes);
  conn_->Visit([&](auto& stream) {
    http::async_read_header(
        stream, conn_->buffer, *parser_,
        [self = shared_from_this()](const beast::error_code& ec, size_t) {
          if (ec == http::error::body_limit) {  // Content-Length too big
            return self->Fail(BodySizeLimitError(self->core_->options.max_response_bytes));
          }
          if (ec) {
            if (self->CanRetry(ec) && !self->parser_->got_some()) return self->Retry();
            return self->Fail(self->TransportError(ec));
          }
          const int code = self->parser_->get().result_int();
          if (code >= 100 && code < 200 && code != 101) return self->ReadHeader();
          if (self->request_.stream != nullptr && code >= 200 && code < 300) {
            return self->StreamBody();
          }
          self->ReadBody();
        });
  });
}

void Exchange::ReadBody() {
  if (parser_->is_done()) return OnResponse();
  conn_->Visit([&](auto& stream) {
    http::async_read(
        stream, conn_->buffer, *parser_,
        [self = shared_from_this()](const beast::error_code& ec, size_t) {
          if (ec == http::error::body_limit) {
            return self->Fail(BodySizeLimitError(self->core_->options.max_response_bytes));
          }
          if (ec) return self->Fail(self->TransportError(ec));
          self->OnResponse();
        });
  });
}

void Exchange::StreamBody() {
  BodyStream& stream = *request_.stream;
  // Cancel closes the socket on the connection's strand, which fails the pending read.
  std::weak_ptr<Exchange> weak = weak_from_this();
  stream.SetCanceller([weak, executor = conn_->lowest().get_executor()] {
    asio::post(executor, [weak] {
      if (auto self = weak.lock(); self != nullptr && self->conn_ != nullptr) self->conn_->Close();
    });
  });
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  Arm(deadline_);
  StreamStep();
}

void Exchange::StreamStep() {
  std::string& body = parser_->get().body();
  if (!body.empty()) {
    request_.stream->Deliver(body);
    body.clear();
  }
  if (request_.stream->cancelled()) return Fail(absl::CancelledError("context canceled"));
  if (parser_->is_done()) return OnResponse();
  conn_->Visit([&](auto& stream) {
    http::async_read_some(stream, conn_->buffer, *parser_,
                          [self = shared_from_this()](const beast::error_code& ec, size_t) {
                            if (ec && !self->request_.stream->cancelled()) {
                              return self->Fail(self->TransportError(ec));
                            }
                            self->StreamStep();
                          });
  });
}

void Exchange::OnResponse() {
  http::response<http::string_body> message = parser_->release();
  parser_.reset();
  if (message.keep_alive()) {
    core_->pool.Put(std::move(conn_));
  } else {
    conn_->Close();
    conn_.reset();
  }
  Response response;
  response.status_code = message.result_int();
  std::string_view reason = message.reason();
  if (reason.empty()) reason = http::obsolete_reason(message.result());
  response.status = StrCat(response.status_code, " ", reason);
  for (const auto& field : message) response.headers.Add(field.name_string(), field.value());
  response.body = std::move(message.body());

  if (decode_gzip_ && EqualsIgnoreCase(response.headers.Get("Content-Encoding"), "gzip")) {
    absl::StatusOr<std::string> decoded = Gunzip(response.body, core_->options.max_response_bytes);
    if (!decoded.ok()) {
      if (absl::IsResourceExhausted(decoded.status())) return Fail(decoded.status());
      return Fail(UrlError(absl::StatusCode::kUnavailable, AsStd(decoded.status().message())));
    }
    response.body = *std::move(decoded);
    response.headers.Remove("Content-Encoding");
    response.headers.Remove("Content-Length");
  }

  const int code = response.status_code;
  const bool redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  if (!core_->options.follow_redirects || !redirect || !response.headers.Has("Location")) {
    return Finish(std::move(response));
  }
  if (++redirects_ > kMaxRedirects) {
    return Fail(UrlError(absl::StatusCode::kUnavailable,
                         StrCat("stopped after ", kMaxRedirects, " redirects")));
  }
  absl::StatusOr<Url> next = ResolveReference(url_, response.headers.Get("Location"));
  if (!next.ok()) {
    return Fail(UrlError(absl::StatusCode::kUnavailable,
                         StrCat("failed to follow redirect: ", AsStd(next.status().message()))));
  }
  if (code <= 303 && request_.method != "GET" && request_.method != "HEAD") {
    request_.method = "GET";
    request_.body.clear();
    request_.headers.Remove("Content-Type");
    request_.headers.Remove("Content-Length");
  }
  url_ = *std::move(next);
  url_text_ = url_.String();
  retried_ = false;
  Hop();
}

absl::Status Exchange::TransportError(const beast::error_code& ec) const {
  if (ec == beast::error::timeout || Expired()) return DeadlineError();
  if (ec == http::error::end_of_stream || ec == asio::error::eof) {
    return UrlError(absl::StatusCode::kUnavailable, "EOF");
  }
  if (ec == http::error::partial_message) {
    return UrlError(absl::StatusCode::kUnavailable, "unexpected EOF");
  }
  if (ec == http::error::header_limit) {
    return UrlError(absl::StatusCode::kUnavailable, "net/http: response headers too large");
  }
  return UrlError(absl::StatusCode::kUnavailable, ec.message());
}

absl::Status Exchange::SetupError(const beast::error_code& ec, std::string_view stage) const {
  if (ec == beast::error::timeout) {
    if (Expired()) return DeadlineError();
    return UrlError(absl::StatusCode::kDeadlineExceeded, StrCat(stage, ": i/o timeout"));
  }
  if (ec == http::error::end_of_stream || ec == asio::error::eof) {
    return UrlError(absl::StatusCode::kUnavailable, StrCat(stage, ": EOF"));
  }
  return UrlError(absl::StatusCode::kUnavailable, StrCat(stage, ": ", ec.message()));
}

void Exchange::Fail(absl::Status status) {
  if (conn_ != nullptr) {
    conn_->Close();
    conn_.reset();
  }
  Finish(std::move(status));
}

void Exchange::Finish(absl::StatusOr<Response> result) {
  // Always through the io_context: callers get their callback on a pool thread, never inline.
  asio::post(core_->io, [done = std::move(done_), result = std::move(result)]() mutable {
    done(std::move(result));
  });
}

}  // namespace

void StartExchange(std::shared_ptr<ClientCore> core, Request request, ResponseCallback done) {
  auto exchange = std::make_shared<Exchange>(std::move(core), std::move(request), std::move(done));
  exchange->Start();
}

}  // namespace sundial::net
