// gzip (RFC 1952) compression with zlib, whole or streamed.
#ifndef SUNDIAL_WEB_INTERNAL_GZIP_H_
#define SUNDIAL_WEB_INTERNAL_GZIP_H_

#include <memory>
#include <string>
#include <string_view>

namespace sundial::web::internal {

// Streams one gzip member. Not thread-safe.
class GzipEncoder {
 public:
  GzipEncoder();
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  // Appends whatever compressed output is ready to *out (possibly nothing; zlib buffers input).
  void Compress(std::string_view in, std::string* out);
  // Flushes the rest and the gzip trailer. REQUIRES: called once; no Compress() after it.
  void Finish(std::string* out);

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
};

std::string GzipCompress(std::string_view in);

}  // namespace sundial::web::internal

#endif  // SUNDIAL_WEB_INTERNAL_GZIP_H_
