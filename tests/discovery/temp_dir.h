// A temporary directory removed (recursively) on destruction, and a file writer, for discovery
// tests.
#ifndef SUNDIAL_TESTS_DISCOVERY_TEMP_DIR_H_
#define SUNDIAL_TESTS_DISCOVERY_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace sundial::discovery::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sundial-sd-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// Writes content to path through a temporary file and a rename, as tools that rewrite SD files
// under load should.
inline void WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace sundial::discovery::testing

#endif  // SUNDIAL_TESTS_DISCOVERY_TEMP_DIR_H_
