#include "net/gzip.h"

#include <zlib.h>

#include "base/str_cat.h"

namespace sundial::net {

absl::Status BodySizeLimitError(uint64_t max_bytes) {
  return absl::ResourceExhaustedError(
      StrCat("body size limit exceeded: response body larger than ", max_bytes, " bytes"));
}

absl::StatusOr<std::string> Gunzip(std::string_view compressed, uint64_t max_bytes) {
  z_stream zs = {};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return absl::InternalError("gzip: inflateInit failed");
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  char buf[16384];
  absl::Status status;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      status = absl::InvalidArgumentError(StrCat("gzip: invalid compressed body",
                                                 zs.msg != nullptr ? ": " : "",
                                                 zs.msg != nullptr ? zs.msg : ""));
      break;
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (max_bytes != 0 && out.size() > max_bytes) {
      status = BodySizeLimitError(max_bytes);
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // another gzip member follows
      continue;
    }
    if (zs.avail_in == 0 && zs.avail_out != 0) {
      status = absl::InvalidArgumentError("gzip: unexpected EOF");
      break;
    }
  }
  inflateEnd(&zs);
  if (!status.ok()) return status;
  return out;
}

}  // namespace sundial::net
