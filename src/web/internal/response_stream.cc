#include "web/internal/response_stream.h"

#include <time.h>

#include <boost/beast/http/status.hpp>

#include "base/str_cat.h"
#include "web/internal/connection.h"
#include "web/internal/url.h"

namespace sundial::web::internal {
namespace {

// Fields the server writes itself.
bool IsManagedHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection");
}

// Like Go's Header.Write: no header injection through CR or LF.
std::string Sanitize(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

std::string HttpDate() {
  time_t now = time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
           kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// 1xx, 204 and 304 responses carry no body.
bool StatusHasBody(int code) { return !(code < 200 || code == 204 || code == 304); }

void AppendChunk(std::string_view data, std::string* out) {
  char size[20];
  int n = snprintf(size, sizeof size, "%zx\r\n", data.size());
  out->append(size, static_cast<size_t>(n));
  out->append(data);
  out->append("\r\n");
}

}  // namespace

ResponseStream::ResponseStream(std::shared_ptr<Connection> conn, ResponseContext ctx)
    : conn_(std::move(conn)), ctx_(std::move(ctx)) {
  for (const auto& [name, value] : ctx_.extra_headers) SetHeader(name, value);
}

ResponseStream::~ResponseStream() {
  if (state_ == State::kNew) {
    SendText(500, "handler did not respond\n");
  } else if (state_ == State::kStreaming) {
    Finish();
  }
}

void ResponseStream::SetStatus(int code) {
  if (state_ == State::kNew) status_ = code;
}

void ResponseStream::SetHeader(std::string_view name, std::string_view value) {
  if (state_ != State::kNew || IsManagedHeader(name)) return;
  std::erase_if(headers_, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  headers_.emplace_back(Sanitize(name), Sanitize(value));
}

void ResponseStream::AddHeader(std::string_view name, std::string_view value) {
  if (state_ != State::kNew || IsManagedHeader(name)) return;
  headers_.emplace_back(Sanitize(name), Sanitize(value));
}

void ResponseStream::DisableCompression() {
  if (state_ == State::kNew) compression_allowed_ = false;
}

std::string ResponseStream::SerializeHead(std::optional<size_t> content_length, bool gzip,
                                          bool chunked) {
  bool close = !ctx_.keep_alive || conn_->close_after_response() || conn_->state().shutting_down();
  if (close) conn_->SetCloseAfterResponse();
  std::string out;
  std::string_view reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status_));
  StrAppend(&out, ctx_.http10 ? "HTTP/1.0 " : "HTTP/1.1 ", status_, " ", reason, "\r\n");
  bool has_type = false;
  for (const auto& [name, value] : headers_) {
    if (EqualsIgnoreCase(name, "Content-Type")) has_type = true;
    StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (!has_type && StatusHasBody(status_)) {
    out.append("Content-Type: text/plain; charset=utf-8\r\n");
  }
  StrAppend(&out, "Date: ", HttpDate(), "\r\n");
  if (gzip) out.append("Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
  if (content_length) StrAppend(&out, "Content-Length: ", *content_length, "\r\n");
  if (chunked) out.append("Transfer-Encoding: chunked\r\n");
  if (close) {
    out.append("Connection: close\r\n");
  } else if (ctx_.http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  return out;
}

void ResponseStream::Send(std::string body) {
  if (state_ != State::kNew) return;
  state_ = State::kDone;
  bool has_body = StatusHasBody(status_);
  bool gzip = has_body && compression_allowed_ && ctx_.gzip_accepted && !ctx_.head && !body.empty();
  if (gzip) body = GzipCompress(body);
  std::optional<size_t> length;
  if (has_body) length = body.size();
  std::string out = SerializeHead(length, gzip, /*chunked=*/false);
  if (has_body && !ctx_.head) {
    if (body.size() <= 64 * 1024) {
      out.append(body);
      body.clear();
    } else {
      conn_->Enqueue(std::move(out), /*last=*/false);
      out = std::move(body);
    }
  }
  Observe();  // before the last bytes, which may reach the client at once
  broken_ = !conn_->Enqueue(std::move(out), /*last=*/true);
}

void ResponseStream::StartStream() {
  state_ = State::kStreaming;
  bool has_body = StatusHasBody(status_);
  chunked_ = has_body && !ctx_.http10;
  if (has_body && !chunked_) conn_->SetCloseAfterResponse();  // HTTP/1.0: EOF ends the body
  bool gzip = has_body && compression_allowed_ && ctx_.gzip_accepted && !ctx_.head;
  if (gzip) gzip_ = std::make_unique<GzipEncoder>();
  broken_ = !conn_->Enqueue(SerializeHead(std::nullopt, gzip, chunked_), /*last=*/false);
}

const std::atomic<bool>* ResponseStream::client_gone() const { return &conn_->client_gone(); }

bool ResponseStream::RunAfterHandler(std::function<void()>& task) {
  return conn_->RunAfterHandler(task);
}

bool ResponseStream::Write(std::string_view chunk) {
  if (state_ == State::kDone || broken_) return false;
  if (state_ == State::kNew) StartStream();
  if (broken_) return false;
  if (ctx_.head || !StatusHasBody(status_) || chunk.empty()) return true;
  std::string data;
  if (gzip_) {
    gzip_->Compress(chunk, &data);
    if (data.empty()) return true;
  }
  std::string_view payload = gzip_ ? std::string_view(data) : chunk;
  std::string frame;
  if (chunked_) {
    frame.reserve(payload.size() + 16);
    AppendChunk(payload, &frame);
  } else {
    frame.assign(payload);
  }
  broken_ = !conn_->Enqueue(std::move(frame), /*last=*/false);
  return !broken_;
}

void ResponseStream::Finish() {
  if (state_ == State::kDone) return;
  if (state_ == State::kNew) StartStream();
  state_ = State::kDone;
  std::string tail;
  if (!ctx_.head && StatusHasBody(status_)) {
    std::string data;
    if (gzip_) gzip_->Finish(&data);
    if (chunked_) {
      if (!data.empty()) AppendChunk(data, &tail);
      tail.append("0\r\n\r\n");
    } else {
      tail = std::move(data);
    }
  }
  Observe();
  broken_ = !conn_->Enqueue(std::move(tail), /*last=*/true) || broken_;
}

void ResponseStream::FailFromException() {
  if (state_ == State::kNew) {
    headers_.clear();
    compression_allowed_ = false;
    SendText(500, "500 Internal Server Error\n");
  } else if (state_ == State::kStreaming) {
    state_ = State::kDone;
    status_ = 500;
    conn_->Abort();
    Observe();
  }
}

void ResponseStream::Observe() {
  if (ctx_.observed_handler.empty() || !conn_->state().options.observer) return;
  conn_->state().options.observer(ctx_.observed_handler, status_,
                                  std::chrono::steady_clock::now() - ctx_.start);
}

}  // namespace sundial::web::internal
