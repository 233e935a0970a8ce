// Remote write 2.0: one decompressed io.prometheus.write.v2.Request into the storage.
#ifndef SUNDIAL_REMOTEWRITE_INTERNAL_WRITE_V2_H_
#define SUNDIAL_REMOTEWRITE_INTERNAL_WRITE_V2_H_

#include <string_view>

#include "remotewrite/write_handler.h"
#include "tsdb/storage.h"

namespace sundial::remotewrite {

// Parses `message`, resolves and validates every series (label, exemplar and metadata symbol
// references must lie inside the symbols table), then appends all samples through one Appender
// and fills status, body and stats of `response` (see write_handler.h). Does not set the
// X-Prometheus-Remote-Write-*-Written headers. REQUIRES: message.size() <= INT_MAX.
void WriteV2(std::string_view message, tsdb::Appendable* appendable, WriteResponse* response);

}  // namespace sundial::remotewrite

#endif  // SUNDIAL_REMOTEWRITE_INTERNAL_WRITE_V2_H_
