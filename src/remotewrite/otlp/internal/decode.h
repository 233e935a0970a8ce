// Decoding of OTLP/HTTP metrics request bodies: Content-Type and Content-Encoding negotiation,
// gzip with a size limit, protobuf and JSON (the protobuf JSON mapping OTLP/JSON uses).
#ifndef SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_DECODE_H_
#define SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_DECODE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "remotewrite/otlp/metrics.pb.h"

namespace sundial::remotewrite::otlp {

enum class BodyFormat { kProtobuf, kJson };

// "application/x-protobuf" or "application/json", case-insensitively, parameters ignored.
// InvalidArgument naming both otherwise.
absl::StatusOr<BodyFormat> ParseContentType(std::string_view content_type);

// True for "" and "identity" (case-insensitive) and "gzip"; sets *gzip for the latter.
bool ParseContentEncoding(std::string_view content_encoding, bool* gzip);

// Inflates a gzip stream (concatenated members too). OutOfRange when the result would exceed
// max_bytes; InvalidArgument for corrupt or truncated input.
absl::StatusOr<std::string> Gunzip(std::string_view body, size_t max_bytes);

// Parses body into *request. InvalidArgument with a short reason on failure. Unknown JSON
// fields are ignored, as OTLP requires.
absl::Status ParseRequest(std::string_view body, BodyFormat format,
                          sundial::otlp::ExportMetricsServiceRequest* request);

}  // namespace sundial::remotewrite::otlp

#endif  // SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_DECODE_H_
