// The remote write receiver (Prometheus' /api/v1/write): decodes a remote write 1.0
// (prometheus.WriteRequest) or 2.0 (io.prometheus.write.v2.Request) body and appends its samples
// through a tsdb::Appendable. Free of HTTP server types so any front end can call it:
//
//   WriteResponse resp = HandleWrite({.content_type = req.Header("Content-Type"),
//                                     .content_encoding = req.Header("Content-Encoding"),
//                                     .body = req.body},
//                                    &head);
//   // answer resp.status with resp.headers and resp.body
//
// Behaviour (remote write specs 1.0 and 2.0, Prometheus' write handler):
// - 415 for a Content-Type other than application/x-protobuf with an optional
//   proto=prometheus.WriteRequest (the default) or proto=io.prometheus.write.v2.Request, and
//   for a Content-Encoding other than snappy (an absent one means snappy).
// - 413 for a body over max_body_bytes or a decoded size over max_decoded_bytes.
// - 400 for a body that is not snappy or not the protobuf message, and for any series with
//   invalid labels (names empty or not UTF-8, values not UTF-8, names unsorted or repeated,
//   no metric name) or, in 2.0, symbol references outside the symbols table. The whole request
//   is validated before anything is appended, so such a request writes nothing.
// - Samples the storage rejects one by one (out of order, duplicate, out of bounds, too old) are
//   skipped, the rest of the request is committed, and the answer is 400 naming the first
//   rejection and how many there were (2.x/3.x answer 400 for these too, so senders do not retry).
// - 500 when the storage fails otherwise (nothing committed); retrying may help.
// - 204 otherwise. 2.0 answers always carry X-Prometheus-Remote-Write-{Samples,Histograms,
//   Exemplars}-Written with what was written.
// - Exemplars go to the storage with their series (Appender::AppendExemplar), after its
//   samples. A refused exemplar never fails a 1.0 request (Prometheus logs it); in 2.0 an
//   out-of-order one is reported like a refused sample (400, the rest kept), as Prometheus 3.x.
// Metadata, histograms and created timestamps are decoded, validated and counted but not stored
// yet, so the histograms written count is 0.
// Never throws; any input yields a response.
//
// Thread-safety: HandleWrite may run concurrently; each call uses its own Appender.
#ifndef SUNDIAL_REMOTEWRITE_WRITE_HANDLER_H_
#define SUNDIAL_REMOTEWRITE_WRITE_HANDLER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tsdb/storage.h"

namespace sundial::remotewrite {

class SeriesCache;

struct WriteOptions {
  // Bytes of the compressed body (the HTTP server may enforce its own, lower limit first).
  size_t max_body_bytes = 32 << 20;
  // Bytes of the decompressed protobuf message.
  size_t max_decoded_bytes = 256 << 20;
  // Remote write 1.0 series already resolved in `appendable` (series_cache.h); not owned, may
  // be null. Use one cache per appendable.
  SeriesCache* series_cache = nullptr;
};

// The parts of an HTTP request the receiver looks at. Views; valid for the call.
struct WriteRequestInfo {
  std::string_view content_type;      // the Content-Type header, "" if absent
  std::string_view content_encoding;  // the Content-Encoding header, "" if absent
  std::string_view body;
};

// What one request carried and what of it was written, for self-metrics and tests.
struct WriteStats {
  uint64_t series = 0;
  uint64_t samples = 0;
  uint64_t samples_written = 0;
  uint64_t samples_rejected = 0;  // refused one by one by the storage (out of order, ...)
  uint64_t histograms = 0;
  uint64_t exemplars = 0;
  uint64_t exemplars_written = 0;  // accepted by the storage (also when it keeps none)
  uint64_t metadata = 0;
  uint64_t created_timestamps = 0;  // 2.0 series with a created timestamp
};

struct WriteResponse {
  int status = 204;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Content-Type, X-Prometheus-*
  std::string body;                                          // text/plain error message or ""
  WriteStats stats;
};

// Handles one remote write request; see the file comment. `appendable` is not owned.
WriteResponse HandleWrite(const WriteRequestInfo& request, tsdb::Appendable* appendable,
                          const WriteOptions& options = {});

}  // namespace sundial::remotewrite

#endif  // SUNDIAL_REMOTEWRITE_WRITE_HANDLER_H_
