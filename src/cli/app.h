// The `sundial` command line: the server by default, and subcommands.
//
//   sundial [<flags>]                 run the server
//   sundial check config FILE...      validate config files like `promtool check config`
#ifndef SUNDIAL_CLI_APP_H_
#define SUNDIAL_CLI_APP_H_

namespace sundial::cli {

// Runs the program and returns its exit code: 0 on success (and after a graceful shutdown),
// 1 for bad flags or a failed check, as `prometheus`/`promtool` do.
int RunApp(int argc, char** argv);

}  // namespace sundial::cli

#endif  // SUNDIAL_CLI_APP_H_
