// ErrnoError: a failed system call on a path as an absl::Status, e.g.
//   "open /data/wal/00000003: No such file or directory" (NotFound).
// The code follows errno: ENOENT NotFound, EEXIST AlreadyExists, EACCES/EPERM PermissionDenied,
// ENOSPC ResourceExhausted, anything else Internal.
#ifndef SUNDIAL_BASE_ERRNO_ERROR_H_
#define SUNDIAL_BASE_ERRNO_ERROR_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace sundial {

absl::Status ErrnoError(std::string_view what, const std::string& path, int err);

}  // namespace sundial

#endif  // SUNDIAL_BASE_ERRNO_ERROR_H_
