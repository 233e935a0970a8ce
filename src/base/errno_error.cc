#include "base/errno_error.h"

#include <cerrno>
#include <cstring>

#include "base/str_cat.h"

namespace sundial {

absl::Status ErrnoError(std::string_view what, const std::string& path, int err) {
  std::string msg = StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EEXIST:
      return absl::AlreadyExistsError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case ENOSPC:
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace sundial
