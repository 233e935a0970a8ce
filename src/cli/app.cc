#include "cli/app.h"

#include <iostream>
#include <string>
#include <vector>

#include "base/str_cat.h"
#include "cli/build_info.h"
#include "cli/check_config.h"
#include "cli/flag_set.h"
#include "cli/server.h"
#include "cli/server_options.h"

namespace sundial::cli {
namespace {

constexpr const char* kSubcommandUsage =
    "\nCommands:\n"
    "  check config <config-files>...\n"
    "      Check if the config files are valid or not.\n";

bool HasFlag(int argc, char** argv, std::string_view a, std::string_view b = {}) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == a || (!b.empty() && arg == b)) return true;
  }
  return false;
}

int Fail(std::string_view message) {
  std::cerr << "sundial: error: " << message << ", try --help\n";
  return 1;
}

}  // namespace

int RunApp(int argc, char** argv) {
  ServerOptions opts;
  FlagSet flags("sundial", "The Sundial monitoring server (Prometheus-compatible)");
  RegisterServerFlags(&flags, &opts);

  if (HasFlag(argc, argv, "--help", "-h")) {
    std::cout << flags.Usage() << kSubcommandUsage;
    return 0;
  }
  if (HasFlag(argc, argv, "--version")) {
    std::cout << VersionText(GetBuildInfo());
    return 0;
  }

  absl::StatusOr<std::vector<std::string>> args = flags.Parse(argv + 1, argv + argc);
  if (!args.ok()) return Fail(AsStd(args.status().message()));

  if (!args->empty()) {
    const std::vector<std::string>& a = *args;
    if (a[0] == "check" && a.size() >= 2 && a[1] == "config") {
      return CheckConfig({a.begin() + 2, a.end()}, std::cout, std::cerr);
    }
    if (a[0] == "check") {
      return Fail(a.size() < 2 ? "expected command but got nothing"
                               : StrCat("expected command but got \"", a[1], "\""));
    }
    return Fail(StrCat("unexpected ", a[0]));
  }

  absl::StatusOr<std::vector<std::string>> unknown_features = FinalizeServerOptions(flags, &opts);
  if (!unknown_features.ok()) return Fail(AsStd(unknown_features.status().message()));
  return RunServer(opts, flags, *unknown_features);
}

}  // namespace sundial::cli
