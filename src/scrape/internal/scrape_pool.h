// ScrapePool: the loops of one job, as Prometheus' scrapePool. Internal to scrape/.
//
// Not thread-safe: the Manager serializes every call.
#ifndef SUNDIAL_SCRAPE_INTERNAL_SCRAPE_POOL_H_
#define SUNDIAL_SCRAPE_INTERNAL_SCRAPE_POOL_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "config/scrape_config.h"
#include "discovery/target_group.h"
#include "scrape/internal/scrape_loop.h"
#include "scrape/metric_metadata.h"
#include "scrape/target_status.h"

namespace sundial::scrape::internal {

struct PoolDeps {
  tsdb::Appendable* appendable = nullptr;
  net::IoPool* pool = nullptr;
  std::shared_ptr<Inflight> inflight;
  uint64_t offset_seed = 0;
};

class ScrapePool {
 public:
  // Fails when the job's HTTP client cannot be built (bad TLS files, unsupported options).
  static absl::StatusOr<std::unique_ptr<ScrapePool>> Create(
      std::shared_ptr<const config::ScrapeConfig> job, PoolDeps deps);
  ~ScrapePool();  // Stop(false)

  // Replaces the discovered groups: targets that stay keep their loops (and caches), new ones
  // start, vanished ones stop with stale markers.
  void Sync(std::vector<discovery::TargetGroup> groups);
  // A changed config for the same job: every loop restarts with the new settings; caches carry
  // over unless sample handling (metric relabeling, honor_*, limits) changed.
  absl::Status Reload(std::shared_ptr<const config::ScrapeConfig> job);
  void Stop(bool write_stale);

  void AppendStatus(TargetsSnapshot* out) const;
  void AppendMetadata(std::vector<TargetMetadata>* out) const;

 private:
  struct Wanted {
    ScrapeTarget target;
    Labels discovered;
  };
  ScrapePool(std::shared_ptr<const config::ScrapeConfig> job, PoolDeps deps,
             std::shared_ptr<net::HttpClient> client);
  void Apply(bool restart, bool reuse_caches);
  // Prometheus' error when the pool has more than target_limit targets (counted), else OK.
  absl::Status TargetLimitError(size_t targets) const;

  std::shared_ptr<const config::ScrapeConfig> job_;
  const PoolDeps deps_;
  std::shared_ptr<net::HttpClient> client_;
  std::vector<discovery::TargetGroup> groups_;
  std::map<std::string, std::shared_ptr<ScrapeLoop>> loops_;  // by labels + url
  std::vector<DroppedTarget> dropped_;                        // at most keep_dropped_targets
  uint64_t dropped_count_ = 0;                                // all targets dropped by relabeling
};

}  // namespace sundial::scrape::internal

#endif  // SUNDIAL_SCRAPE_INTERNAL_SCRAPE_POOL_H_
