#include "tsdb/block/file_bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/errno_error.h"
#include "base/status_macros.h"

namespace sundial::tsdb::block {

std::unique_ptr<FileBytes> FileBytes::FromString(std::string data) {
  std::unique_ptr<FileBytes> f(new FileBytes);
  f->owned_ = std::move(data);
  f->view_ = f->owned_;
  return f;
}

absl::StatusOr<std::unique_ptr<FileBytes>> FileBytes::Open(FileSystem* fs,
                                                           const std::string& path) {
  if (fs != FileSystem::Default()) {
    ASSIGN_OR_RETURN(std::string data, fs->ReadFile(path));
    return FromString(std::move(data));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError("stat", path, err);
  }
  std::unique_ptr<FileBytes> f(new FileBytes);
  if (st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return ErrnoError("mmap", path, err);
    }
    f->map_ = p;
    f->map_size_ = static_cast<size_t>(st.st_size);
    f->view_ = std::string_view(static_cast<const char*>(p), f->map_size_);
  }
  ::close(fd);  // the mapping stays valid
  return f;
}

FileBytes::~FileBytes() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

}  // namespace sundial::tsdb::block
