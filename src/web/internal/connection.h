// Connection: one accepted TCP connection. Reads requests one at a time (so pipelined requests
// are answered in order), routes them, and writes what the request's ResponseStream queues.
//
// All socket work runs on the connection's strand, but for one: Enqueue() called off the io
// threads sends the bytes itself when nothing is queued or being written and the socket takes
// them at once (plain TCP only), so a response produced on a query thread needs no io thread.
// Lifetime: shared; the strand's pending operations and any live ResponseStream keep it alive.
#ifndef SUNDIAL_WEB_INTERNAL_CONNECTION_H_
#define SUNDIAL_WEB_INTERNAL_CONNECTION_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "web/internal/server_state.h"
#include "web/internal/server_stream.h"
#include "web/internal/web_security.h"

namespace sundial::web::internal {

class ResponseStream;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // security: the --web.config.file settings (TLS, basic auth, headers); null when none.
  Connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<Server::State> state,
             std::shared_ptr<const WebSecurity::Settings> security);

  // Starts the TLS handshake if any, then reads requests. Any thread.
  void Start();
  // Shutdown: closes the connection now if it waits for a request, else after the current one.
  void CloseIfIdle();
  // Closes the socket now; a blocked Enqueue() returns false.
  void ForceClose();

  // Queues response bytes; `last` marks the end of the response. From a non-io thread this blocks
  // while more than write_buffer_bytes are queued. Returns false once the connection is broken.
  bool Enqueue(std::string data, bool last);
  // The response being written ends with "Connection: close".
  void SetCloseAfterResponse() { close_after_response_ = true; }
  bool close_after_response() const { return close_after_response_; }
  // Breaks the connection after a handler failed mid-stream.
  void Abort() { ForceClose(); }

  const Server::State& state() const { return *state_; }
  // True once the client hung up during a response or the connection closed. Any thread.
  const std::atomic<bool>& client_gone() const { return client_gone_; }
  // Responder::RunAfterHandler: defers task on this io thread, outside the connection's strand.
  bool RunAfterHandler(std::function<void()>& task);

 private:
  enum class Phase { kIdle, kReading, kResponding, kClosed };

  void OnHandshake(boost::system::error_code ec);
  void WaitForRequest();
  // Plain TCP: moves what the socket holds now into buffer_ without blocking; false when it held
  // nothing (EOF and errors are left to the asynchronous read).
  bool ReceiveAvailable();
  void ReadRequest();
  // Feeds buffer_ to the parser until the header (or, with whole_request, the request) is parsed.
  // True when it was, or when the bytes are bad (*ec says why); false when more must be read.
  // The fast path of a request that arrived in full: it is handled within the current handler
  // rather than by a completion that Asio queues for whichever io thread is free.
  bool ParseBuffered(bool whole_request, boost::system::error_code* ec);
  void OnHeaderRead(boost::system::error_code ec);
  void ReadBody();
  void OnRequestRead(boost::system::error_code ec);
  // Answers a request that could not be read and closes the connection.
  void Reject(int status, std::string_view text);
  void HandleRequest();
  // While a response is produced, notices the client closing or resetting the connection (as Go's
  // http.Server cancels the request context). Stops at the first pipelined byte.
  void WatchForHangup();
  void OnReadableWhileResponding(boost::system::error_code ec);
  // Writes what the socket takes now without blocking; returns the bytes written (0 on any
  // error, which the queued write then meets). REQUIRES: mu_ held, !broken_, plain TCP.
  size_t SendNow(std::string_view data);
  void DoWrite();
  void OnWritten(boost::system::error_code ec, size_t bytes);
  void OnResponseDone();
  // Bytes the client sent that no request has read, which a close would answer with a reset that
  // can destroy the response. Always true over TLS (its close is left to LingeringClose).
  bool InputPending();
  // Closes our side for writing, then drains the client's input until it closes or kLingerTime.
  void LingeringClose();
  void DrainInput();
  void CloseSocket();

  std::shared_ptr<Server::State> state_;
  std::shared_ptr<const WebSecurity::Settings> security_;
  ServerStream stream_;
  std::string remote_address_;

  // Strand-only state.
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Phase phase_ = Phase::kIdle;
  std::vector<std::string> in_flight_;
  bool in_flight_last_ = false;
  bool linger_ = false;    // after a rejected request: drain input before closing
  bool watching_ = false;  // a WatchForHangup wait is pending
  std::atomic<bool> close_after_response_{false};
  std::atomic<bool> client_gone_{false};

  // Shared with response producers.
  std::mutex mu_;
  std::condition_variable drained_;
  std::vector<std::string> queue_;  // GUARDED_BY(mu_)
  bool queue_last_ = false;         // GUARDED_BY(mu_)
  bool write_scheduled_ = false;    // GUARDED_BY(mu_)
  bool writing_ = false;            // GUARDED_BY(mu_): an async write of in_flight_ is pending
  size_t buffered_bytes_ = 0;       // GUARDED_BY(mu_): queued + in flight
  bool broken_ = false;             // GUARDED_BY(mu_)
};

}  // namespace sundial::web::internal

#endif  // SUNDIAL_WEB_INTERNAL_CONNECTION_H_
