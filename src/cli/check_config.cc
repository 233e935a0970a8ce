#include "cli/check_config.h"

#include <glob.h>

#include "absl/status/statusor.h"
#include "base/str_cat.h"
#include "config/config.h"

namespace sundial::cli {
namespace {

// Files matched by the rule_files patterns (already resolved against the config's directory).
absl::StatusOr<std::vector<std::string>> ExpandRuleFiles(const config::Config& cfg) {
  std::vector<std::string> files;
  for (const std::string& pattern : cfg.rule_files) {
    glob_t g{};
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      return absl::InvalidArgumentError(
          StrCat("error checking rule files: bad pattern \"", pattern, "\""));
    }
  }
  return files;
}

}  // namespace

int CheckConfig(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  if (files.empty()) {
    err << "sundial: error: required argument 'config-files' not provided\n";
    return 1;
  }
  bool failed = false;
  for (const std::string& file : files) {
    out << "Checking " << file << "\n";
    absl::StatusOr<config::Config> cfg = config::LoadFile(file);
    absl::StatusOr<std::vector<std::string>> rule_files =
        cfg.ok() ? ExpandRuleFiles(*cfg) : absl::StatusOr<std::vector<std::string>>(cfg.status());
    if (!rule_files.ok()) {
      err << "  FAILED: " << AsStd(rule_files.status().message()) << "\n\n";
      failed = true;
      continue;
    }
    if (!rule_files->empty()) out << "  SUCCESS: " << rule_files->size() << " rule files found\n";
    out << " SUCCESS: " << file << " is valid prometheus config file syntax\n\n";
  }
  return failed ? 1 : 0;
}

}  // namespace sundial::cli
