#include "cli/build_info.h"

#include "base/str_cat.h"
#include "cli/build_info_values.h"

namespace sundial::cli {
namespace {

std::string Compiler() {
#if defined(__clang__)
  return StrCat("clang++ ", __clang_major__, ".", __clang_minor__, ".", __clang_patchlevel__);
#elif defined(__GNUC__)
  return StrCat("g++ ", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

std::string Platform() {
#if defined(__x86_64__)
  return "linux/amd64";
#elif defined(__aarch64__)
  return "linux/arm64";
#else
  return "linux/unknown";
#endif
}

}  // namespace

const BuildInfo& GetBuildInfo() {
  static const BuildInfo kInfo = {
      .version = kSundialVersion,
      .revision = kSundialRevision,
      .branch = kSundialBranch,
      .build_user = kSundialBuildUser,
      .build_date = kSundialBuildDate,
      .compiler = Compiler(),
      .platform = Platform(),
  };
  return kInfo;
}

std::string VersionText(const BuildInfo& info) {
  return StrCat("sundial, version ", info.version, " (branch: ", info.branch,
                ", revision: ", info.revision, ")\n", "  build user:       ", info.build_user, "\n",
                "  build date:       ", info.build_date, "\n",
                "  compiler:         ", info.compiler, "\n", "  platform:         ", info.platform,
                "\n");
}

}  // namespace sundial::cli
