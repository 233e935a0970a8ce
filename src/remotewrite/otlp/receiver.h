// The OTLP/HTTP metrics receiver (Prometheus' /api/v1/otlp/v1/metrics): decodes an OTLP
// ExportMetricsServiceRequest (protobuf or JSON, optionally gzip), translates it to Prometheus
// series as Prometheus 3.x does (see internal/translate.h) and appends the samples through a
// tsdb::Appendable. Free of HTTP server types:
//
//   OtlpResponse resp = HandleOtlp({.content_type = req.Header("Content-Type"),
//                                   .content_encoding = req.Header("Content-Encoding"),
//                                   .body = req.body},
//                                  &db, {.config = cfg.otlp});
//   // answer resp.status with resp.headers and resp.body
//
// Behaviour (OTLP/HTTP specification, Prometheus' OTLP write handler):
// - 415 (text/plain) for a Content-Type other than application/x-protobuf or application/json,
//   or a Content-Encoding other than gzip or none.
// - 413 for a body over max_body_bytes or a decompressed body over max_decoded_bytes.
// - 400 for a body that is not gzip, protobuf or JSON as announced. Nothing is written.
// - Metrics and data points that cannot be translated (delta temporality, exponential
//   histograms, names that normalise to nothing) are skipped and the rest is written; the answer
//   is 200 with an ExportMetricsServiceResponse whose partial_success carries the number of
//   rejected data points and the error messages (Prometheus only logs these).
// - Samples the storage refuses one by one (out of order, duplicate, out of bounds, too old) are
//   skipped, the rest is committed, and the answer is 400 naming the first refusal, as
//   Prometheus answers (so that clients do not retry).
// - 500 when the storage fails otherwise (nothing committed): retrying may help.
// - 200 with an empty ExportMetricsServiceResponse otherwise.
// Responses other than 415 are encoded like the request (protobuf or JSON): success as
// ExportMetricsServiceResponse, errors as a google.rpc.Status with the message.
// Never throws; any input yields a response.
//
// Thread-safety: HandleOtlp may run concurrently; each call uses its own Appender.
#ifndef SUNDIAL_REMOTEWRITE_OTLP_RECEIVER_H_
#define SUNDIAL_REMOTEWRITE_OTLP_RECEIVER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "tsdb/storage.h"

namespace sundial::remotewrite::otlp {

struct OtlpOptions {
  // Bytes of the body as received (the HTTP server may enforce its own, lower limit first).
  size_t max_body_bytes = 32 << 20;
  // Bytes after gzip decompression.
  size_t max_decoded_bytes = 256 << 20;
  // The `otlp:` block of the configuration: translation strategy, promoted resource attributes,
  // keep_identifying_resource_attributes. convert_histograms_to_nhcb is not supported (classic
  // buckets are written).
  config::OtlpConfig config = {};
  // PromQL's lookback delta: target_info is written every half of it across a request's span.
  int64_t lookback_delta_ms = 5 * 60 * 1000;
};

// The parts of an HTTP request the receiver looks at. Views; valid for the call.
struct OtlpRequestInfo {
  std::string_view content_type = {};      // the Content-Type header, "" if absent
  std::string_view content_encoding = {};  // the Content-Encoding header, "" if absent
  std::string_view body = {};
};

// What one request carried and what of it was written, for self-metrics and tests.
struct OtlpStats {
  uint64_t data_points = 0;           // OTLP data points received
  uint64_t rejected_data_points = 0;  // not translated (reported as partial success)
  uint64_t exponential_histogram_points = 0;
  uint64_t samples = 0;            // Prometheus samples translated (target_info included)
  uint64_t samples_written = 0;    // committed
  uint64_t samples_rejected = 0;   // refused one by one by the storage
  uint64_t exemplars = 0;          // translated
  uint64_t exemplars_written = 0;  // accepted by the storage (also when it keeps none)
};

struct OtlpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type, ...
  std::string body;
  OtlpStats stats;
};

// Handles one OTLP metrics export request; see the file comment. `appendable` is not owned.
OtlpResponse HandleOtlp(const OtlpRequestInfo& request, tsdb::Appendable* appendable,
                        const OtlpOptions& options = {});

}  // namespace sundial::remotewrite::otlp

#endif  // SUNDIAL_REMOTEWRITE_OTLP_RECEIVER_H_
