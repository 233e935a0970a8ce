// Content negotiation of remote write requests: which protobuf message a Content-Type announces.
#ifndef SUNDIAL_REMOTEWRITE_INTERNAL_CONTENT_TYPE_H_
#define SUNDIAL_REMOTEWRITE_INTERNAL_CONTENT_TYPE_H_

#include <string_view>

#include "absl/status/statusor.h"

namespace sundial::remotewrite {

enum class ProtoMessage {
  kV1,  // prometheus.WriteRequest (remote write 1.0)
  kV2,  // io.prometheus.write.v2.Request (remote write 2.0)
};

// "application/x-protobuf" with an optional proto=<message> parameter (other parameters are
// ignored); no parameter, or an empty Content-Type, means 1.0 as in Prometheus. Media type and
// parameter names are case-insensitive. Fails (InvalidArgument, a message for the client) on
// another media type, a malformed parameter or an unknown message.
absl::StatusOr<ProtoMessage> ParseContentType(std::string_view content_type);

// True iff a Content-Encoding is acceptable: absent (Prometheus assumes snappy) or "snappy".
bool IsSnappyEncoding(std::string_view content_encoding);

}  // namespace sundial::remotewrite

#endif  // SUNDIAL_REMOTEWRITE_INTERNAL_CONTENT_TYPE_H_
