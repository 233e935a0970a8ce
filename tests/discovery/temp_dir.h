// The shared test TempDir and a file writer for discovery tests.
#ifndef SUNDIAL_TESTS_DISCOVERY_TEMP_DIR_H_
#define SUNDIAL_TESTS_DISCOVERY_TEMP_DIR_H_

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "testing/temp_dir.h"

namespace sundial::discovery::testing {

using sundial::testing::TempDir;

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
