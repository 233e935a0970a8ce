#include "base/metrics_build_info.h"

#include "base/str_cat.h"

namespace sundial::metrics {

std::string CompilerVersion() {
#if defined(__clang__)
  return StrCat("clang ", __clang_major__, ".", __clang_minor__, ".", __clang_patchlevel__);
#elif defined(__GNUC__)
  return StrCat("g++ ", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

std::string GoArch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  return "unknown";
#endif
}

void RegisterBuildInfo(Registry* registry, std::string_view program, const BuildInfo& info) {
  registry
      ->NewGaugeFamily(StrCat(program, "_build_info"),
                       StrCat("A metric with a constant '1' value labeled by version, revision, "
                              "branch, goversion from which ",
                              program, " was built, and the goos and goarch for the build."),
                       {"branch", "goarch", "goos", "goversion", "revision", "tags", "version"})
      .WithLabelValues({info.branch, info.goarch, info.goos, info.goversion, info.revision,
                        info.tags, info.version})
      .Set(1);
}

}  // namespace sundial::metrics
