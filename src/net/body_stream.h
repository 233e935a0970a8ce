// BodyStream: hands a response body to the caller piece by piece as it arrives, for responses
// that stay open (a Kubernetes watch: chunked, newline-delimited JSON, minutes long) instead of
// collecting it in Response::body.
//
//   auto stream = std::make_shared<BodyStream>([](std::string_view data) { ... });
//   client->Do({.url = watch_url, .stream = stream}, [](absl::StatusOr<Response> r) { ... });
//   ...
//   stream->Cancel();   // closes the connection; done then gets Cancelled "context canceled"
//
// Only a 2xx body is streamed; any other status is read whole into Response::body as usual.
// When the streamed body ends normally, done gets the Response with an empty body. A streaming
// request never asks for gzip. on_data runs on a pool thread, one call at a time, before done.
#ifndef SUNDIAL_NET_BODY_STREAM_H_
#define SUNDIAL_NET_BODY_STREAM_H_

#include <functional>
#include <mutex>
#include <string_view>

namespace sundial::net {

class BodyStream {
 public:
  using DataFn = std::function<void(std::string_view data)>;

  explicit BodyStream(DataFn on_data) : on_data_(std::move(on_data)) {}
  BodyStream(const BodyStream&) = delete;
  BodyStream& operator=(const BodyStream&) = delete;

  // Aborts the request at whatever stage it is. Thread-safe and idempotent; may be called
  // before the request starts (it then fails at once).
  void Cancel();
  bool cancelled() const;

  // For the HTTP client: how to abort the running exchange (run at once if already cancelled),
  // and the delivery of body data.
  void SetCanceller(std::function<void()> cancel);
  void Deliver(std::string_view data) const { on_data_(data); }

 private:
  const DataFn on_data_;
  mutable std::mutex mu_;
  bool cancelled_ = false;             // guarded by mu_
  std::function<void()> canceller_{};  // guarded by mu_
};

}  // namespace sundial::net

#endif  // SUNDIAL_NET_BODY_STREAM_H_
