// The read-only bytes of a whole file: memory-mapped when the file lives on the POSIX file
// system (FileSystem::Default()), read into memory otherwise (MemFileSystem in tests).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<FileBytes> f, FileBytes::Open(fs, path));
//   std::string_view b = f->data();     // valid while f lives
//
// Block files are immutable once written, so a mapping never sees them change (as in
// Prometheus, truncating a mapped file under a running process is outside the contract).
#ifndef SUNDIAL_TSDB_BLOCK_FILE_BYTES_H_
#define SUNDIAL_TSDB_BLOCK_FILE_BYTES_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/file_system.h"

namespace sundial::tsdb::block {

class FileBytes {
 public:
  static absl::StatusOr<std::unique_ptr<FileBytes>> Open(FileSystem* fs, const std::string& path);
  static std::unique_ptr<FileBytes> FromString(std::string data);
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  std::string_view data() const { return view_; }
  bool mapped() const { return map_ != nullptr; }

 private:
  FileBytes() = default;

  std::string owned_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::string_view view_;
};

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_FILE_BYTES_H_
