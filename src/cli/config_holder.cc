#include "cli/config_holder.h"

#include <chrono>

#include "base/log.h"

namespace sundial::cli {
namespace {

const Logger kLog("config");

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

ConfigHolder::ConfigHolder(std::string path, metrics::Registry* registry)
    : path_(std::move(path)),
      last_reload_successful_(
          registry->NewGauge("prometheus_config_last_reload_successful",
                             "Whether the last configuration reload attempt was successful.")),
      last_reload_success_timestamp_(
          registry->NewGauge("prometheus_config_last_reload_success_timestamp_seconds",
                             "Timestamp of the last successful configuration reload.")) {}

absl::Status ConfigHolder::Reload() {
  absl::MutexLock serialize(&reload_mu_);
  kLog.Info("Loading configuration file", {{"filename", path_}});
  absl::StatusOr<config::Config> loaded = config::LoadFile(path_);
  if (!loaded.ok()) {
    last_reload_successful_.Set(0);
    bool initial = Current() == nullptr;
    kLog.Error(initial ? "Error loading config" : "Error reloading config",
               {{"filename", path_}, {"err", loaded.status()}});
    return loaded.status();
  }
  auto cfg = std::make_shared<const config::Config>(*std::move(loaded));
  {
    absl::MutexLock lock(&mu_);
    current_ = cfg;
  }
  absl::Status applied = absl::OkStatus();
  for (const Applier& apply : appliers_) {
    if (absl::Status s = apply(*cfg); !s.ok()) {
      kLog.Error("Error applying config", {{"filename", path_}, {"err", s}});
      if (applied.ok()) applied = s;
    }
  }
  last_reload_successful_.Set(applied.ok() ? 1 : 0);
  if (!applied.ok()) return applied;
  last_reload_success_timestamp_.Set(NowSeconds());
  kLog.Info("Completed loading of configuration file", {{"filename", path_}});
  return absl::OkStatus();
}

std::shared_ptr<const config::Config> ConfigHolder::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace sundial::cli
