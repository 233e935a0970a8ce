// Remote write 1.0: one decompressed prometheus.WriteRequest into the storage.
#ifndef SUNDIAL_REMOTEWRITE_INTERNAL_WRITE_V1_H_
#define SUNDIAL_REMOTEWRITE_INTERNAL_WRITE_V1_H_

#include <string_view>

#include "remotewrite/write_handler.h"
#include "tsdb/storage.h"

namespace sundial::remotewrite {

class SeriesCache;

// Decodes `message` in place (views, no message objects), validates every series, then appends
// all samples through one Appender and fills status, body and stats of `response` (see
// write_handler.h for the statuses). Series found in `cache` (may be null) skip validation and
// are appended by ref; the others are cached once appended.
void WriteV1(std::string_view message, tsdb::Appendable* appendable, SeriesCache* cache,
             WriteResponse* response);

}  // namespace sundial::remotewrite

#endif  // SUNDIAL_REMOTEWRITE_INTERNAL_WRITE_V1_H_
