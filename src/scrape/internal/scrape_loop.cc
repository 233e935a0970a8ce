#include "scrape/internal/scrape_loop.h"

#include <utility>

#include "absl/status/status.h"
#include "base/duration.h"
#include "base/log.h"
#include "base/metrics_registry.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/xxhash.h"
#include "scrape/content_type.h"
#include "scrape/relabel.h"
#include "scrape/sample_labels.h"
#include "tsdb/errors.h"
#include "tsdb/exemplars/exemplar.h"
#include "tsdb/value.h"

namespace sundial::scrape::internal {
namespace {

const Logger kLog("scrape");

constexpr std::array<std::string_view, 5> kReportNames = {
    "up", "scrape_duration_seconds", "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling", "scrape_series_added"};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds DurationLabel(const Labels& labels, std::string_view name,
                                        std::chrono::milliseconds fallback) {
  absl::StatusOr<Duration> d = ParseDuration(labels.Get(name));
  return d.ok() && d->count() > 0 ? *d : fallback;
}

// Self-metrics under Prometheus' names.
struct LoopMetrics {
  metrics::Registry& r = metrics::Registry::Default();
  metrics::Counter& out_of_order =
      r.NewCounter("prometheus_target_scrapes_sample_out_of_order_total",
                   "Total number of samples rejected due to not being out of the expected order.");
  metrics::Counter& duplicate = r.NewCounter(
      "prometheus_target_scrapes_sample_duplicate_timestamp_total",
      "Total number of samples rejected due to duplicate timestamps but different values.");
  metrics::Counter& out_of_bounds = r.NewCounter(
      "prometheus_target_scrapes_sample_out_of_bounds_total",
      "Total number of samples rejected due to timestamp falling outside of the time bounds.");
  metrics::Counter& sample_limit =
      r.NewCounter("prometheus_target_scrapes_exceeded_sample_limit_total",
                   "Total number of scrapes that hit the sample limit and were rejected.");
  metrics::Counter& body_size_limit =
      r.NewCounter("prometheus_target_scrapes_exceeded_body_size_limit_total",
                   "Total number of scrapes that hit the body size limit.");
  metrics::Counter& exemplar_out_of_order =
      r.NewCounter("prometheus_target_scrapes_exemplar_out_of_order_total",
                   "Total number of exemplar rejected due to not being out of the expected order.");
};

LoopMetrics& Metrics() {
  static LoopMetrics* m = new LoopMetrics();
  return *m;
}

// Counts an append error that only skips the sample; false for any other error.
bool CountSkippedSample(const absl::Status& s) {
  if (tsdb::IsOutOfOrder(s)) {
    Metrics().out_of_order.Inc();
  } else if (tsdb::IsDuplicateSample(s)) {
    Metrics().duplicate.Inc();
  } else if (tsdb::IsOutOfBounds(s) || tsdb::IsTooOldSample(s)) {
    Metrics().out_of_bounds.Inc();
  } else {
    return false;
  }
  return true;
}

// Keeps a HELP, TYPE or UNIT line in the cache (a comment is ignored).
void RecordMetadata(const Parser& p, Entry entry, ScrapeCache* cache) {
  if (entry == Entry::kHelp) {
    cache->SetHelp(p.MetadataName(), p.Help());
  } else if (entry == Entry::kType) {
    cache->SetType(p.MetadataName(), p.Type());
  } else if (entry == Entry::kUnit) {
    cache->SetUnit(p.MetadataName(), p.Unit());
  }
}

// The scrape error as Prometheus words it.
std::string ErrorText(const absl::Status& s) {
  std::string text(AsStd(s.message()));
  if (s.code() == absl::StatusCode::kResourceExhausted &&
      text.starts_with("body size limit exceeded")) {
    Metrics().body_size_limit.Inc();
    return "body size limit exceeded";
  }
  return text;
}

}  // namespace

std::shared_ptr<ScrapeLoop> ScrapeLoop::Create(LoopConfig config, LoopDeps deps) {
  return std::shared_ptr<ScrapeLoop>(new ScrapeLoop(std::move(config), std::move(deps)));
}

ScrapeLoop::ScrapeLoop(LoopConfig config, LoopDeps deps)
    : config_(std::move(config)), deps_(std::move(deps)), timer_(deps_.pool) {
  const Labels& labels = config_.target.labels;
  interval_ = DurationLabel(labels, "__scrape_interval__", config_.job->scrape_interval);
  timeout_ = DurationLabel(labels, "__scrape_timeout__", config_.job->scrape_timeout);
  if (interval_.count() <= 0) interval_ = std::chrono::milliseconds(60'000);
  if (timeout_.count() <= 0 || timeout_ > interval_) timeout_ = interval_;
  LabelsBuilder b;
  for (const Label& l : labels) {
    if (!l.name.starts_with("__")) b.Set(l.name, l.value);
  }
  sample_target_labels_ = b.Build();
  for (size_t i = 0; i < kReportNames.size(); ++i) {
    LabelsBuilder rb;
    rb.Set(kMetricNameLabel, kReportNames[i]);
    MutateSampleLabels(sample_target_labels_, /*honor_labels=*/false, &rb);
    report_labels_[i] = rb.Build();
  }
  status_.scrape_pool = config_.job->job_name;
  status_.scrape_url = config_.target.url;
  status_.discovered_labels = config_.discovered;
  status_.labels = sample_target_labels_;
  status_.interval = interval_;
  status_.timeout = timeout_;
}

std::chrono::milliseconds ScrapeLoop::Offset(int64_t now_ms) const {
  // As Prometheus' Target.offset: a stable point in the interval derived from the target.
  uint64_t h = XxHash64(config_.target.url, config_.target.labels.Hash()) ^ config_.offset_seed;
  const int64_t interval = interval_.count();
  int64_t next = (interval - now_ms % interval) + static_cast<int64_t>(h % interval);
  if (next > interval) next -= interval;
  return std::chrono::milliseconds(next);
}

void ScrapeLoop::Start(std::unique_ptr<ScrapeCache> cache) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_ = cache ? std::move(cache) : std::make_unique<ScrapeCache>();
  PublishMetadataLocked();
  if (stopped_) return;
  next_ = std::chrono::steady_clock::now() + Offset(NowMs());
  ScheduleLocked(next_);
}

void ScrapeLoop::ScheduleLocked(std::chrono::steady_clock::time_point when) {
  deps_.inflight->Add();
  timer_.WaitUntil(when, [self = shared_from_this()](bool fired) {
    self->OnTimer(fired);
    self->deps_.inflight->Done();
  });
}

void ScrapeLoop::OnTimer(bool fired) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!fired || stopped_) return;
  const int64_t start_ms = NowMs();
  const auto started = std::chrono::steady_clock::now();
  if (!forced_error_.ok()) {
    FinishLocked(forced_error_, start_ms, started);
    return;
  }
  net::Request request{.url = config_.target.url, .timeout = timeout_};
  request.headers.Set("Accept", config_.accept);
  request.headers.Set("X-Prometheus-Scrape-Timeout-Seconds",
                      StrCat(static_cast<double>(timeout_.count()) / 1000.0));
  deps_.inflight->Add();
  deps_.client->Do(std::move(request),
                   [self = shared_from_this(), start_ms, started](absl::StatusOr<net::Response> r) {
                     self->OnResponse(std::move(r), start_ms, started);
                     self->deps_.inflight->Done();
                   });
}

void ScrapeLoop::OnResponse(absl::StatusOr<net::Response> response, int64_t start_ms,
                            std::chrono::steady_clock::time_point started) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  FinishLocked(std::move(response), start_ms, started);
}

void ScrapeLoop::SetForcedError(absl::Status error) {
  std::lock_guard<std::mutex> lock(mu_);
  forced_error_ = std::move(error);
}

void ScrapeLoop::FinishLocked(absl::StatusOr<net::Response> response, int64_t start_ms,
                              std::chrono::steady_clock::time_point started) {
  absl::Status err = response.status();
  if (err.ok()) err = net::CheckHttpStatus(*response);
  const double duration =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::unique_ptr<tsdb::Appender> app = deps_.appendable->NewAppender();
  ++cache_->iter;
  cache_->seen = 0;
  cache_->meta_seen = 0;
  scraped_ = post_relabel_ = added_ = 0;
  cache_->cur_seen.clear();
  if (err.ok()) {
    err = AppendBody(app.get(), response->body, response->headers.Get("Content-Type"), start_ms);
    if (!err.ok()) {
      app->Rollback();
      app = deps_.appendable->NewAppender();
    }
  }
  if (err.ok()) {
    // When every cached entry was seen, no series of the last scrape can be gone.
    if (cache_->seen != cache_->series.size()) {
      for (CacheEntry* e : cache_->prev_seen) {
        if (e->last_iter == cache_->iter) continue;
        absl::StatusOr<tsdb::SeriesRef> r =
            app->Append(e->ref, e->labels, start_ms, tsdb::StaleNaN());
        (void)r;  // a newer sample or a duplicate marker: nothing to mark
      }
    }
    cache_->prev_seen.swap(cache_->cur_seen);
    cache_->EvictOldMetadata();
  } else {
    post_relabel_ = added_ = 0;
    AppendStaleLocked(app.get(), start_ms, /*report_too=*/false);
  }
  cache_->cur_seen.clear();
  cache_->EndOrder(err.ok());
  cache_->EvictOld(err.ok());
  if (cache_->metadata_changed) PublishMetadataLocked();
  AppendReportLocked(app.get(), start_ms, duration, err.ok());
  if (absl::Status s = app->Commit(); !s.ok()) {
    kLog.Error("Scrape commit failed", {{"target", config_.target.url}, {"err", s}});
    if (err.ok()) err = s;
  }
  const std::string error_text = err.ok() ? std::string() : ErrorText(err);
  {
    std::lock_guard<std::mutex> status_lock(status_mu_);
    status_.health = err.ok() ? TargetHealth::kUp : TargetHealth::kDown;
    status_.last_error = error_text;
    status_.last_scrape_ms = start_ms;
    status_.last_scrape_duration = duration;
  }
  if (!err.ok()) {
    kLog.Debug("Scrape failed", {{"target", config_.target.url}, {"err", error_text}});
  }
  // The next tick of the schedule that is still ahead; missed ticks are skipped.
  const auto now = std::chrono::steady_clock::now();
  next_ += interval_;
  if (next_ <= now) next_ += ((now - next_) / interval_ + 1) * interval_;
  ScheduleLocked(next_);
}

absl::Status ScrapeLoop::AppendBody(tsdb::Appender* app, std::string_view body,
                                    std::string_view content_type, int64_t ts) {
  const config::ScrapeConfig& job = *config_.job;
  std::unique_ptr<Parser> parser = NewParser(ChooseFormat(content_type).format, body);
  // A head appender appends through the series the cache keeps pinned (tsdb/pinned_series.h).
  auto* pinning = dynamic_cast<tsdb::PinningAppender*>(app);
  LabelsBuilder builder;
  Exemplar exemplar;
  uint64_t skipped = 0;
  for (;;) {
    const size_t pos = cache_->cur_order.size();
    // A line as in the last scrape is recognized without decoding its labels.
    parser->ExpectSeries(cache_->Predicted(pos));
    ASSIGN_OR_RETURN(Entry entry, parser->Next());
    if (entry == Entry::kEof) break;
    if (entry != Entry::kSeries) {
      RecordMetadata(*parser, entry, cache_.get());
      continue;
    }
    ++scraped_;
    ScrapeCache::Slot* slot =
        parser->SeriesExpected() ? cache_->prev_order[pos] : cache_->Find(parser->Series(), pos);
    if (slot == nullptr) {
      CacheEntry e;
      parser->Labels(&builder);
      MutateSampleLabels(sample_target_labels_, job.honor_labels, &builder);
      e.dropped = !Relabel(job.metric_relabel_configs, &builder);
      if (!e.dropped) {
        e.labels = builder.Build();
        e.dropped = e.labels.empty();
      }
      if (!e.dropped) RETURN_IF_ERROR(CheckLabelLimits(e.labels, job.limits));
      slot = &*cache_->series.emplace(std::string(parser->Series()), std::move(e)).first;
    }
    cache_->cur_order.push_back(slot);
    CacheEntry& e = slot->second;
    const bool first_this_scrape = e.last_iter != cache_->iter;
    e.last_iter = cache_->iter;
    if (first_this_scrape) ++cache_->seen;
    if (e.dropped) continue;
    if (++post_relabel_ > job.limits.sample_limit && job.limits.sample_limit > 0) {
      Metrics().sample_limit.Inc();
      return absl::ResourceExhaustedError("sample limit exceeded");
    }
    std::optional<int64_t> explicit_ts = job.honor_timestamps ? parser->Timestamp() : std::nullopt;
    const int64_t t = explicit_ts.value_or(ts);
    absl::StatusOr<tsdb::SeriesRef> ref = e.series && pinning != nullptr
                                              ? pinning->AppendPinned(e.series, t, parser->Value())
                                              : app->Append(e.ref, e.labels, t, parser->Value());
    if (!ref.ok()) {
      if (!CountSkippedSample(ref.status())) return ref.status();
      ++skipped;
      continue;
    }
    if (e.ref == 0) ++added_;
    // Pinned once, so that later scrapes append without looking the series up.
    if (pinning != nullptr && !e.series) e.series = pinning->PinSeries(*ref);
    e.ref = *ref;
    if (parser->Exemplar(&exemplar)) {
      AppendExemplar(app, e, std::move(exemplar), explicit_ts.value_or(ts));
    }
    if (first_this_scrape && (!explicit_ts || job.track_timestamps_staleness)) {
      cache_->cur_seen.push_back(&e);
    }
  }
  if (skipped > 0) {
    kLog.Debug("Samples skipped (out of order, duplicate or out of bounds)",
               {{"target", config_.target.url}, {"count", skipped}});
  }
  return absl::OkStatus();
}

void ScrapeLoop::AppendExemplar(tsdb::Appender* app, const CacheEntry& e, Exemplar exemplar,
                                int64_t sample_ts) {
  // As Prometheus: an exemplar without a timestamp takes its sample's; a refused exemplar never
  // fails the scrape.
  tsdb::Exemplar x{.labels = std::move(exemplar.labels),
                   .value = exemplar.value,
                   .ts = exemplar.timestamp_ms.value_or(sample_ts),
                   .has_ts = exemplar.timestamp_ms.has_value()};
  absl::StatusOr<tsdb::SeriesRef> r = app->AppendExemplar(e.ref, e.labels, x);
  if (r.ok()) return;
  if (tsdb::IsOutOfOrderExemplar(r.status())) Metrics().exemplar_out_of_order.Inc();
  kLog.Debug("Exemplar not stored", {{"target", config_.target.url}, {"err", r.status()}});
}

void ScrapeLoop::PublishMetadataLocked() {
  auto list = std::make_shared<const std::vector<MetricMetadata>>(cache_->MetadataList());
  cache_->metadata_changed = false;
  std::lock_guard<std::mutex> lock(status_mu_);
  metadata_ = std::move(list);
}

std::shared_ptr<const std::vector<MetricMetadata>> ScrapeLoop::Metadata() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return metadata_;
}

void ScrapeLoop::AppendStaleLocked(tsdb::Appender* app, int64_t ts, bool report_too) {
  for (CacheEntry* e : cache_->prev_seen) {
    absl::StatusOr<tsdb::SeriesRef> r = app->Append(e->ref, e->labels, ts, tsdb::StaleNaN());
    (void)r;
  }
  cache_->prev_seen.clear();
  if (!report_too || cache_->iter == 0) return;  // never scraped: no report series yet
  for (size_t i = 0; i < report_labels_.size(); ++i) {
    absl::StatusOr<tsdb::SeriesRef> r =
        app->Append(report_refs_[i], report_labels_[i], ts, tsdb::StaleNaN());
    (void)r;
  }
}

void ScrapeLoop::AppendReportLocked(tsdb::Appender* app, int64_t ts, double duration, bool up) {
  const std::array<double, 5> values = {up ? 1.0 : 0.0, duration, static_cast<double>(scraped_),
                                        static_cast<double>(post_relabel_),
                                        static_cast<double>(added_)};
  for (size_t i = 0; i < values.size(); ++i) {
    absl::StatusOr<tsdb::SeriesRef> r =
        app->Append(report_refs_[i], report_labels_[i], ts, values[i]);
    if (r.ok()) report_refs_[i] = *r;
  }
}

std::unique_ptr<ScrapeCache> ScrapeLoop::Stop(bool write_stale) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return nullptr;
  stopped_ = true;
  timer_.Cancel();
  if (write_stale && cache_ != nullptr) {
    std::unique_ptr<tsdb::Appender> app = deps_.appendable->NewAppender();
    AppendStaleLocked(app.get(), NowMs(), /*report_too=*/true);
    if (absl::Status s = app->Commit(); !s.ok()) {
      kLog.Error("Writing stale markers failed", {{"target", config_.target.url}, {"err", s}});
    }
  }
  return std::move(cache_);
}

TargetStatus ScrapeLoop::Status() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

}  // namespace sundial::scrape::internal
