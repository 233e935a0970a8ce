// The HTTP adapter of the remote write receiver (remotewrite/write_handler.h):
//
//   router.Post("/api/v1/write", web::RemoteWriteHandler(&db));
//
// The handler answers synchronously on the io thread (decoding is CPU-bound but bounded by the
// body limit). The server's max_body_bytes caps the body before the receiver sees it.
#ifndef SUNDIAL_WEB_REMOTE_WRITE_HANDLER_H_
#define SUNDIAL_WEB_REMOTE_WRITE_HANDLER_H_

#include "remotewrite/write_handler.h"
#include "tsdb/storage.h"
#include "web/router.h"

namespace sundial::web {

// A handler that feeds each request to remotewrite::HandleWrite. `appendable` is not owned and
// must outlive the router.
Handler RemoteWriteHandler(tsdb::Appendable* appendable, remotewrite::WriteOptions options = {});

}  // namespace sundial::web

#endif  // SUNDIAL_WEB_REMOTE_WRITE_HANDLER_H_
