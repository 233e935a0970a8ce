#include "web/internal/connection.h"

#include <sys/socket.h>

#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <limits>

#include "base/log.h"
#include "base/str_cat.h"
#include "web/internal/response_stream.h"
#include "web/internal/url.h"

namespace sundial::web::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

const Logger kLog("web");

// True on an io thread while it runs a task deferred by RunAfterHandler: the thread then
// answers like a non-io thread (it may block on flow control, and sends directly).
thread_local bool t_in_task_after_handler = false;

constexpr size_t kReadChunk = 4096;
// After a response that ends the connection, unread input is drained this long before the
// socket closes, so the kernel does not answer it with a RST that destroys our response.
constexpr auto kLingerTime = std::chrono::seconds(1);

std::string FormatEndpoint(const tcp::endpoint& ep) {
  if (ep.address().is_v6()) return StrCat("[", ep.address().to_string(), "]:", ep.port());
  return StrCat(ep.address().to_string(), ":", ep.port());
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "gzip", "gzip;q=0.5", "deflate, gzip" accept gzip; "gzip;q=0" does not.
bool AcceptsGzip(std::string_view header) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    if (!EqualsIgnoreCase(Trim(item.substr(0, semi)), "gzip")) continue;
    if (semi == std::string_view::npos) return true;
    std::string_view param = Trim(item.substr(semi + 1));
    if (!param.starts_with("q=")) return true;
    return param.substr(2).find_first_of("123456789") != std::string_view::npos;
  }
  return false;
}

bool IsFormPost(const http::request<http::string_body>& msg) {
  http::verb v = msg.method();
  if (v != http::verb::post && v != http::verb::put && v != http::verb::patch) return false;
  std::string_view type = msg[http::field::content_type];
  return EqualsIgnoreCase(Trim(type.substr(0, type.find(';'))),
                          "application/x-www-form-urlencoded");
}

// Prometheus' httputil.SetCORS.
void SetCors(const Server::State& state, std::string_view origin, Responder* resp) {
  if (origin.empty()) return;
  resp->SetHeader("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin");
  resp->SetHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  resp->SetHeader("Access-Control-Expose-Headers", "Date");
  resp->SetHeader("Vary", "Origin");
  if (state.cors_any) {
    resp->SetHeader("Access-Control-Allow-Origin", "*");
  } else if (RE2::FullMatch(re2::StringPiece(origin.data(), origin.size()), *state.cors)) {
    resp->SetHeader("Access-Control-Allow-Origin", origin);
  }
}

void Redirect(Responder* resp, const std::string& location) {
  resp->SetHeader("Location", location);
  resp->SetContentType("text/html; charset=utf-8");
  resp->SetStatus(302);
  resp->Send(StrCat("<a href=\"", location, "\">Found</a>.\n\n"));
}

}  // namespace

Connection::Connection(tcp::socket socket, std::shared_ptr<Server::State> state,
                       std::shared_ptr<const WebSecurity::Settings> security)
    : state_(std::move(state)),
      security_(std::move(security)),
      stream_(std::move(socket), security_ ? security_->tls : nullptr) {
  boost::system::error_code ec;
  tcp::endpoint remote = stream_.tcp().socket().remote_endpoint(ec);
  if (!ec) remote_address_ = FormatEndpoint(remote);
}

void Connection::Start() {
  // From the accept handler a continuation: the request that came with the connection is read on
  // this thread right after the handler returns (so the next accept is already pending), waking
  // no other io thread.
  asio::defer(stream_.get_executor(), [self = shared_from_this()] {
    if (!self->stream_.is_tls()) {
      self->WaitForRequest();
      return;
    }
    self->stream_.tcp().expires_after(self->state_->options.read_timeout);
    self->stream_.async_handshake([self](boost::system::error_code ec) { self->OnHandshake(ec); });
  });
}

void Connection::OnHandshake(boost::system::error_code ec) {
  if (ec) {
    // Go's http.Server logs these through Prometheus' error logger.
    kLog.Error(StrCat("http: TLS handshake error from ", remote_address_, ": ", ec.message()));
    CloseSocket();
    return;
  }
  WaitForRequest();
}

void Connection::CloseIfIdle() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ == Phase::kIdle) {
      self->CloseSocket();
    } else {
      self->close_after_response_ = true;
    }
  });
}

void Connection::ForceClose() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->CloseSocket(); });
}

void Connection::WaitForRequest() {
  if (phase_ == Phase::kClosed) return;
  if (state_->shutting_down()) {
    CloseSocket();
    return;
  }
  if (buffer_.size() > 0) {  // a pipelined request is already here
    ReadRequest();
    return;
  }
  phase_ = Phase::kIdle;
  if (!stream_.is_tls() && ReceiveAvailable()) {
    ReadRequest();
    return;
  }
  stream_.tcp().expires_after(state_->options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (ec) {
                              self->CloseSocket();
                              return;
                            }
                            self->buffer_.commit(n);
                            self->ReadRequest();
                          });
}

bool Connection::ReceiveAvailable() {
  const asio::mutable_buffer space = buffer_.prepare(kReadChunk);
  const ssize_t n =
      recv(stream_.tcp().socket().native_handle(), space.data(), space.size(), MSG_DONTWAIT);
  if (n <= 0) return false;
  buffer_.commit(static_cast<size_t>(n));
  return true;
}

void Connection::ReadRequest() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kReading;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(std::min<size_t>(
      state_->options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(static_cast<std::uint64_t>(state_->options.max_body_bytes));
  stream_.tcp().expires_after(state_->options.read_timeout);  // the header's and the body's
  if (boost::system::error_code ec; ParseBuffered(/*whole_request=*/false, &ec)) {
    OnHeaderRead(ec);
    return;
  }
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeaderRead(ec); });
}

bool Connection::ParseBuffered(bool whole_request, boost::system::error_code* ec) {
  while (whole_request ? !parser_->is_done() : !parser_->is_header_done()) {
    if (buffer_.size() == 0) return false;
    const size_t used = parser_->put(buffer_.data(), *ec);
    buffer_.consume(used);
    if (*ec == http::error::need_more) {
      *ec = {};
      return false;
    }
    if (*ec) return true;
    if (used == 0) return false;
  }
  return true;
}

void Connection::OnHeaderRead(boost::system::error_code ec) {
  if (ec || parser_->is_done()) {
    OnRequestRead(ec);
    return;
  }
  if (EqualsIgnoreCase(parser_->get()[http::field::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) {
                          self->CloseSocket();
                          return;
                        }
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void Connection::ReadBody() {
  if (boost::system::error_code ec; ParseBuffered(/*whole_request=*/true, &ec)) {
    OnRequestRead(ec);
    return;
  }
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRequestRead(ec); });
}

void Connection::OnRequestRead(boost::system::error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (!ec) {
    HandleRequest();
    return;
  }
  if (ec == http::error::body_limit) {
    Reject(413, "Request Entity Too Large\n");
  } else if (ec == http::error::header_limit) {
    Reject(431, "431 Request Header Fields Too Large\n");
  } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message) {
    Reject(400, "400 Bad Request\n");
  } else {
    CloseSocket();  // EOF, reset, read timeout
  }
}

void Connection::Reject(int status, std::string_view text) {
  phase_ = Phase::kResponding;
  linger_ = true;
  close_after_response_ = true;
  ResponseContext ctx;
  ctx.keep_alive = false;
  if (security_) ctx.extra_headers = security_->headers;
  auto resp = std::make_shared<ResponseStream>(shared_from_this(), std::move(ctx));
  resp->SendText(status, std::string(text));
}

void Connection::HandleRequest() {
  phase_ = Phase::kResponding;
  http::request<http::string_body>& msg = parser_->get();
  const Server::State& state = *state_;

  ResponseContext ctx;
  ctx.keep_alive = msg.keep_alive();
  ctx.http10 = msg.version() < 11;
  ctx.head = msg.method() == http::verb::head;
  ctx.gzip_accepted = AcceptsGzip(msg[http::field::accept_encoding]);
  if (security_) {
    ctx.extra_headers = security_->headers;
    if (security_->basic_auth && !security_->basic_auth->Check(msg[http::field::authorization])) {
      auto resp = std::make_shared<ResponseStream>(shared_from_this(), std::move(ctx));
      resp->SetHeader("WWW-Authenticate", "Basic");
      resp->SendText(401, "Unauthorized\n");
      return;
    }
  }

  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.remote_address = remote_address_;
  for (const auto& field : msg) {
    req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  bool is_form = IsFormPost(msg);
  req.body = std::move(msg.body());
  bool get_or_head = req.method == "GET" || req.method == "HEAD";

  std::string_view target = msg.target();
  if (target.starts_with("http://") || target.starts_with("https://")) {  // absolute-form
    size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  size_t question = target.find('?');
  if (question != std::string_view::npos) req.raw_query = std::string(target.substr(question + 1));
  std::optional<std::string> path = PercentDecode(target.substr(0, question), false);
  if (!path || path->empty() || path->front() != '/') {
    std::make_shared<ResponseStream>(shared_from_this(), std::move(ctx))
        ->SendText(400, "400 Bad Request\n");
    return;
  }

  const std::string& prefix = state.route_prefix;
  if (prefix.empty()) {
    req.path = std::move(*path);
  } else if (*path == prefix) {
    req.path = "/";
  } else if (path->starts_with(prefix) && (*path)[prefix.size()] == '/') {
    req.path = path->substr(prefix.size());
  } else {
    auto resp = std::make_shared<ResponseStream>(shared_from_this(), std::move(ctx));
    if (*path == "/" && get_or_head) {
      Redirect(resp.get(), prefix);
    } else {
      resp->SendText(404, "404 page not found\n");
    }
    return;
  }

  if (is_form) ParseQueryInto(req.body, &req.params);
  ParseQueryInto(req.raw_query, &req.params);

  Router::Match match = state.router->Find(req.method, req.path);
  if (match.kind == Router::Match::Kind::kFound) {
    ctx.observed_handler = StrCat(prefix, match.pattern);
    req.path_params = std::move(match.path_params);
  }
  auto resp = std::make_shared<ResponseStream>(shared_from_this(), std::move(ctx));
  if (req.path.starts_with("/api/")) SetCors(state, req.Header("Origin"), resp.get());

  switch (match.kind) {
    case Router::Match::Kind::kNotFound:
      if (req.path == "/" && get_or_head) {
        Redirect(resp.get(), state.home_location);
      } else {
        resp->SendText(404, "404 page not found\n");
      }
      return;
    case Router::Match::Kind::kMethodNotAllowed:
      resp->SetHeader("Allow", match.allow);
      if (req.method == "OPTIONS") {
        resp->SetStatus(200);
        resp->Send("");
      } else {
        resp->SendText(405, "Method Not Allowed\n");
      }
      return;
    case Router::Match::Kind::kFound:
      break;
  }
  WatchForHangup();
  try {
    (*match.handler)(req, resp);
  } catch (const std::exception& e) {
    kLog.Error("HTTP handler failed", {{"handler", match.pattern}, {"err", e.what()}});
    resp->FailFromException();
  } catch (...) {
    kLog.Error("HTTP handler failed", {{"handler", match.pattern}, {"err", "unknown exception"}});
    resp->FailFromException();
  }
}

void Connection::WatchForHangup() {
  if (watching_ || phase_ != Phase::kResponding || buffer_.size() > 0) return;
  watching_ = true;
  stream_.tcp().socket().async_wait(tcp::socket::wait_read,
                                    [self = shared_from_this()](boost::system::error_code ec) {
                                      self->watching_ = false;
                                      self->OnReadableWhileResponding(ec);
                                    });
}

void Connection::OnReadableWhileResponding(boost::system::error_code ec) {
  if (ec || phase_ != Phase::kResponding) return;  // closed, or a request is being read now
  char byte;
  const ssize_t n = recv(stream_.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return;  // a pipelined request: the client is still there
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    WatchForHangup();
    return;
  }
  client_gone_ = true;  // EOF or reset
}

size_t Connection::SendNow(std::string_view data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(stream_.tcp().socket().native_handle(), data.data() + sent,
                           data.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // the socket buffer is full, or an error the queued write will report
    }
  }
  return sent;
}

bool Connection::RunAfterHandler(std::function<void()>& task) {
  if (!state_->pool->context().get_executor().running_in_this_thread()) return false;
  const int limit = state_->pool->threads() - 1;
  int running = state_->tasks_after_handler.load();
  do {
    if (running >= limit) return false;
  } while (!state_->tasks_after_handler.compare_exchange_weak(running, running + 1));
  // A continuation: Asio runs it on this thread after the current handler, waking no other.
  asio::defer(state_->pool->context(), [state = state_, task = std::move(task)] {
    t_in_task_after_handler = true;
    task();
    t_in_task_after_handler = false;
    state->tasks_after_handler.fetch_sub(1);
  });
  return true;
}

bool Connection::Enqueue(std::string data, bool last) {
  bool may_block =
      t_in_task_after_handler || !state_->pool->context().get_executor().running_in_this_thread();
  std::unique_lock<std::mutex> lock(mu_);
  if (may_block) {
    drained_.wait(lock,
                  [&] { return broken_ || buffered_bytes_ < state_->options.write_buffer_bytes; });
  }
  if (broken_) return false;
  // Off the io threads with nothing queued or being written: send from this thread, sparing
  // the hand-off to an io thread. (On an io thread the bytes go out after the handler returns,
  // as Go's http.Server flushes, so what the handler does after Send() happens first.) The
  // descriptor is still ours: CloseSocket() sets broken_ before it closes the
  // socket, and the only other close, a timed-out stream operation, can only be the pending
  // write that writing_ stands for.
  if (may_block && !writing_ && !write_scheduled_ && queue_.empty() && !stream_.is_tls()) {
    size_t sent = SendNow(data);
    if (sent == data.size()) {
      if (!last) return true;
      // A client reading to the end of a closing connection learns the response is over from
      // the FIN: send it now rather than after the hand-off to an io thread, which closes (or
      // first drains the input) as before.
      if (close_after_response_) ::shutdown(stream_.tcp().socket().native_handle(), SHUT_WR);
      lock.unlock();
      // On an io thread a continuation: it runs here after the task, waking no other thread.
      asio::defer(stream_.get_executor(), [self = shared_from_this()] { self->OnResponseDone(); });
      return true;
    }
    data.erase(0, sent);
  }
  buffered_bytes_ += data.size();
  queue_.push_back(std::move(data));
  if (last) queue_last_ = true;
  if (write_scheduled_) return true;
  write_scheduled_ = true;
  lock.unlock();
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->DoWrite(); });
  return true;
}

void Connection::DoWrite() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    write_scheduled_ = false;
    if (writing_ || phase_ == Phase::kClosed || queue_.empty()) return;
    in_flight_.swap(queue_);
    in_flight_last_ = queue_last_;
    queue_last_ = false;
    writing_ = true;
  }
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(in_flight_.size());
  for (const std::string& s : in_flight_) buffers.emplace_back(s.data(), s.size());
  stream_.tcp().expires_after(state_->options.write_timeout);
  asio::async_write(stream_, buffers,
                    [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                      self->OnWritten(ec, bytes);
                    });
}

void Connection::OnWritten(boost::system::error_code ec, size_t) {
  size_t total = 0;
  for (const std::string& s : in_flight_) total += s.size();
  in_flight_.clear();
  bool last = in_flight_last_;
  in_flight_last_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    buffered_bytes_ = total > buffered_bytes_ ? 0 : buffered_bytes_ - total;
  }
  drained_.notify_all();
  if (ec) {
    CloseSocket();
  } else if (last) {
    OnResponseDone();
  } else {
    DoWrite();
  }
}

void Connection::OnResponseDone() {
  if (phase_ == Phase::kClosed) return;
  if (close_after_response_ && !linger_ && !InputPending()) {
    CloseSocket();  // as Go's net/http, once the request was read in full
    return;
  }
  if (linger_ || close_after_response_) {
    LingeringClose();
    return;
  }
  WaitForRequest();
}

bool Connection::InputPending() {
  if (buffer_.size() > 0 || stream_.is_tls()) return true;
  char byte;
  return recv(stream_.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

void Connection::LingeringClose() {
  boost::system::error_code ec;
  stream_.tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.tcp().expires_after(kLingerTime);
  DrainInput();
}

void Connection::DrainInput() {
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (ec) {
                              self->CloseSocket();
                              return;
                            }
                            self->buffer_.commit(n);
                            self->DrainInput();
                          });
}

void Connection::CloseSocket() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  client_gone_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);  // no SendNow() is running or will run
    broken_ = true;
    queue_.clear();
  }
  drained_.notify_all();
  boost::system::error_code ec;
  stream_.tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.tcp().close();
  state_->ConnectionClosed(this);
}

}  // namespace sundial::web::internal
