// PageWindow: a read-only window over whole WAL pages of one segment file, moved forward as the
// reader advances. On the POSIX file system (FileSystem::Default()) the window is memory-mapped,
// so replay decodes records where they lie in the page cache instead of copying every segment
// through a buffer; on other file systems (MemFileSystem and fault injection in tests) it is read
// into a buffer.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<PageWindow> w, PageWindow::Open(fs, path));
//   ASSIGN_OR_RETURN(const char* p, w->View(start, len));   // bytes [start, start + len)
//
// The file must not shrink while it is open (the WAL is not written or repaired while read).
#ifndef SUNDIAL_TSDB_WAL_PAGE_WINDOW_H_
#define SUNDIAL_TSDB_WAL_PAGE_WINDOW_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/file_system.h"

namespace sundial::tsdb::wal {

class PageWindow {
 public:
  static absl::StatusOr<std::unique_ptr<PageWindow>> Open(FileSystem* fs, const std::string& path);
  ~PageWindow();
  PageWindow(const PageWindow&) = delete;
  PageWindow& operator=(const PageWindow&) = delete;

  // The file's size when it was opened.
  int64_t size() const { return size_; }

  // The bytes [start, start + len) of the file, valid until the next View or the destructor.
  // REQUIRES: start is a multiple of 4096 and start + len <= size().
  absl::StatusOr<const char*> View(int64_t start, int64_t len);

 private:
  PageWindow(std::string path, int64_t size) : path_(std::move(path)), size_(size) {}

  const std::string path_;
  const int64_t size_;
  int fd_ = -1;  // mapped mode
  void* map_ = nullptr;
  size_t map_len_ = 0;
  std::unique_ptr<ReadableFile> file_;  // buffered mode
  std::string buf_;
};

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_PAGE_WINDOW_H_
