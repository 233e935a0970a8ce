// The *_over_time functions, absent_over_time and present_over_time.
#include <algorithm>
#include <cmath>

#include "base/status_macros.h"
#include "promql/evaluator.h"
#include "promql/functions.h"

namespace sundial::promql {

absl::StatusOr<EvalValue> CallOverTimeFunction(Evaluator& ev, const Call& c) {
  const std::string_view name = c.func->name;
  const size_t n = ev.grid().n;
  auto fold = [&](AggregateOp op) -> absl::StatusOr<EvalValue> {
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    std::vector<double> vals;
    return MapWindows(in, n, true, [&](std::span<const FPoint> w, size_t, double* out) {
      vals.clear();
      for (const FPoint& p : w) vals.push_back(p.v);
      *out = AggregateFold(op, vals, 0);
      return true;
    });
  };
  if (name == "sum_over_time") return fold(AggregateOp::kSum);
  if (name == "avg_over_time") return fold(AggregateOp::kAvg);
  if (name == "min_over_time") return fold(AggregateOp::kMin);
  if (name == "max_over_time") return fold(AggregateOp::kMax);
  if (name == "count_over_time") return fold(AggregateOp::kCount);
  if (name == "stddev_over_time") return fold(AggregateOp::kStddev);
  if (name == "stdvar_over_time") return fold(AggregateOp::kStdvar);

  auto pick = [&](bool keep_name, auto f) -> absl::StatusOr<EvalValue> {
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    return MapWindows(in, n, !keep_name, [&](std::span<const FPoint> w, size_t, double* out) {
      *out = f(w);
      return true;
    });
  };
  if (name == "last_over_time") {
    return pick(true, [](std::span<const FPoint> w) { return w.back().v; });
  }
  if (name == "first_over_time") {
    return pick(true, [](std::span<const FPoint> w) { return w.front().v; });
  }
  if (name == "present_over_time") {
    return pick(false, [](std::span<const FPoint>) { return 1.0; });
  }
  if (name == "ts_of_last_over_time") {
    return pick(false, [](std::span<const FPoint> w) { return w.back().t / 1000.0; });
  }
  if (name == "ts_of_first_over_time") {
    return pick(false, [](std::span<const FPoint> w) { return w.front().t / 1000.0; });
  }
  if (name == "ts_of_max_over_time" || name == "ts_of_min_over_time") {
    const bool max = name == "ts_of_max_over_time";
    return pick(false, [max](std::span<const FPoint> w) {
      const FPoint* best = &w[0];
      for (const FPoint& p : w) {
        bool better = max ? best->v <= p.v : best->v >= p.v;
        if (better || std::isnan(best->v)) best = &p;
      }
      return best->t / 1000.0;
    });
  }
  if (name == "mad_over_time") {
    return pick(false, [](std::span<const FPoint> w) {
      std::vector<double> vals;
      for (const FPoint& p : w) {
        if (std::isnan(p.v)) return std::nan("");  // the median is undefined
        vals.push_back(p.v);
      }
      double median = Quantile(0.5, vals);
      for (double& v : vals) v = std::fabs(v - median);
      return Quantile(0.5, vals);
    });
  }
  if (name == "quantile_over_time") {
    ASSIGN_OR_RETURN(EvalValue phi, ev.Eval(*c.args[0]));
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[1]));
    std::vector<double> vals;
    return MapWindows(in, n, true, [&](std::span<const FPoint> w, size_t i, double* out) {
      vals.clear();
      for (const FPoint& p : w) vals.push_back(p.v);
      CheckQuantile(ev, phi.scalar[i], c.args[0]->pos);
      *out = Quantile(phi.scalar[i], vals);
      return true;
    });
  }
  if (name == "double_exponential_smoothing" || name == "holt_winters") {
    ASSIGN_OR_RETURN(EvalValue sf, ev.Eval(*c.args[1]));
    ASSIGN_OR_RETURN(EvalValue tf, ev.Eval(*c.args[2]));
    for (size_t i = 0; i < n; ++i) {
      if (sf.scalar[i] <= 0 || sf.scalar[i] >= 1) {
        return absl::InvalidArgumentError("invalid smoothing factor. Expected: 0 < sf < 1, got: " +
                                          FormatFloatG(sf.scalar[i]));
      }
      if (tf.scalar[i] <= 0 || tf.scalar[i] >= 1) {
        return absl::InvalidArgumentError("invalid trend factor. Expected: 0 < tf < 1, got: " +
                                          FormatFloatG(tf.scalar[i]));
      }
    }
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    return MapWindows(in, n, true, [&](std::span<const FPoint> w, size_t i, double* out) {
      if (w.size() < 2) return false;
      const double s = sf.scalar[i], t = tf.scalar[i];
      double s0 = 0, s1 = w[0].v, b = w[1].v - w[0].v;
      for (size_t k = 1; k < w.size(); ++k) {
        double x = s * w[k].v;
        if (k > 1) b = t * (s1 - s0) + (1 - t) * b;
        double y = (1 - s) * (s1 + b);
        s0 = s1;
        s1 = x + y;
      }
      *out = s1;
      return true;
    });
  }
  return absl::NotFoundError("");
}

}  // namespace sundial::promql
