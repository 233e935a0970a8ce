// ResponseStream: the server's Responder. Serializes status line and headers, compresses,
// frames chunks, and hands bytes to its Connection.
#ifndef SUNDIAL_WEB_INTERNAL_RESPONSE_STREAM_H_
#define SUNDIAL_WEB_INTERNAL_RESPONSE_STREAM_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "web/http_response.h"
#include "web/internal/gzip.h"

namespace sundial::web::internal {

class Connection;

struct ResponseContext {
  bool head = false;  // HEAD request: headers only
  bool gzip_accepted = false;
  bool keep_alive = true;
  bool http10 = false;
  std::string observed_handler;  // reported to the observer; empty: not reported
  // Set on the response before the handler runs (--web.config.file's http_server_config).
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

class ResponseStream final : public Responder {
 public:
  ResponseStream(std::shared_ptr<Connection> conn, ResponseContext ctx);
  // Completes an unanswered response with 500, or ends a started stream.
  ~ResponseStream() override;

  void SetStatus(int code) override;
  void SetHeader(std::string_view name, std::string_view value) override;
  void AddHeader(std::string_view name, std::string_view value) override;
  void DisableCompression() override;
  void Send(std::string body) override;
  bool Write(std::string_view chunk) override;
  void Finish() override;
  void Abort() override { FailFromException(); }
  bool started() const override { return state_ != State::kNew; }
  const std::atomic<bool>* client_gone() const override;
  bool RunAfterHandler(std::function<void()>& task) override;

  // A handler threw: 500 if nothing was sent, else the connection is broken off.
  void FailFromException();

 private:
  enum class State { kNew, kStreaming, kDone };

  std::string SerializeHead(std::optional<size_t> content_length, bool gzip, bool chunked);
  void StartStream();
  void Observe();

  std::shared_ptr<Connection> conn_;
  ResponseContext ctx_;
  int status_ = 200;
  std::vector<std::pair<std::string, std::string>> headers_;
  bool compression_allowed_ = true;
  State state_ = State::kNew;
  bool broken_ = false;
  bool chunked_ = false;
  std::unique_ptr<GzipEncoder> gzip_;
};

}  // namespace sundial::web::internal

#endif  // SUNDIAL_WEB_INTERNAL_RESPONSE_STREAM_H_
