#include "tsdb/wal/page_window.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "base/errno_error.h"
#include "base/status_macros.h"
#include "base/str_cat.h"

namespace sundial::tsdb::wal {

absl::StatusOr<std::unique_ptr<PageWindow>> PageWindow::Open(FileSystem* fs,
                                                             const std::string& path) {
  if (fs != FileSystem::Default()) {
    ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, fs->OpenReadable(path));
    std::unique_ptr<PageWindow> w(new PageWindow(path, static_cast<int64_t>(file->Size())));
    w->file_ = std::move(file);
    return w;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("stat", path, err);
  }
  std::unique_ptr<PageWindow> w(new PageWindow(path, static_cast<int64_t>(st.st_size)));
  w->fd_ = fd;
  return w;
}

PageWindow::~PageWindow() {
  if (map_ != nullptr) ::munmap(map_, map_len_);
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<const char*> PageWindow::View(int64_t start, int64_t len) {
  const auto n = static_cast<size_t>(len);
  if (fd_ < 0) {
    if (buf_.size() < n) buf_.resize(n);
    ASSIGN_OR_RETURN(std::string_view got,
                     file_->Read(static_cast<uint64_t>(start), n, buf_.data()));
    if (got.size() != n) {
      return absl::DataLossError(StrCat("short read in WAL segment ", path_, " at ", start));
    }
    return got.data();
  }
  if (map_ != nullptr) {
    ::munmap(map_, map_len_);
    map_ = nullptr;
  }
  if (n == 0) return static_cast<const char*>(nullptr);
  // Populated at once: one call maps the window's pages instead of a fault per few pages.
  void* p =
      ::mmap(nullptr, n, PROT_READ, MAP_SHARED | MAP_POPULATE, fd_, static_cast<off_t>(start));
  if (p == MAP_FAILED) return ErrnoError("mmap", path_, errno);
  map_ = p;
  map_len_ = n;
  return static_cast<const char*>(p);
}

}  // namespace sundial::tsdb::wal
