#include "base/metrics_summary.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "base/metrics_fatal.h"
#include "base/metrics_snapshot.h"
#include "base/metrics_text_format.h"
#include "base/str_cat.h"

namespace sundial::metrics {
namespace {

SummaryOptions Validated(SummaryOptions options) {
  for (const auto& [q, err] : options.objectives) {
    if (!(q >= 0 && q <= 1) || !(err >= 0 && err <= 1)) {
      internal::Fatal(StrCat("summary objective ", FormatFloat(q), " with error ", FormatFloat(err),
                             ": both must be in [0, 1]"));
    }
  }
  if (options.max_age <= SummaryOptions::Clock::duration::zero() || options.age_buckets < 1) {
    internal::Fatal("summary needs max_age > 0 and age_buckets >= 1");
  }
  if (!options.now) options.now = [] { return SummaryOptions::Clock::now(); };
  return options;
}

}  // namespace

Summary::Summary(SummaryOptions options)
    : options_(Validated(std::move(options))),
      span_(options_.max_age / options_.age_buckets),
      created_(options_.now()),
      span_end_(created_ + span_) {}

void Summary::Observe(double v) {
  if (!options_.objectives.empty() && !std::isnan(v)) {  // NaN has no rank
    const TimePoint now = options_.now();
    absl::MutexLock lock(&mu_);
    AdvanceLocked(now);
    window_.emplace_back(now, v);
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.Add(v);
}

void Summary::AdvanceLocked(TimePoint now) const {
  if (now < span_end_) return;
  // Whole spans passed since span_end_, plus the one now is in.
  span_end_ += span_ * ((now - span_end_) / span_ + 1);
  const TimePoint start = std::max(created_, span_end_ - options_.max_age);
  while (!window_.empty() && window_.front().first < start) window_.pop_front();
}

void Summary::Collect(MetricSnapshot* out) const {
  out->count = count_.load(std::memory_order_relaxed);
  out->sum = sum_.Load();
  out->quantiles.clear();
  if (options_.objectives.empty()) return;
  std::vector<double> values;
  {
    const TimePoint now = options_.now();
    absl::MutexLock lock(&mu_);
    AdvanceLocked(now);
    values.reserve(window_.size());
    for (const auto& [t, v] : window_) values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  for (const auto& [q, err] : options_.objectives) {
    double value = NAN;
    if (!values.empty()) {
      // The observation of rank ceil(q*n), 1-based; q = 0 is the smallest.
      const double rank = std::ceil(q * static_cast<double>(values.size()));
      const size_t i = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
      value = values[std::min(i, values.size() - 1)];
    }
    out->quantiles.push_back({q, value});
  }
}

}  // namespace sundial::metrics
