#include "tsdb/db/dir_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "absl/synchronization/mutex.h"
#include "base/status_macros.h"
#include "base/str_cat.h"

namespace sundial::tsdb {
namespace {

absl::Mutex registry_mu(absl::kConstInit);

std::set<std::string>& Held() ABSL_EXCLUSIVE_LOCKS_REQUIRED(registry_mu) {
  static auto* held = new std::set<std::string>();
  return *held;
}

absl::Status Busy(const std::string& dir, std::string_view why) {
  return absl::FailedPreconditionError(StrCat("lock DB directory ", dir, ": ", why,
                                              " (is another Sundial or Prometheus using it?)"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<DirLock>> DirLock::Acquire(FileSystem* fs, const std::string& dir) {
  const std::string path = JoinPath(dir, "lock");
  const std::string key = StrCat(reinterpret_cast<uintptr_t>(fs), ":", path);
  absl::MutexLock lock(&registry_mu);
  if (Held().contains(key)) return Busy(dir, "resource temporarily unavailable");
  int fd = -1;
  ASSIGN_OR_RETURN(const bool existed, fs->Exists(path));
  if (fs == FileSystem::Default()) {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return absl::InternalError(StrCat("open ", path, ": ", std::strerror(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      return Busy(dir, std::strerror(err));
    }
  } else {
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->OpenWritable(path, OpenMode::kAppend));
    RETURN_IF_ERROR(f->Close());
  }
  Held().insert(key);
  return std::unique_ptr<DirLock>(new DirLock(key, path, fd, !existed));
}

DirLock::~DirLock() {
  absl::MutexLock lock(&registry_mu);
  Held().erase(key_);
  if (fd_ >= 0) {
    ::unlink(path_.c_str());  // while still locked, as the last thing the holder does
    ::close(fd_);             // closing the descriptor releases the flock
  }
}

}  // namespace sundial::tsdb
