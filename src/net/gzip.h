// Gunzip for response bodies (Content-Encoding: gzip), with a limit on the decoded size so a
// small compressed body cannot expand without bound. Internal to net/.
#ifndef SUNDIAL_NET_GZIP_H_
#define SUNDIAL_NET_GZIP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sundial::net {

// Decodes one or more concatenated gzip members. max_bytes 0 means unlimited; beyond it the
// error is ResourceExhausted "body size limit exceeded ...". Corrupt input is InvalidArgument.
absl::StatusOr<std::string> Gunzip(std::string_view compressed, uint64_t max_bytes);

// The error used whenever a body grows past the configured limit.
absl::Status BodySizeLimitError(uint64_t max_bytes);

}  // namespace sundial::net

#endif  // SUNDIAL_NET_GZIP_H_
