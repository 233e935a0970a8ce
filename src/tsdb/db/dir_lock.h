// DirLock: an exclusive lock on a data directory, so two DBs never write one WAL.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<DirLock> lock, DirLock::Acquire(fs, "data"));
//   ...                                   // released when lock is destroyed
//
// On the POSIX file system it is flock(2) on dir/lock, like Prometheus: it excludes other
// processes and other DBs in this process, and the kernel drops it when the process dies (even
// by kill -9), so a crashed server never leaves a stale lock behind. On any other FileSystem
// (tests) it excludes other DirLocks of the same FileSystem and dir in this process.
//
// As Prometheus' DirLocker, the lock file is removed when the lock is released (POSIX only), so
// a lock file found at Acquire was left by a process that did not shut down cleanly.
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

  // No lock file was there before Acquire (Prometheus' prometheus_tsdb_clean_start).
  bool clean_start() const { return clean_start_; }

 private:
  DirLock(std::string key, std::string path, int fd, bool clean_start)
      : key_(std::move(key)), path_(std::move(path)), fd_(fd), clean_start_(clean_start) {}

  const std::string key_;   // identifies (fs, dir) in the in-process registry
  const std::string path_;  // dir/lock
  const int fd_;            // the flock'ed file, -1 when not on the POSIX file system
  const bool clean_start_;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_DIR_LOCK_H_
