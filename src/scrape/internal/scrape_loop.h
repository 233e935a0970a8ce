// ScrapeLoop: scrapes one target every interval on the IoPool and appends what it reads, as
// Prometheus' scrapeLoop. Internal to scrape/ (the Manager creates loops).
//
//   auto loop = ScrapeLoop::Create(config, deps);
//   loop->Start(nullptr);
//   TargetStatus s = loop->Status();
//   std::unique_ptr<ScrapeCache> cache = loop->Stop(/*write_stale=*/true);
//
// Each scrape: GET with Accept (content_type.h) and the timeout, parse, relabel via the cache,
// append through one Appender (out-of-order, duplicate and out-of-bounds samples are counted and
// skipped), stale markers for series gone since the last scrape, the report series (up,
// scrape_duration_seconds, scrape_samples_scraped, scrape_samples_post_metric_relabeling,
// scrape_series_added), Commit. A failed scrape (HTTP error, non-2xx, parse error, a limit)
// appends nothing from the body, marks all series of the last scrape stale and reports up 0.
//
// Thread-safe. Callbacks keep the loop alive; every pending operation is registered with
// deps.inflight so the owner can wait for them before stopping the IoPool.
#ifndef SUNDIAL_SCRAPE_INTERNAL_SCRAPE_LOOP_H_
#define SUNDIAL_SCRAPE_INTERNAL_SCRAPE_LOOP_H_

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "config/scrape_config.h"
#include "net/http_client.h"
#include "net/io_pool.h"
#include "scrape/internal/scrape_cache.h"
#include "scrape/internal/timer.h"
#include "scrape/metric_metadata.h"
#include "scrape/target_labels.h"
#include "scrape/target_status.h"
#include "tsdb/storage.h"

namespace sundial::scrape::internal {

// Counts pending asynchronous operations of a set of loops.
class Inflight {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++n_;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--n_ == 0) cv_.notify_all();
  }
  // Blocks until no operation is pending.
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return n_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t n_ = 0;
};

struct LoopConfig {
  std::shared_ptr<const config::ScrapeConfig> job;
  ScrapeTarget target;
  Labels discovered;
  std::string accept;  // Accept header
  uint64_t offset_seed = 0;
};

struct LoopDeps {
  tsdb::Appendable* appendable = nullptr;  // must outlive every loop
  net::IoPool* pool = nullptr;             // must outlive every loop
  std::shared_ptr<net::HttpClient> client;
  std::shared_ptr<Inflight> inflight;
};

class ScrapeLoop : public std::enable_shared_from_this<ScrapeLoop> {
 public:
  static std::shared_ptr<ScrapeLoop> Create(LoopConfig config, LoopDeps deps);

  // Schedules the first scrape at the target's offset in the interval. A cache from a stopped
  // loop of the same target carries its series (and their staleness) over.
  void Start(std::unique_ptr<ScrapeCache> cache);
  // No scrape starts or completes afterwards. With write_stale, the series of the last scrape
  // and the report series get stale markers now. Returns the cache. Idempotent (later calls
  // return null).
  std::unique_ptr<ScrapeCache> Stop(bool write_stale);

  // While error is not OK every scrape fails with it without contacting the target (stale
  // markers, up 0, health down with error as lastError), as Prometheus' forced error for
  // target_limit. OK clears it.
  void SetForcedError(absl::Status error);

  TargetStatus Status() const;
  // The metric metadata the target last exposed, sorted by family name; never null.
  std::shared_ptr<const std::vector<MetricMetadata>> Metadata() const;
  const LoopConfig& config() const { return config_; }
  // The target's labels without "__" ones (TargetStatus::labels).
  const Labels& labels() const { return sample_target_labels_; }

  // Wall-clock ms of the next scrape's offset; exposed for tests of the jitter.
  std::chrono::milliseconds Offset(int64_t now_ms) const;

 private:
  ScrapeLoop(LoopConfig config, LoopDeps deps);
  void ScheduleLocked(std::chrono::steady_clock::time_point when);  // REQUIRES: mu_
  void OnTimer(bool fired);
  void OnResponse(absl::StatusOr<net::Response> response, int64_t start_ms,
                  std::chrono::steady_clock::time_point started);
  // Appends the outcome of one scrape and schedules the next. REQUIRES: mu_.
  void FinishLocked(absl::StatusOr<net::Response> response, int64_t start_ms,
                    std::chrono::steady_clock::time_point started);
  // Appends the body's samples. REQUIRES: mu_.
  absl::Status AppendBody(tsdb::Appender* app, std::string_view body, std::string_view content_type,
                          int64_t ts);
  // Stores the exemplar of the sample just appended for e (at sample_ts); errors only count.
  void AppendExemplar(tsdb::Appender* app, const CacheEntry& e, Exemplar exemplar,
                      int64_t sample_ts);
  // Hands the cache's metadata to Metadata() readers. REQUIRES: mu_.
  void PublishMetadataLocked();
  void AppendStaleLocked(tsdb::Appender* app, int64_t ts, bool report_too);
  void AppendReportLocked(tsdb::Appender* app, int64_t ts, double duration, bool up);

  const LoopConfig config_;
  const LoopDeps deps_;
  Labels sample_target_labels_;  // the target's labels without "__" ones
  std::chrono::milliseconds interval_{0}, timeout_{0};
  std::array<Labels, 5> report_labels_;

  mutable std::mutex mu_;
  bool stopped_ = false;
  Timer timer_;
  std::chrono::steady_clock::time_point next_;
  std::unique_ptr<ScrapeCache> cache_;
  absl::Status forced_error_;
  std::array<tsdb::SeriesRef, 5> report_refs_{};
  // Results of the scrape being appended.
  uint64_t scraped_ = 0, post_relabel_ = 0, added_ = 0;

  mutable std::mutex status_mu_;
  TargetStatus status_;
  std::shared_ptr<const std::vector<MetricMetadata>> metadata_ =
      std::make_shared<const std::vector<MetricMetadata>>();  // guarded by status_mu_
};

}  // namespace sundial::scrape::internal

#endif  // SUNDIAL_SCRAPE_INTERNAL_SCRAPE_LOOP_H_
