// `sundial check config FILE...`: validates config files the way `promtool check config` does
// and prints the same report.
#ifndef SUNDIAL_CLI_CHECK_CONFIG_H_
#define SUNDIAL_CLI_CHECK_CONFIG_H_

#include <ostream>
#include <string>
#include <vector>

namespace sundial::cli {

// Checks each file; reports to out (successes) and err (failures). Returns the process exit
// code: 0 when every file is valid, 1 otherwise.
int CheckConfig(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

}  // namespace sundial::cli

#endif  // SUNDIAL_CLI_CHECK_CONFIG_H_
