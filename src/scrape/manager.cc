#include "scrape/manager.h"

#include <algorithm>
#include <utility>

#include "base/log.h"
#include "base/str_cat.h"
#include "scrape/internal/scrape_pool.h"

namespace sundial::scrape {
namespace {

const Logger kLog("scrape");

}  // namespace

Manager::Manager(Options options)
    : options_(options),
      inflight_(std::make_shared<internal::Inflight>()),
      discovery_(
          [this](const std::string& job, std::vector<discovery::TargetGroup> groups) {
            SyncTargets(job, std::move(groups));
          },
          discovery::Manager::Options{.update_interval = options.discovery_update_interval,
                                      .io_pool = options.io_pool}) {}

Manager::~Manager() { Stop(); }

absl::Status Manager::ApplyConfig(const config::Config& cfg) {
  std::lock_guard<std::mutex> apply_lock(apply_mu_);
  std::string errors;
  std::map<std::string, config::ServiceDiscoveryConfigs> sd;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return absl::FailedPreconditionError("scrape manager stopped");
    std::map<std::string, std::shared_ptr<const config::ScrapeConfig>> next_jobs;
    for (const config::ScrapeConfig& job : cfg.scrape_configs) {
      next_jobs[job.job_name] = std::make_shared<const config::ScrapeConfig>(job);
    }
    for (auto it = pools_.begin(); it != pools_.end();) {
      if (next_jobs.contains(it->first)) {
        ++it;
        continue;
      }
      it->second->Stop(/*write_stale=*/true);
      jobs_.erase(it->first);
      it = pools_.erase(it);
    }
    for (auto& [name, job] : next_jobs) {
      auto pool = pools_.find(name);
      absl::Status s;
      if (pool == pools_.end()) {
        absl::StatusOr<std::unique_ptr<internal::ScrapePool>> created =
            internal::ScrapePool::Create(job, {.appendable = options_.appendable,
                                               .pool = options_.io_pool,
                                               .inflight = inflight_,
                                               .offset_seed = options_.offset_seed});
        if (created.ok()) pools_[name] = *std::move(created);
        s = created.status();
      } else if (*jobs_[name] != *job) {
        s = pool->second->Reload(job);
        if (!s.ok()) {
          pool->second->Stop(/*write_stale=*/true);
          pools_.erase(pool);
        }
      }
      if (!s.ok()) {
        kLog.Error("Error creating scrape pool", {{"scrape_pool", name}, {"err", s}});
        StrAppend(&errors, errors.empty() ? "" : "; ", "scrape pool ", name, ": ",
                  AsStd(s.message()));
        jobs_.erase(name);
        continue;
      }
      jobs_[name] = job;
      sd[name] = job->service_discovery;
    }
  }
  discovery_.ApplyConfig(sd);
  return errors.empty() ? absl::OkStatus() : absl::InvalidArgumentError(errors);
}

void Manager::SyncTargets(const std::string& job, std::vector<discovery::TargetGroup> groups) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  auto it = pools_.find(job);
  if (it != pools_.end()) it->second->Sync(std::move(groups));
}

void Manager::Stop() {
  std::lock_guard<std::mutex> apply_lock(apply_mu_);
  discovery_.Stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopped_) {
      stopped_ = true;
      for (auto& [name, pool] : pools_) pool->Stop(/*write_stale=*/false);
      pools_.clear();
      jobs_.clear();
    }
  }
  inflight_->Wait();
}

TargetsSnapshot Manager::Targets() const {
  TargetsSnapshot out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, pool] : pools_) pool->AppendStatus(&out);
  std::stable_sort(out.active.begin(), out.active.end(), [](const auto& a, const auto& b) {
    return a.scrape_pool != b.scrape_pool ? a.scrape_pool < b.scrape_pool : a.labels < b.labels;
  });
  return out;
}

std::vector<TargetMetadata> Manager::TargetsMetadata() const {
  std::vector<TargetMetadata> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, pool] : pools_) pool->AppendMetadata(&out);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.scrape_pool != b.scrape_pool ? a.scrape_pool < b.scrape_pool : a.labels < b.labels;
  });
  return out;
}

}  // namespace sundial::scrape
