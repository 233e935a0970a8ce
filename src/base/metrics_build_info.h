// <program>_build_info: a gauge with the constant value 1 whose labels describe the build, as
// prometheus/common's version collector exposes it. Dashboards join on it
// (`* on(instance) group_left(version) prometheus_build_info`).
//
//   BuildInfo info;
//   info.version = "0.1.0";
//   info.revision = "23f7b40";
//   info.branch = "main";
//   RegisterBuildInfo(&Registry::Default(), "prometheus", info);
//
// Sundial registers as "prometheus" so that Prometheus dashboards find it; it has no Go version
// and puts its compiler there.
#ifndef SUNDIAL_BASE_METRICS_BUILD_INFO_H_
#define SUNDIAL_BASE_METRICS_BUILD_INFO_H_

#include <string>
#include <string_view>

#include "base/metrics_registry.h"

namespace sundial::metrics {

// The compiler that built Sundial, e.g. "g++ 12.2.0" or "clang 14.0.6".
std::string CompilerVersion();
// The target architecture as Go's runtime.GOARCH spells it: amd64, arm64, ...
std::string GoArch();

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string goversion = CompilerVersion();
  std::string tags = "unknown";  // what Prometheus reports when it has no build tags
  std::string goos = "linux";
  std::string goarch = GoArch();
};

// Registers <program>_build_info{branch,goarch,goos,goversion,revision,tags,version} 1 with
// Prometheus' help text. Aborts if already registered (see metrics_registry.h).
void RegisterBuildInfo(Registry* registry, std::string_view program, const BuildInfo& info);

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_BUILD_INFO_H_
