#include "scrape/internal/scrape_pool.h"

#include <utility>

#include "base/log.h"
#include "base/metrics_registry.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "net/client_options_from_config.h"
#include "scrape/content_type.h"

namespace sundial::scrape::internal {
namespace {

const Logger kLog("scrape");

metrics::Counter& TargetLimitHits() {
  static metrics::Counter& c = metrics::Registry::Default().NewCounter(
      "prometheus_target_scrape_pool_exceeded_target_limit_total",
      "Total number of times scrape pools hit the target limit, during sync or config reload.");
  return c;
}

absl::StatusOr<std::shared_ptr<net::HttpClient>> NewClient(const config::ScrapeConfig& job,
                                                           net::IoPool* pool) {
  ASSIGN_OR_RETURN(net::ClientOptions options,
                   net::ClientOptionsFromConfig(job.http_client, std::chrono::milliseconds(0)));
  if (job.limits.body_size_limit > 0) {
    options.max_response_bytes = static_cast<uint64_t>(job.limits.body_size_limit);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<net::HttpClient> client,
                   net::HttpClient::Create(std::move(options), pool));
  return std::shared_ptr<net::HttpClient>(std::move(client));
}

// Whether cached relabel outcomes and series stay valid from a to b.
bool SameSampleHandling(const config::ScrapeConfig& a, const config::ScrapeConfig& b) {
  return a.metric_relabel_configs == b.metric_relabel_configs && a.honor_labels == b.honor_labels &&
         a.honor_timestamps == b.honor_timestamps &&
         a.track_timestamps_staleness == b.track_timestamps_staleness && a.limits == b.limits;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ScrapePool>> ScrapePool::Create(
    std::shared_ptr<const config::ScrapeConfig> job, PoolDeps deps) {
  ASSIGN_OR_RETURN(std::shared_ptr<net::HttpClient> client, NewClient(*job, deps.pool));
  return std::unique_ptr<ScrapePool>(
      new ScrapePool(std::move(job), std::move(deps), std::move(client)));
}

ScrapePool::ScrapePool(std::shared_ptr<const config::ScrapeConfig> job, PoolDeps deps,
                       std::shared_ptr<net::HttpClient> client)
    : job_(std::move(job)), deps_(std::move(deps)), client_(std::move(client)) {}

ScrapePool::~ScrapePool() { Stop(false); }

void ScrapePool::Sync(std::vector<discovery::TargetGroup> groups) {
  groups_ = std::move(groups);
  Apply(/*restart=*/false, /*reuse_caches=*/true);
}

absl::Status ScrapePool::Reload(std::shared_ptr<const config::ScrapeConfig> job) {
  if (job->http_client != job_->http_client ||
      job->limits.body_size_limit != job_->limits.body_size_limit) {
    ASSIGN_OR_RETURN(client_, NewClient(*job, deps_.pool));
  }
  const bool reuse = SameSampleHandling(*job_, *job);
  job_ = std::move(job);
  Apply(/*restart=*/true, reuse);
  return absl::OkStatus();
}

void ScrapePool::Apply(bool restart, bool reuse_caches) {
  std::map<std::string, Wanted> wanted;
  dropped_.clear();
  dropped_count_ = 0;
  for (const discovery::TargetGroup& group : groups_) {
    for (const Labels& target : group.targets) {
      LabelsBuilder b(group.labels);
      for (const Label& l : target) b.Set(l.name, l.value);
      const Labels group_labels = b.Build();
      absl::StatusOr<std::optional<ScrapeTarget>> t = PopulateTarget(group_labels, *job_);
      if (!t.ok()) {
        kLog.Warn("Creating target failed", {{"scrape_pool", job_->job_name}, {"err", t.status()}});
        continue;
      }
      // As Prometheus' discoveredLabels: with the job's defaults, before relabeling.
      Labels discovered = WithScrapeDefaults(group_labels, *job_);
      if (!t->has_value()) {
        ++dropped_count_;
        const uint64_t keep = job_->limits.keep_dropped_targets;
        if (keep == 0 || dropped_.size() < keep) {
          dropped_.push_back({.scrape_pool = job_->job_name, .discovered_labels = discovered});
        }
        continue;
      }
      std::string key = StrCat((*t)->labels.Bytes(), "\xff", (*t)->url);
      wanted.emplace(std::move(key), Wanted{.target = std::move(**t), .discovered = discovered});
    }
  }
  std::map<std::string, std::shared_ptr<ScrapeLoop>> next;
  std::map<std::string, std::unique_ptr<ScrapeCache>> caches;
  for (auto& [key, loop] : loops_) {
    auto w = wanted.find(key);
    if (w == wanted.end()) {
      loop->Stop(/*write_stale=*/true);
    } else if (!restart) {
      next.emplace(key, loop);
      wanted.erase(w);
    } else {
      std::unique_ptr<ScrapeCache> cache = loop->Stop(/*write_stale=*/!reuse_caches);
      if (reuse_caches) caches[key] = std::move(cache);
    }
  }
  const absl::Status limit_error = TargetLimitError(next.size() + wanted.size());
  for (auto& [key, loop] : next) loop->SetForcedError(limit_error);
  const std::string accept = AcceptHeader(job_->scrape_protocols);
  for (auto& [key, w] : wanted) {
    auto loop = ScrapeLoop::Create(LoopConfig{.job = job_,
                                              .target = std::move(w.target),
                                              .discovered = std::move(w.discovered),
                                              .accept = accept,
                                              .offset_seed = deps_.offset_seed},
                                   LoopDeps{.appendable = deps_.appendable,
                                            .pool = deps_.pool,
                                            .client = client_,
                                            .inflight = deps_.inflight});
    loop->SetForcedError(limit_error);
    auto c = caches.find(key);
    loop->Start(c == caches.end() ? nullptr : std::move(c->second));
    next.emplace(key, std::move(loop));
  }
  loops_ = std::move(next);
}

absl::Status ScrapePool::TargetLimitError(size_t targets) const {
  const uint64_t limit = job_->limits.target_limit;
  if (limit == 0 || targets <= limit) return absl::OkStatus();
  TargetLimitHits().Inc();
  return absl::ResourceExhaustedError(
      StrCat("target_limit exceeded (number of targets: ", targets, ", limit: ", limit, ")"));
}

void ScrapePool::Stop(bool write_stale) {
  for (auto& [key, loop] : loops_) loop->Stop(write_stale);
  loops_.clear();
}

void ScrapePool::AppendStatus(TargetsSnapshot* out) const {
  for (const auto& [key, loop] : loops_) out->active.push_back(loop->Status());
  out->dropped.insert(out->dropped.end(), dropped_.begin(), dropped_.end());
  out->dropped_counts[job_->job_name] = dropped_count_;
}

void ScrapePool::AppendMetadata(std::vector<TargetMetadata>* out) const {
  for (const auto& [key, loop] : loops_) {
    out->push_back({job_->job_name, loop->labels(), loop->Metadata()});
  }
}

}  // namespace sundial::scrape::internal
