#include "remotewrite/write_handler.h"

#include <climits>
#include <exception>

#include "base/str_cat.h"
#include "remotewrite/internal/content_type.h"
#include "remotewrite/internal/sample_sink.h"
#include "remotewrite/internal/write_v1.h"
#include "remotewrite/internal/write_v2.h"
#include "snappy.h"

namespace sundial::remotewrite {
namespace {

// A 3-byte copy element yields 64 bytes.
constexpr size_t kMaxSnappyExpansion = 22;

void AddWrittenHeaders(WriteResponse* response) {
  const WriteStats& s = response->stats;
  response->headers.emplace_back("X-Prometheus-Remote-Write-Samples-Written",
                                 StrCat(s.samples_written));
  // Histograms are not stored yet.
  response->headers.emplace_back("X-Prometheus-Remote-Write-Histograms-Written", "0");
  response->headers.emplace_back("X-Prometheus-Remote-Write-Exemplars-Written",
                                 StrCat(s.exemplars_written));
}

void Handle(const WriteRequestInfo& request, tsdb::Appendable* appendable,
            const WriteOptions& options, ProtoMessage message, WriteResponse* response) {
  if (request.body.size() > options.max_body_bytes) {
    SetError(response, 413,
             StrCat("body of ", request.body.size(), " bytes exceeds the limit of ",
                    options.max_body_bytes));
    return;
  }
  size_t decoded_size = 0;
  if (!snappy::GetUncompressedLength(request.body.data(), request.body.size(), &decoded_size)) {
    SetError(response, 400, "snappy: corrupt input");
    return;
  }
  const size_t max_decoded = std::min<size_t>(options.max_decoded_bytes, INT_MAX);
  if (decoded_size > max_decoded) {
    SetError(
        response, 413,
        StrCat("decompressed body of ", decoded_size, " bytes exceeds the limit of ", max_decoded));
    return;
  }
  // No snappy element expands more than kMaxSnappyExpansion times, so a larger declared size is
  // a lie; rejecting it keeps a tiny body from making us allocate max_decoded_bytes.
  if (decoded_size / kMaxSnappyExpansion > request.body.size()) {
    SetError(response, 400, "snappy: corrupt input");
    return;
  }
  std::string decoded;
  if (!snappy::Uncompress(request.body.data(), request.body.size(), &decoded)) {
    SetError(response, 400, "snappy: corrupt input");
    return;
  }
  if (message == ProtoMessage::kV1) {
    WriteV1(decoded, appendable, options.series_cache, response);
  } else {
    WriteV2(decoded, appendable, response);
  }
}

}  // namespace

WriteResponse HandleWrite(const WriteRequestInfo& request, tsdb::Appendable* appendable,
                          const WriteOptions& options) {
  WriteResponse response;
  absl::StatusOr<ProtoMessage> message = ParseContentType(request.content_type);
  if (!message.ok()) {
    SetError(&response, 415, AsStd(message.status().message()));
    return response;
  }
  if (!IsSnappyEncoding(request.content_encoding)) {
    SetError(&response, 415,
             StrCat("unsupported Content-Encoding \"", request.content_encoding,
                    "\": only snappy is accepted"));
    return response;
  }
  try {
    Handle(request, appendable, options, *message, &response);
  } catch (const std::exception& e) {  // e.g. std::bad_alloc; never let it reach the server
    response = WriteResponse{};
    SetError(&response, 500, StrCat("internal error: ", e.what()));
  }
  if (*message == ProtoMessage::kV2) AddWrittenHeaders(&response);
  return response;
}

}  // namespace sundial::remotewrite
