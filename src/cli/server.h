// The `sundial` server: loads the config, serves HTTP, reloads on SIGHUP and /-/reload, and
// shuts down gracefully on SIGTERM, SIGINT and /-/quit.
#ifndef SUNDIAL_CLI_SERVER_H_
#define SUNDIAL_CLI_SERVER_H_

#include <string>
#include <vector>

#include "cli/flag_set.h"
#include "cli/server_options.h"

namespace sundial::cli {

// Runs until a shutdown signal; returns the exit code (0 after a graceful shutdown, 1 when the
// config cannot be loaded or the listener cannot start). unknown_features are logged as
// warnings. REQUIRES: called from the main thread before any other thread starts, since it
// blocks the shutdown and reload signals process-wide and waits for them itself.
int RunServer(const ServerOptions& opts, const FlagSet& flags,
              const std::vector<std::string>& unknown_features);

}  // namespace sundial::cli

#endif  // SUNDIAL_CLI_SERVER_H_
