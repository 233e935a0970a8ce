// scrape::Manager: scrapes every target of every scrape_config and appends the samples to
// storage, as Prometheus' scrape.Manager with its discovery manager. One pool per job, one loop
// per target; loops run on the IoPool's timers.
//
//   scrape::Manager scrapes({.appendable = &db, .io_pool = &pool});
//   RETURN_IF_ERROR(scrapes.ApplyConfig(cfg));      // at start
//   ...
//   scrapes.ApplyConfig(new_cfg);                   // on every reload
//   TargetsSnapshot t = scrapes.Targets();          // for /api/v1/targets
//   scrapes.Stop();                                 // before the IoPool and storage go away
//
// Reload semantics: a job whose config is unchanged keeps its loops, caches and discovery
// providers; a changed job restarts its loops (caches carried over when sample handling did not
// change); targets that vanish (from discovery or a removed job) stop at once and get stale
// markers for all their series. Stop (shutdown) writes no stale markers, as Prometheus.
//
// Thread-safe. Lifetime: appendable and io_pool must outlive the manager; Stop (or the
// destructor) waits for every scrape in flight, at most the longest scrape_timeout.
#ifndef SUNDIAL_SCRAPE_MANAGER_H_
#define SUNDIAL_SCRAPE_MANAGER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "discovery/manager.h"
#include "net/io_pool.h"
#include "scrape/metric_metadata.h"
#include "scrape/target_status.h"
#include "tsdb/storage.h"

namespace sundial::scrape {

namespace internal {
class Inflight;
class ScrapePool;
}  // namespace internal

class Manager {
 public:
  struct Options {
    tsdb::Appendable* appendable = nullptr;  // required
    net::IoPool* io_pool = nullptr;          // required
    // Throttle of discovery updates (Prometheus: 5s).
    std::chrono::milliseconds discovery_update_interval{5000};
    // Mixed into every target's offset in its interval, so that two servers scraping the same
    // targets spread differently (Prometheus hashes external labels and hostname).
    uint64_t offset_seed = 0;
  };

  explicit Manager(Options options);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Applies cfg.scrape_configs. A job whose HTTP client cannot be built is skipped (its old
  // pool, if any, is stopped) and reported in the returned error; every other job is applied.
  absl::Status ApplyConfig(const config::Config& cfg);

  // Stops discovery and every loop, then waits for scrapes in flight. Idempotent.
  void Stop();

  // Active targets sorted by pool and labels, and dropped ones.
  TargetsSnapshot Targets() const;
  // The metric metadata of every active target, sorted by pool and target labels.
  std::vector<TargetMetadata> TargetsMetadata() const;

 private:
  void SyncTargets(const std::string& job, std::vector<discovery::TargetGroup> groups);

  const Options options_;
  std::shared_ptr<internal::Inflight> inflight_;
  mutable std::mutex mu_;
  bool stopped_ = false;                                                     // guarded by mu_
  std::map<std::string, std::unique_ptr<internal::ScrapePool>> pools_;       // guarded by mu_
  std::map<std::string, std::shared_ptr<const config::ScrapeConfig>> jobs_;  // guarded by mu_
  std::mutex apply_mu_;           // serializes ApplyConfig and Stop
  discovery::Manager discovery_;  // declared last: stopped first
};

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_MANAGER_H_
