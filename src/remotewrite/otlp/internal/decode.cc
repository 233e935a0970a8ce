#include "remotewrite/otlp/internal/decode.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "base/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace sundial::remotewrite::otlp {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

absl::StatusOr<BodyFormat> ParseContentType(std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  if (EqualsIgnoreCase(media, "application/x-protobuf")) return BodyFormat::kProtobuf;
  if (EqualsIgnoreCase(media, "application/json")) return BodyFormat::kJson;
  return absl::InvalidArgumentError(
      StrCat("unsupported content type: ", content_type,
             ", supported: [application/json, application/x-protobuf]"));
}

bool ParseContentEncoding(std::string_view content_encoding, bool* gzip) {
  std::string_view e = Trim(content_encoding);
  *gzip = EqualsIgnoreCase(e, "gzip");
  return *gzip || e.empty() || EqualsIgnoreCase(e, "identity");
}

absl::StatusOr<std::string> Gunzip(std::string_view body, size_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return absl::InternalError("zlib init failed");
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(body.size(), UINT_MAX));
  absl::Status status;
  char buf[64 << 10];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof buf - zs.avail_out;
    if (out.size() + produced > max_bytes) {
      status = absl::OutOfRangeError(
          StrCat("decompressed body exceeds the limit of ", max_bytes, " bytes"));
      break;
    }
    out.append(buf, produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (as Go's gzip reader accepts).
      if (inflateReset(&zs) != Z_OK) {
        status = absl::InvalidArgumentError("gzip: invalid header");
        break;
      }
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      status = absl::InvalidArgumentError("gzip: unexpected EOF");
    } else {
      status = absl::InvalidArgumentError(
          StrCat("gzip: ", zs.msg != nullptr ? zs.msg : "invalid compressed data"));
    }
    break;
  }
  inflateEnd(&zs);
  if (!status.ok()) return status;
  return out;
}

absl::Status ParseRequest(std::string_view body, BodyFormat format,
                          sundial::otlp::ExportMetricsServiceRequest* request) {
  if (format == BodyFormat::kProtobuf) {
    if (body.size() > INT_MAX ||
        !request->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      return absl::InvalidArgumentError(
          "cannot decode ExportMetricsServiceRequest: invalid protobuf");
    }
    return absl::OkStatus();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), request, options);
  if (!status.ok()) {
    auto message = status.message();
    return absl::InvalidArgumentError(
        StrCat("cannot decode ExportMetricsServiceRequest: invalid JSON: ",
               std::string_view(message.data(), message.size())));
  }
  return absl::OkStatus();
}

}  // namespace sundial::remotewrite::otlp
