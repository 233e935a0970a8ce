// Responder: how a handler answers one request. Beast-free.
//
// Either send the whole body at once:
//   resp->SetContentType("application/json");
//   resp->Send(std::move(json));
// or stream it with chunked transfer encoding, memory bounded by the server's write buffer:
//   resp->SetContentType("application/json");
//   for (...) if (!resp->Write(piece)) return;   // false: client gone, stop producing
//   resp->Finish();
//
// Threading and lifetime: handlers receive a std::shared_ptr<Responder>. A handler may answer
// before it returns, or keep the pointer and answer later from any thread (e.g. the query pool).
// Calls on one Responder must not overlap (one producer at a time). If the last reference is
// dropped without Send()/Finish(), the server answers 500 (or ends a started stream).
//
// Flow control: Write() BLOCKS the calling thread while more than ServerOptions::write_buffer_bytes
// are queued for a slow client, and returns false once the connection is broken or timed out.
// Called on an io thread (a handler answering synchronously), Write() never blocks and buffers
// without bound, so stream large bodies from a non-io thread.
//
// Compression: when the request sent "Accept-Encoding: gzip", the body is gzip-compressed unless
// the handler calls DisableCompression() first (for already-compressed payloads such as snappy).
#ifndef SUNDIAL_WEB_HTTP_RESPONSE_H_
#define SUNDIAL_WEB_HTTP_RESPONSE_H_

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

namespace sundial::web {

class Responder {
 public:
  virtual ~Responder() = default;

  // Status and header setters take effect only before the first Send()/Write(); later calls are
  // ignored. The default status is 200.
  virtual void SetStatus(int code) = 0;
  // Replaces every field with this name (case-insensitive). Content-Length, Transfer-Encoding and
  // Connection are managed by the server and ignored here.
  virtual void SetHeader(std::string_view name, std::string_view value) = 0;
  // Appends a field, keeping existing ones with the same name.
  virtual void AddHeader(std::string_view name, std::string_view value) = 0;
  void SetContentType(std::string_view value) { SetHeader("Content-Type", value); }
  virtual void DisableCompression() = 0;

  // Sends status, headers and the whole body with a Content-Length. Completes the response.
  // REQUIRES: neither Send() nor Write() was called before.
  virtual void Send(std::string body) = 0;
  // Convenience: SetStatus(code), text/plain; charset=utf-8, Send(text).
  void SendText(int code, std::string text) {
    SetStatus(code);
    SetContentType("text/plain; charset=utf-8");
    Send(std::move(text));
  }

  // Streams one piece of the body (the first call sends the headers). Returns false when the
  // client is gone; later calls then return false at once. See "Flow control" above.
  // REQUIRES: Send() and Finish() were not called.
  virtual bool Write(std::string_view chunk) = 0;
  // Ends a streamed response (sends headers first if nothing was written). Completes it.
  virtual void Finish() = 0;

  // Ends the response as failed: 500 if nothing was sent yet, else the connection is broken off
  // so the client sees an incomplete body instead of a complete one. Completes it.
  virtual void Abort() = 0;

  // True once Send() or Write() was called (the status line can no longer change).
  virtual bool started() const = 0;

  // A flag that becomes true when the client goes away (closes or resets its connection) before
  // the response is complete, so long-running handlers can stop working, e.g. as a query's
  // cancel flag. Valid as long as this Responder; null when the transport cannot tell.
  virtual const std::atomic<bool>* client_gone() const { return nullptr; }

  // Runs task on the calling io thread once the handler has returned, instead of handing it to
  // another thread: for work that answers this request, it saves the wake-up of that thread.
  // While task runs, the connection is served as for an answer from another thread
  // (client_gone() works, Write() may block). Returns true if task was taken (moved from).
  // Returns false, leaving task alone, off an io thread or when every io thread but one
  // already runs such a task, so that I/O never stops.
  virtual bool RunAfterHandler(std::function<void()>& /*task*/) { return false; }
};

}  // namespace sundial::web

#endif  // SUNDIAL_WEB_HTTP_RESPONSE_H_
