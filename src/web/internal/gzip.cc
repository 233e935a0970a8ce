#include "web/internal/gzip.h"

#include <zlib.h>

#include <cstring>

namespace sundial::web::internal {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32K window, gzip wrapper
constexpr int kMemLevel = 8;
// The fastest level: on a 4.2 MB range answer (441 series x 241 points) zlib's level 1 takes 27 ms
// and compresses 8.7x, its default level 6 takes 103 ms for 11.2x. Answers are compressed on
// the query's thread, so CPU, not the bytes on the wire, is what a busy server runs out of.
constexpr int kLevel = Z_BEST_SPEED;

}  // namespace

struct GzipEncoder::Stream {
  z_stream z;
};

GzipEncoder::GzipEncoder() : stream_(std::make_unique<Stream>()) {
  std::memset(&stream_->z, 0, sizeof(stream_->z));
  // Only fails on bad parameters or out of memory; the latter ends the process anyway.
  deflateInit2(&stream_->z, kLevel, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY);
}

GzipEncoder::~GzipEncoder() { deflateEnd(&stream_->z); }

namespace {

void Deflate(z_stream* z, std::string_view in, int flush, std::string* out) {
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z->avail_in = static_cast<uInt>(in.size());
  char buf[16384];
  while (true) {
    z->next_out = reinterpret_cast<Bytef*>(buf);
    z->avail_out = sizeof(buf);
    int rc = deflate(z, flush);
    out->append(buf, sizeof(buf) - z->avail_out);
    if (rc == Z_STREAM_END || rc == Z_STREAM_ERROR) break;
    if (z->avail_out != 0 && z->avail_in == 0) break;  // all input consumed, output drained
  }
}

}  // namespace

void GzipEncoder::Compress(std::string_view in, std::string* out) {
  // avail_in is 32 bits; feed huge inputs in slices.
  constexpr size_t kSlice = size_t{1} << 30;
  while (!in.empty()) {
    std::string_view slice = in.substr(0, kSlice);
    Deflate(&stream_->z, slice, Z_NO_FLUSH, out);
    in.remove_prefix(slice.size());
  }
}

void GzipEncoder::Finish(std::string* out) { Deflate(&stream_->z, {}, Z_FINISH, out); }

std::string GzipCompress(std::string_view in) {
  GzipEncoder encoder;
  std::string out;
  out.reserve(in.size() / 4 + 64);
  encoder.Compress(in, &out);
  encoder.Finish(&out);
  return out;
}

}  // namespace sundial::web::internal
