// A scratch directory for tests, removed with everything in it when the test is done.
#ifndef SUNDIAL_TESTS_TESTING_TEMP_DIR_H_
#define SUNDIAL_TESTS_TESTING_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace sundial::testing {

// A fresh directory under the system's temp dir (TMPDIR, else /tmp), deleted recursively on
// destruction. path() is empty if the directory could not be made.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "sundial-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty() && !keep_) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Leaves the directory in place at destruction (e.g. to look at after a failed test).
  void Keep() { keep_ = true; }
  // path()/name.
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }
  // Writes content to path()/name, replacing the file; returns that path.
  std::string Write(std::string_view name, std::string_view content) const {
    std::string file = File(name);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    return file;
  }

 private:
  std::string path_;
  bool keep_ = false;
};

// The path of an empty directory `name` (not yet created) inside one scratch TempDir that lives
// until the test program exits; for tests that want a fresh, named directory per case.
inline std::string FreshScratchDir(std::string_view name) {
  static const TempDir scratch;
  const std::string dir = scratch.File(name);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return dir;
}

}  // namespace sundial::testing

#endif  // SUNDIAL_TESTS_TESTING_TEMP_DIR_H_
