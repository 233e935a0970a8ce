// Vector selectors (lookback, staleness), matrix selectors and subqueries.
#include <algorithm>
#include <optional>
#include <utility>

#include "base/status_macros.h"
#include "promql/evaluator.h"
#include "tsdb/value.h"

namespace sundial::promql {

absl::Status Evaluator::ForEachSelected(
    const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms,
    absl::FunctionRef<absl::Status(const tsdb::Series&, tsdb::SampleIterator&)> f) {
  tsdb::SelectHints hints;
  hints.start = mint;
  hints.end = maxt;
  hints.step_ms = grid_.step;
  hints.range_ms = range_ms;
  std::unique_ptr<tsdb::SeriesSet> set = ctx_->querier->Select(hints, vs.matchers);
  std::unique_ptr<tsdb::SampleIterator> it;  // reused from series to series
  for (size_t k = 0; set->Next(); ++k) {
    if (k % 256 == 0) RETURN_IF_ERROR(CheckInterrupt());
    const tsdb::Series& s = set->At();
    it = s.IteratorReusing(std::move(it));
    RETURN_IF_ERROR(f(s, *it));
  }
  return set->Err();
}

absl::Status Evaluator::SelectEach(
    const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms,
    absl::FunctionRef<absl::Status(const Labels&, std::vector<FPoint>&)> f) {
  if (mint > maxt) return absl::OkStatus();
  int64_t total = 0;
  std::vector<FPoint> scratch;
  RETURN_IF_ERROR(ForEachSelected(
      vs, mint, maxt, range_ms,
      [&](const tsdb::Series& s, tsdb::SampleIterator& it) -> absl::Status {
        scratch.clear();
        it.ReadFloatsIn(mint, maxt,
                        [&scratch](const tsdb::Timestamp* t, const double* v, size_t n) {
                          for (size_t i = 0; i < n; ++i) scratch.push_back(FPoint{t[i], v[i]});
                        });
        RETURN_IF_ERROR(it.Err());
        if (scratch.empty()) return absl::OkStatus();
        total += static_cast<int64_t>(scratch.size());
        return f(s.labels(), scratch);
      }));
  ctx_->stats->samples_loaded += total;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RangeSeries>> Evaluator::Select(const VectorSelector& vs, int64_t mint,
                                                           int64_t maxt, int64_t range_ms) {
  std::vector<RangeSeries> out;
  RETURN_IF_ERROR(SelectEach(vs, mint, maxt, range_ms,
                             [&out](const Labels& labels, std::vector<FPoint>& points) {
                               RangeSeries& rs = out.emplace_back();
                               rs.labels = labels;
                               rs.points.assign(points.begin(), points.end());
                               return absl::OkStatus();
                             }));
  return out;
}

absl::Status Evaluator::SelectStepSeries(const VectorSelector& vs, bool timestamps,
                                         SeriesSink sink) {
  ASSIGN_OR_RETURN(std::vector<int64_t> ts, ModifiedTimes(vs.mods));
  const int64_t lookback = ctx_->options->lookback_delta_ms;
  auto [lo, hi] = std::minmax_element(ts.begin(), ts.end());
  if (*lo == *hi) return SelectLatest(vs, *hi, timestamps, sink);
  const bool sorted = std::is_sorted(ts.begin(), ts.end());
  std::vector<double> v(grid_.n);
  std::vector<uint8_t> has(grid_.n);
  return SelectEach(
      vs, *lo - lookback + 1, *hi, 0, [&](const Labels& labels, std::vector<FPoint>& points) {
        int64_t present = 0;
        const FPoint* const begin = points.data();
        const FPoint* const end = begin + points.size();
        const FPoint* next = begin;  // the first point after ts[i]
        for (size_t i = 0; i < grid_.n; ++i) {
          v[i] = 0;
          has[i] = 0;
          if (sorted) {
            while (next != end && next->t <= ts[i]) ++next;
          } else {
            next = std::upper_bound(begin, end, ts[i],
                                    [](int64_t t, const FPoint& p) { return t < p.t; });
          }
          if (next == begin) continue;
          const FPoint* it = next - 1;
          if (it->t <= ts[i] - lookback || tsdb::IsStaleNaN(it->v)) continue;
          v[i] = timestamps ? static_cast<double>(it->t) / 1000.0 : it->v;
          has[i] = 1;
          ++present;
        }
        RETURN_IF_ERROR(CountSamples(present, 0));
        if (present == 0) return absl::OkStatus();
        return sink(StepSeriesView{labels, false, v, has});
      });
}

absl::Status Evaluator::SelectLatest(const VectorSelector& vs, int64_t t, bool timestamps,
                                     SeriesSink sink) {
  const int64_t mint = t - ctx_->options->lookback_delta_ms + 1;
  if (mint > t) return absl::OkStatus();
  std::vector<double> v(grid_.n);
  const std::vector<uint8_t> has(grid_.n, 1);
  int64_t loaded = 0;
  RETURN_IF_ERROR(ForEachSelected(
      vs, mint, t, 0, [&](const tsdb::Series& s, tsdb::SampleIterator& it) -> absl::Status {
        const std::optional<std::pair<tsdb::Timestamp, double>> last = it.LastFloatIn(mint, t);
        RETURN_IF_ERROR(it.Err());
        if (!last.has_value()) return absl::OkStatus();
        ++loaded;
        if (tsdb::IsStaleNaN(last->second)) return absl::OkStatus();
        std::fill(v.begin(), v.end(),
                  timestamps ? static_cast<double>(last->first) / 1000.0 : last->second);
        RETURN_IF_ERROR(CountSamples(static_cast<int64_t>(grid_.n), 0));
        return sink(StepSeriesView{s.labels(), false, v, has});
      }));
  ctx_->stats->samples_loaded += loaded;
  return absl::OkStatus();
}

absl::StatusOr<EvalValue> Evaluator::EvalVectorSelector(const VectorSelector& vs, bool timestamps) {
  EvalValue out;
  out.type = ValueType::kVector;
  RETURN_IF_ERROR(SelectStepSeries(vs, timestamps, [&](const StepSeriesView& s) {
    StepSeries& o = out.series.emplace_back();
    o.labels = s.labels;
    o.v.assign(s.v.begin(), s.v.end());
    o.has.assign(s.has.begin(), s.has.end());
    return absl::OkStatus();
  }));
  return out;
}

absl::Status RangeStream::ForEach(
    absl::FunctionRef<absl::Status(const Labels&, std::vector<FPoint>&)> f) const {
  return ev->SelectEach(
      *vs, mint, maxt, range_ms, [&](const Labels& labels, std::vector<FPoint>& points) {
        std::erase_if(points, [](const FPoint& p) { return tsdb::IsStaleNaN(p.v); });
        if (points.empty()) return absl::OkStatus();
        return f(labels, points);
      });
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
  const int64_t mint = *lo - in.range_ms + 1, maxt = *hi;
  if (&ms == stream_target_) {
    stream_target_ = nullptr;
    in.stream = RangeStream{this, &vs, mint, maxt, in.range_ms, stream_sink_};
    return in;
  }
  ASSIGN_OR_RETURN(in.series, Select(vs, mint, maxt, in.range_ms));
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
  auto add = [&](const Labels& labels, bool drop_name, const double* vals, const uint8_t* has) {
    RangeSeries rs;
    rs.labels = labels;
    rs.drop_name = drop_name;
    for (size_t i = 0; i < g.n; ++i) {
      if (has == nullptr || has[i]) rs.points.push_back(FPoint{g.T(i), vals[i]});
    }
    if (!rs.points.empty()) in.series.push_back(std::move(rs));
  };
  if (v.type == ValueType::kScalar) {
    add(Labels(), false, v.scalar.data(), nullptr);
  } else {
    for (const StepSeries& s : v.series) add(s.labels, s.drop_name, s.v.data(), s.has.data());
  }
  return in;
}

}  // namespace sundial::promql
