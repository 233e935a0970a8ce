// Summary: counts observations (fsync durations, GC pauses) with their sum and, if it has
// objectives, the chosen quantiles of the recent ones, exposed as client_golang exposes a
// summary: `name{quantile="0.5"}` ... then `name_sum` and `name_count`.
//
//   Summary& fsync = registry.NewSummary(
//       "prometheus_tsdb_wal_fsync_duration_seconds", "Duration of write log fsync.",
//       {.objectives = {{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}}});
//   fsync.Observe(0.0042);
//
// _sum and _count cover every observation since start. Quantiles cover a sliding window as in
// client_golang: max_age split into age_buckets spans; they are computed over the observations
// made since the window's start, which moves one span at a time and lies between
// max_age - max_age/age_buckets and max_age in the past. A quantile with no observation in the
// window is NaN. Quantiles here are exact (the rank-ceil(q*n) observation), which is within
// any allowed error; for that the summary keeps every observation of its window, so one with
// objectives is for events counted in thousands per window at most, not per-sample paths.
//
// Thread-safe. Without objectives Observe is lock-free; with objectives it takes a mutex.
#ifndef SUNDIAL_BASE_METRICS_SUMMARY_H_
#define SUNDIAL_BASE_METRICS_SUMMARY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/metrics_atomic_double.h"

namespace sundial::metrics {

struct MetricSnapshot;

struct SummaryOptions {
  using Clock = std::chrono::steady_clock;
  // Quantile -> allowed rank error, as client_golang's Objectives. Quantiles in [0, 1], errors
  // in [0, 1] (aborts otherwise). Empty: the summary exposes only _sum and _count.
  std::map<double, double> objectives;
  // The quantiles' window, client_golang's defaults. REQUIRES: max_age > 0, age_buckets >= 1.
  Clock::duration max_age = std::chrono::minutes(10);
  int age_buckets = 5;
  // The time source; null: Clock::now. Lets tests move time.
  std::function<Clock::time_point()> now;
};

class Summary {
 public:
  explicit Summary(SummaryOptions options = {});
  Summary(const Summary&) = delete;
  Summary& operator=(const Summary&) = delete;

  // A NaN counts in _count and makes _sum NaN, as in client_golang, but takes no quantile rank.
  void Observe(double v);

  // Fills out->quantiles (one per objective, ascending), out->count and out->sum.
  void Collect(MetricSnapshot* out) const;

 private:
  using TimePoint = SummaryOptions::Clock::time_point;

  // Moves the window's start up to `now` and drops the observations before it.
  void AdvanceLocked(TimePoint now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SummaryOptions options_;
  const SummaryOptions::Clock::duration span_;  // max_age / age_buckets
  const TimePoint created_;
  std::atomic<uint64_t> count_{0};
  AtomicDouble sum_;

  mutable absl::Mutex mu_;
  // Where the current span ends; the window starts max_age before that (not before creation).
  mutable TimePoint span_end_ ABSL_GUARDED_BY(mu_);
  // The window's observations with their times, oldest first.
  mutable std::deque<std::pair<TimePoint, double>> window_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_SUMMARY_H_
