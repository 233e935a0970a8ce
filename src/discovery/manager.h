// discovery::Manager runs the providers of named target sets (one per scrape job, later one per
// Alertmanager set) and hands every set's merged target groups to a sync function, as
// Prometheus' discovery.Manager does.
//
//   discovery::Manager sd([&](const std::string& job, std::vector<TargetGroup> groups) {
//     scrape_manager.SyncTargets(job, std::move(groups));
//   });
//   sd.ApplyConfig({{"node", job.service_discovery}});   // at start and on every reload
//   ...
//   sd.Stop();
//
// Updates are throttled: a set's groups are synced at most once per update_interval (the first
// change is synced at once), always with the complete current groups of all its providers.
// Providers of a set whose configuration is unchanged keep running across ApplyConfig.
//
// Thread-safe. sync runs on the manager's own thread, never concurrently with itself, and never
// after Stop returns.
#ifndef SUNDIAL_DISCOVERY_MANAGER_H_
#define SUNDIAL_DISCOVERY_MANAGER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/discovery_config.h"
#include "discovery/provider.h"
#include "discovery/target_group.h"
#include "net/io_pool.h"

namespace sundial::discovery {

class Manager {
 public:
  using SyncFn = std::function<void(const std::string& set, std::vector<TargetGroup> groups)>;

  struct Options {
    std::chrono::milliseconds update_interval{5000};  // Prometheus' 5s throttle
    // Runs the HTTP requests of http_sd and kubernetes_sd; without it those configs are logged
    // and ignored.
    // Must outlive the manager.
    net::IoPool* io_pool = nullptr;
  };

  explicit Manager(SyncFn sync) : Manager(std::move(sync), Options()) {}
  Manager(SyncFn sync, Options options);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Starts the providers of new and changed sets and stops those of removed and changed ones.
  // A provider that cannot be created (an http_sd config whose TLS files cannot be read, a
  // kubernetes_sd config outside a cluster without api_server or kubeconfig_file) is logged and
  // left out.
  void ApplyConfig(const std::map<std::string, config::ServiceDiscoveryConfigs>& sets);

  // Stops every provider and the sync thread. Idempotent.
  void Stop();

 private:
  struct Slot;  // one provider's latest groups
  struct Set {
    config::ServiceDiscoveryConfigs config;
    std::vector<std::shared_ptr<Slot>> slots;
    std::vector<std::unique_ptr<Provider>> providers;
  };

  void OnUpdate(const std::shared_ptr<Slot>& slot, std::vector<TargetGroup> groups);
  void SyncLoop();

  const SyncFn sync_;
  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Set> sets_;  // guarded by mu_
  std::set<std::string> dirty_;      // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  std::mutex apply_mu_;              // serializes ApplyConfig and Stop
  std::thread thread_;
};

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_MANAGER_H_
