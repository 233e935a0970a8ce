#include "base/metrics_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "base/metrics_fatal.h"
#include "base/metrics_snapshot.h"
#include "base/metrics_text_format.h"
#include "base/str_cat.h"

namespace sundial::metrics {

std::vector<double> DefaultBuckets() { return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}; }

std::vector<double> LinearBuckets(double start, double width, int count) {
  if (count < 1 || !(width > 0)) {
    internal::Fatal(StrCat("LinearBuckets needs count >= 1 and width > 0, got count ", count,
                           " width ", width));
  }
  std::vector<double> bounds(static_cast<size_t>(count));
  for (size_t i = 0; i < bounds.size(); ++i) bounds[i] = start + width * static_cast<double>(i);
  return bounds;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  if (count < 1 || !(start > 0) || !(factor > 1)) {
    internal::Fatal(StrCat("ExponentialBuckets needs count >= 1, start > 0 and factor > 1, got ",
                           "count ", count, " start ", start, " factor ", factor));
  }
  std::vector<double> bounds(static_cast<size_t>(count));
  double bound = start;
  for (double& b : bounds) {
    b = bound;
    bound *= factor;
  }
  return bounds;
}

Histogram::Histogram(std::vector<double> upper_bounds) : upper_bounds_(std::move(upper_bounds)) {
  if (!upper_bounds_.empty() && std::isinf(upper_bounds_.back()) && upper_bounds_.back() > 0) {
    upper_bounds_.pop_back();
  }
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    if (std::isnan(upper_bounds_[i]) || (i > 0 && !(upper_bounds_[i - 1] < upper_bounds_[i]))) {
      internal::Fatal(StrCat("histogram buckets must be strictly increasing, bound ", i, " is ",
                             FormatFloat(upper_bounds_[i])));
    }
  }
  counts_ = std::make_unique<std::atomic<uint64_t>[]>(upper_bounds_.size() + 1);
}

void Histogram::Observe(double v) {
  size_t i = upper_bounds_.size();  // +Inf, also for NaN
  if (!std::isnan(v)) {
    i = static_cast<size_t>(std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v) -
                            upper_bounds_.begin());
  }
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.Add(v);
}

void Histogram::Collect(MetricSnapshot* out) const {
  out->buckets.resize(upper_bounds_.size());
  uint64_t cumulative = 0;
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    out->buckets[i] = {upper_bounds_[i], cumulative};
  }
  out->count = cumulative + counts_[upper_bounds_.size()].load(std::memory_order_relaxed);
  out->sum = sum_.Load();
}

}  // namespace sundial::metrics
