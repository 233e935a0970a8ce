// rate, increase, delta (with Prometheus' extrapolation), irate, idelta, deriv,
// predict_linear, resets, changes.
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "promql/evaluator.h"
#include "promql/functions.h"

namespace sundial::promql {
namespace {

// The positions k of a series' points where the value drops: v[k] < v[k-1] (counter resets).
void FindResets(std::span<const FPoint> points, std::vector<size_t>* resets) {
  resets->clear();
  for (size_t k = 1; k < points.size(); ++k) {
    if (points[k].v < points[k - 1].v) resets->push_back(k);
  }
}

// Prometheus' extrapolatedRate over the window (end - range, end]. For counters, w is a span of
// the series' points starting at base, and resets are FindResets of those points.
bool ExtrapolatedRate(std::span<const FPoint> w, const FPoint* base,
                      const std::vector<size_t>& resets, int64_t end, int64_t range, bool counter,
                      bool rate, double* out) {
  if (w.size() < 2) return false;
  const FPoint& first = w.front();
  const FPoint& last = w.back();
  double result = last.v - first.v;
  if (counter) {
    // Adds the value before each reset inside the window, in order (as Prometheus' loop).
    const size_t lo = static_cast<size_t>(w.data() - base), hi = lo + w.size();
    for (auto it = std::upper_bound(resets.begin(), resets.end(), lo);
         it != resets.end() && *it < hi; ++it) {
      result += base[*it - 1].v;
    }
  }
  double to_start = static_cast<double>(first.t - (end - range)) / 1000;
  double to_end = static_cast<double>(end - last.t) / 1000;
  double sampled = static_cast<double>(last.t - first.t) / 1000;
  double avg = sampled / static_cast<double>(w.size() - 1);
  double threshold = avg * 1.1;
  if (to_start >= threshold) to_start = avg / 2;
  if (counter && result > 0 && first.v >= 0) {
    double to_zero = sampled * (first.v / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  if (to_end >= threshold) to_end = avg / 2;
  double factor = (sampled + to_start + to_end) / sampled;
  if (rate) factor /= static_cast<double>(range) / 1000;
  *out = result * factor;
  return true;
}

// Least-squares fit of the window with x in seconds relative to intercept_t (Kahan sums).
std::pair<double, double> LinearRegression(std::span<const FPoint> w, int64_t intercept_t) {
  double n = 0, sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
  const double init = w[0].v;
  bool const_y = true;
  for (size_t i = 0; i < w.size(); ++i) {
    if (const_y && i > 0 && w[i].v != init) const_y = false;
    n += 1;
    double x = static_cast<double>(w[i].t - intercept_t) / 1e3;
    KahanAdd(x, &sx, &cx);
    KahanAdd(w[i].v, &sy, &cy);
    KahanAdd(x * w[i].v, &sxy, &cxy);
    KahanAdd(x * x, &sx2, &cx2);
  }
  if (const_y) {
    if (std::isinf(init)) return {std::nan(""), std::nan("")};
    return {0, init};
  }
  sx += cx;
  sy += cy;
  sxy += cxy;
  sx2 += cx2;
  double cov = sxy - sx * sy / n;
  double var = sx2 - sx * sx / n;
  double slope = cov / var;
  return {slope, sy / n - slope * sx / n};
}

// Prometheus 3.x's info for rate() and increase() over a series whose name does not end like a
// counter's; each name once.
class NonCounterNames {
 public:
  void Check(const Evaluator& ev, const Labels& labels, PosRange pos) {
    const std::string_view name = labels.Get(kMetricNameLabel);
    if (name.empty() || name.ends_with("_total") || name.ends_with("_sum") ||
        name.ends_with("_count") || name.ends_with("_bucket") || !seen_.emplace(name).second) {
      return;
    }
    ev.Info(StrCat("metric might not be a counter, name does not end in "
                   "_total/_sum/_count/_bucket: ",
                   GoQuote(name)),
            pos);
  }

 private:
  absl::flat_hash_set<std::string> seen_;
};

}  // namespace

absl::StatusOr<EvalValue> CallRangeFunction(Evaluator& ev, const Call& c) {
  const std::string_view name = c.func->name;
  const size_t n = ev.grid().n;
  if (name == "rate" || name == "increase" || name == "delta") {
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    const bool counter = name != "delta", rate = name == "rate";
    const FPoint* base = nullptr;
    std::vector<size_t> resets;
    NonCounterNames non_counters;
    return MapWindows(
        in, n, true,
        [&](std::span<const FPoint> points) {
          base = points.data();
          if (counter) FindResets(points, &resets);
        },
        [&](std::span<const FPoint> w, size_t i, double* out) {
          return ExtrapolatedRate(w, base, resets, in.ends[i], in.range_ms, counter, rate, out);
        },
        [&](const Labels& labels, int64_t present) {
          if (counter && present > 0) non_counters.Check(ev, labels, c.args[0]->pos);
        });
  }
  if (name == "irate" || name == "idelta") {
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    const bool is_rate = name == "irate";
    return MapWindows(in, n, true, [&](std::span<const FPoint> w, size_t, double* out) {
      if (w.size() < 2) return false;
      const FPoint& prev = w[w.size() - 2];
      const FPoint& last = w.back();
      double d = last.v - prev.v;
      if (!is_rate) {
        *out = d;
        return true;
      }
      if (last.v < prev.v) d = last.v;
      double dt = static_cast<double>(last.t - prev.t) / 1000;
      if (dt == 0) return false;
      *out = d / dt;
      return true;
    });
  }
  if (name == "deriv") {
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    return MapWindows(in, n, true, [&](std::span<const FPoint> w, size_t, double* out) {
      if (w.size() < 2) return false;
      *out = LinearRegression(w, w[0].t).first;
      return true;
    });
  }
  if (name == "predict_linear") {
    ASSIGN_OR_RETURN(EvalValue dur, ev.Eval(*c.args[1]));
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    const Grid& g = ev.grid();
    return MapWindows(in, n, true, [&](std::span<const FPoint> w, size_t i, double* out) {
      if (w.size() < 2) return false;
      auto [slope, intercept] = LinearRegression(w, g.T(i));
      *out = slope * dur.scalar[i] + intercept;
      return true;
    });
  }
  if (name == "resets" || name == "changes") {
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    const bool resets = name == "resets";
    return MapWindows(in, n, true, [&](std::span<const FPoint> w, size_t, double* out) {
      double count = 0;
      for (size_t k = 1; k < w.size(); ++k) {
        double prev = w[k - 1].v, cur = w[k].v;
        if (resets ? cur < prev : !(cur == prev || (std::isnan(cur) && std::isnan(prev)))) {
          count += 1;
        }
      }
      *out = count;
      return true;
    });
  }
  return absl::NotFoundError("");
}

}  // namespace sundial::promql
