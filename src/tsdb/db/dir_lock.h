// DirLock: an exclusive lock on a data directory, so two DBs never write one WAL.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<DirLock> lock, DirLock::Acquire(fs, "data"));
//   ...                                   // released when lock is destroyed
//
// On the POSIX file system it is flock(2) on dir/lock, like Prometheus: it excludes other
// processes and other DBs in this process, and the kernel drops it when the process dies (even
// by kill -9), so a crashed server never leaves a stale lock behind. On any other FileSystem
// (tests) it excludes other DirLocks of the same FileSystem and dir in this process.
#ifndef SUNDIAL_TSDB_DB_DIR_LOCK_H_
#define SUNDIAL_TSDB_DB_DIR_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/file_system.h"

namespace sundial::tsdb {

class DirLock {
 public:
  // Creates dir/lock if needed and locks it. Fails with FailedPrecondition ("lock DB directory
  // ...: resource temporarily unavailable") if someone else holds it. REQUIRES: dir exists.
  static absl::StatusOr<std::unique_ptr<DirLock>> Acquire(FileSystem* fs, const std::string& dir);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  DirLock(std::string key, int fd) : key_(std::move(key)), fd_(fd) {}

  const std::string key_;  // identifies (fs, dir) in the in-process registry
  const int fd_;           // the flock'ed file, -1 when not on the POSIX file system
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_DIR_LOCK_H_
