// Vector selectors (lookback, staleness), matrix selectors and subqueries.
#include <algorithm>

#include "base/status_macros.h"
#include "promql/evaluator.h"
#include "tsdb/value.h"

namespace sundial::promql {

absl::StatusOr<std::vector<RangeSeries>> Evaluator::Select(const VectorSelector& vs, int64_t mint,
                                                           int64_t maxt, int64_t range_ms) {
  std::vector<RangeSeries> out;
  if (mint > maxt) return out;
  tsdb::SelectHints hints;
  hints.start = mint;
  hints.end = maxt;
  hints.step_ms = grid_.step;
  hints.range_ms = range_ms;
  std::unique_ptr<tsdb::SeriesSet> set = ctx_->querier->Select(hints, vs.matchers);
  int64_t total = 0;
  std::vector<FPoint> scratch;  // decoded here, then copied once at the exact size
  for (size_t k = 0; set->Next(); ++k) {
    if (k % 256 == 0) RETURN_IF_ERROR(CheckInterrupt());
    const tsdb::Series& s = set->At();
    scratch.clear();
    std::unique_ptr<tsdb::SampleIterator> it = s.Iterator();
    for (tsdb::ValueType vt = it->Seek(mint); vt != tsdb::ValueType::kNone; vt = it->Next()) {
      if (vt != tsdb::ValueType::kFloat) continue;
      auto [t, v] = it->At();
      if (t > maxt) break;
      scratch.push_back(FPoint{t, v});
    }
    RETURN_IF_ERROR(it->Err());
    if (scratch.empty()) continue;
    total += static_cast<int64_t>(scratch.size());
    RETURN_IF_ERROR(CheckSamples(total));
    RangeSeries& rs = out.emplace_back();
    rs.labels = s.labels();
    rs.points.assign(scratch.begin(), scratch.end());
  }
  RETURN_IF_ERROR(set->Err());
  ctx_->stats->samples_loaded += total;
  return out;
}

absl::StatusOr<EvalValue> Evaluator::EvalVectorSelector(const VectorSelector& vs, bool timestamps) {
  ASSIGN_OR_RETURN(std::vector<int64_t> ts, ModifiedTimes(vs.mods));
  const int64_t lookback = ctx_->options->lookback_delta_ms;
  auto [lo, hi] = std::minmax_element(ts.begin(), ts.end());
  ASSIGN_OR_RETURN(std::vector<RangeSeries> selected, Select(vs, *lo - lookback + 1, *hi, 0));
  EvalValue out;
  out.type = ValueType::kVector;
  out.series.reserve(selected.size());
  const bool sorted = std::is_sorted(ts.begin(), ts.end());
  for (RangeSeries& rs : selected) {
    StepSeries s;
    s.v.assign(grid_.n, 0);
    s.has.assign(grid_.n, 0);
    bool any = false;
    const FPoint* const begin = rs.points.data();
    const FPoint* const end = begin + rs.points.size();
    const FPoint* next = begin;  // the first point after ts[i]
    for (size_t i = 0; i < grid_.n; ++i) {
      if (sorted) {
        while (next != end && next->t <= ts[i]) ++next;
      } else {
        next =
            std::upper_bound(begin, end, ts[i], [](int64_t t, const FPoint& p) { return t < p.t; });
      }
      if (next == begin) continue;
      const FPoint* it = next - 1;
      if (it->t <= ts[i] - lookback || tsdb::IsStaleNaN(it->v)) continue;
      s.v[i] = timestamps ? static_cast<double>(it->t) / 1000.0 : it->v;
      s.has[i] = 1;
      any = true;
    }
    if (!any) continue;
    s.labels = std::move(rs.labels);
    out.series.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<RangeInput> Evaluator::EvalMatrixSelector(const MatrixSelector& ms) {
  const VectorSelector& vs = ms.vector_selector();
  RangeInput in;
  in.range_ms = ms.range_ms;
  if (ms.range_expr != nullptr) {
    ASSIGN_OR_RETURN(in.range_ms, EvalDuration(*ms.range_expr, *ctx_));
  }
  ASSIGN_OR_RETURN(in.ends, ModifiedTimes(vs.mods));
  auto [lo, hi] = std::minmax_element(in.ends.begin(), in.ends.end());
  ASSIGN_OR_RETURN(in.series, Select(vs, *lo - in.range_ms + 1, *hi, in.range_ms));
  for (RangeSeries& rs : in.series) {
    std::erase_if(rs.points, [](const FPoint& p) { return tsdb::IsStaleNaN(p.v); });
  }
  std::erase_if(in.series, [](const RangeSeries& rs) { return rs.points.empty(); });
  return in;
}

absl::StatusOr<RangeInput> Evaluator::EvalSubquery(const SubqueryExpr& sq) {
  RangeInput in;
  in.range_ms = sq.range_ms;
  if (sq.range_expr != nullptr) {
    ASSIGN_OR_RETURN(in.range_ms, EvalDuration(*sq.range_expr, *ctx_));
  }
  int64_t step = sq.step_ms;
  if (sq.step_expr != nullptr) {
    ASSIGN_OR_RETURN(step, EvalDuration(*sq.step_expr, *ctx_));
  }
  if (step <= 0) step = ctx_->options->default_subquery_step_ms;
  ASSIGN_OR_RETURN(in.ends, ModifiedTimes(sq.mods));
  auto [lo, hi] = std::minmax_element(in.ends.begin(), in.ends.end());
  // The first step-aligned timestamp after the earliest window's start (Go's truncating
  // division, as Prometheus).
  const int64_t from = *lo - in.range_ms;
  int64_t start = step * (from / step);
  if (start <= from) start += step;
  if (start > *hi) return in;
  Evaluator inner(ctx_, Grid::Make(start, *hi, step));
  ASSIGN_OR_RETURN(EvalValue v, inner.Eval(*sq.expr));
  const Grid& g = inner.grid();
  int64_t total = 0;
  auto add = [&](const Labels& labels, bool drop_name, const double* vals, const uint8_t* has) {
    RangeSeries rs;
    rs.labels = labels;
    rs.drop_name = drop_name;
    for (size_t i = 0; i < g.n; ++i) {
      if (has == nullptr || has[i]) rs.points.push_back(FPoint{g.T(i), vals[i]});
    }
    total += static_cast<int64_t>(rs.points.size());
    if (!rs.points.empty()) in.series.push_back(std::move(rs));
  };
  if (v.type == ValueType::kScalar) {
    add(Labels(), false, v.scalar.data(), nullptr);
  } else {
    for (const StepSeries& s : v.series) add(s.labels, s.drop_name, s.v.data(), s.has.data());
  }
  RETURN_IF_ERROR(CheckSamples(total));
  return in;
}

}  // namespace sundial::promql
