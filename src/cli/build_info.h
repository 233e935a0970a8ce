// What `sundial --version` and prometheus_build_info report about this binary.
#ifndef SUNDIAL_CLI_BUILD_INFO_H_
#define SUNDIAL_CLI_BUILD_INFO_H_

#include <string>

namespace sundial::cli {

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  std::string compiler;  // e.g. "g++ 12.2.0"; reported where Prometheus reports its Go version
  std::string platform;  // e.g. "linux/amd64"
};

const BuildInfo& GetBuildInfo();

// The multi-line text of `--version`, shaped like Prometheus'.
std::string VersionText(const BuildInfo& info);

}  // namespace sundial::cli

#endif  // SUNDIAL_CLI_BUILD_INFO_H_
