// ConfigHolder: the config in force, swapped whole on reload. Readers get an immutable snapshot
// that stays valid for as long as they hold it, whatever reloads happen meanwhile.
#ifndef SUNDIAL_CLI_CONFIG_HOLDER_H_
#define SUNDIAL_CLI_CONFIG_HOLDER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "base/metrics_gauge.h"
#include "base/metrics_registry.h"
#include "config/config.h"

namespace sundial::cli {

class ConfigHolder {
 public:
  // Hands a newly loaded config to a subsystem (scrape manager, ...). An error marks the reload
  // failed, but the config is still in force: like Prometheus, the other subsystems keep theirs.
  using Applier = std::function<absl::Status(const config::Config&)>;

  // Registers prometheus_config_last_reload_successful and
  // prometheus_config_last_reload_success_timestamp_seconds on registry.
  ConfigHolder(std::string path, metrics::Registry* registry);

  // Adds a subsystem that every later successful load is applied to, in the order added.
  // REQUIRES: not called concurrently with Reload().
  void AddApplier(Applier applier) { appliers_.push_back(std::move(applier)); }

  // Loads the file. On success the new config replaces the old one; on failure the old one stays
  // in force, the error is logged ("Error loading config" the first time, "Error reloading
  // config" after) and returned. Thread-safe; reloads
  // run one at a time.
  absl::Status Reload();

  // REQUIRES: a Reload() succeeded before.
  std::shared_ptr<const config::Config> Current() const;

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  std::vector<Applier> appliers_;
  metrics::Gauge& last_reload_successful_;
  metrics::Gauge& last_reload_success_timestamp_;
  absl::Mutex reload_mu_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const config::Config> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sundial::cli

#endif  // SUNDIAL_CLI_CONFIG_HOLDER_H_
