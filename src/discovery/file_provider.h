// The provider behind file_sd_configs, as Prometheus' discovery/file: every refresh_interval
// (and as soon as inotify reports a change in a watched directory) the glob patterns are expanded
// and each matching file is read as a list of {targets: [...], labels: {...}} in JSON (.json) or
// YAML (.yml, .yaml). Group sources are "<path>:<index>" and every group gets __meta_filepath.
// A file that cannot be read or parsed keeps the groups of its last good read; the error is
// logged and counted in prometheus_sd_file_read_errors_total. An update is sent only when the
// groups changed.
#ifndef SUNDIAL_DISCOVERY_FILE_PROVIDER_H_
#define SUNDIAL_DISCOVERY_FILE_PROVIDER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "config/discovery_config.h"
#include "discovery/provider.h"

namespace sundial::discovery {

// Parses one file's content; `path` names the groups and fills __meta_filepath. JSON when path
// ends in .json, YAML otherwise. Errors read like Prometheus': `"bad:addr/x" is not a valid
// hostname`, `"0abc" is not a valid label name`.
absl::StatusOr<std::vector<TargetGroup>> ParseFileSdContent(std::string_view path,
                                                            std::string_view content);

std::unique_ptr<Provider> NewFileProvider(config::FileSdConfig config);

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_FILE_PROVIDER_H_
