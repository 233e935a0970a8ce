#include "promql/engine.h"

#include <algorithm>
#include <chrono>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "promql/evaluator.h"
#include "promql/printer.h"
#include "promql/query_tracker.h"
#include "promql/series_stream.h"

namespace sundial::promql {
namespace {

Result Failed(absl::Status status) {
  Result r;
  r.status = std::move(status);
  return r;
}

absl::StatusOr<Value> ToValue(const Expr& expr, Evaluator& ev, bool instant) {
  const Grid& g = ev.grid();
  const ValueType type = expr.Type();
  if (type == ValueType::kMatrix) {
    if (!instant) {
      return absl::InvalidArgumentError(
          "invalid expression type \"range vector\" for range query, must be Scalar or instant "
          "Vector");
    }
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(expr));
    Matrix m;
    const int64_t hi = in.ends[0], lo = hi - in.range_ms;
    for (RangeSeries& rs : in.series) {
      Series s;
      s.labels = std::move(rs.labels);
      for (const FPoint& p : rs.points) {
        if (p.t > lo && p.t <= hi) s.points.push_back(p);
      }
      RETURN_IF_ERROR(ev.CountSamples(static_cast<int64_t>(s.points.size()), 0));
      if (!s.points.empty()) m.push_back(std::move(s));
    }
    std::sort(m.begin(), m.end(),
              [](const Series& a, const Series& b) { return a.labels < b.labels; });
    return m;
  }
  if (type == ValueType::kString && !instant) {
    return absl::InvalidArgumentError(
        "invalid expression type \"string\" for range query, must be Scalar or instant Vector");
  }
  ASSIGN_OR_RETURN(EvalValue v, ev.Eval(expr));
  if (v.type == ValueType::kString) return String{g.start, v.str};
  if (v.type == ValueType::kScalar) {
    if (instant) return Scalar{g.start, v.scalar[0]};
    Series s;
    for (size_t i = 0; i < g.n; ++i) s.points.push_back(FPoint{g.T(i), v.scalar[i]});
    return Matrix{std::move(s)};
  }
  // Delayed __name__ removal, then merge series whose label sets became equal.
  std::vector<StepSeries> merged;
  absl::flat_hash_map<std::string, size_t> index;
  for (StepSeries& s : v.series) {
    if (s.drop_name) s.labels = LabelsBuilder(s.labels).Del(kMetricNameLabel).Build();
    auto [it, inserted] = index.try_emplace(std::string(s.labels.Bytes()), merged.size());
    if (inserted) {
      merged.push_back(std::move(s));
      continue;
    }
    StepSeries& into = merged[it->second];
    for (size_t i = 0; i < g.n; ++i) {
      if (!s.has[i]) continue;
      if (into.has[i]) {
        return absl::InvalidArgumentError("vector cannot contain metrics with the same labelset");
      }
      into.v[i] = s.v[i];
      into.has[i] = 1;
    }
  }
  if (instant) {
    Vector out;
    for (StepSeries& s : merged) {
      if (s.has[0]) out.push_back(Sample{std::move(s.labels), g.start, s.v[0]});
    }
    return out;
  }
  Matrix m;
  for (StepSeries& s : merged) {
    Series out;
    out.labels = std::move(s.labels);
    for (size_t i = 0; i < g.n; ++i) {
      if (s.has[i]) out.points.push_back(FPoint{g.T(i), s.v[i]});
    }
    if (!out.points.empty()) m.push_back(std::move(out));
  }
  std::sort(m.begin(), m.end(),
            [](const Series& a, const Series& b) { return a.labels < b.labels; });
  return m;
}

// "line:column" (1-based) of byte offset pos in text, as Prometheus' StartPosInput.
std::string Position(std::string_view text, int32_t pos) {
  if (text.empty()) return StrCat("1:", pos + 1);
  if (pos < 0 || static_cast<size_t>(pos) > text.size()) return "invalid position";
  std::string_view before = text.substr(0, static_cast<size_t>(pos));
  const size_t line = static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t nl = before.rfind('\n');
  const size_t col = nl == std::string_view::npos ? before.size() + 1 : before.size() - nl;
  return StrCat(line + 1, ":", col);
}

void FormatAnnotations(const std::vector<Annotation>& in, std::string_view text, Result* r) {
  absl::flat_hash_set<std::string> seen;
  for (const Annotation& a : in) {
    std::string s = StrCat(a.text, " (", Position(text, a.pos.start), ")");
    if (!seen.insert(s).second) continue;
    (a.warning ? r->warnings : r->infos).push_back(std::move(s));
  }
}

}  // namespace

Result Engine::InstantQuery(tsdb::Queryable* storage, std::string_view query, int64_t t,
                            const QueryControl& control) const {
  absl::StatusOr<ExprPtr> e = Parse(query, options_.parse_options);
  if (!e.ok()) return Failed(e.status());
  return InstantQuery(storage, **e, t, control, query);
}

Result Engine::InstantQuery(tsdb::Queryable* storage, const Expr& expr, int64_t t,
                            const QueryControl& control, std::string_view query_text) const {
  return Run(storage, expr, t, t, 1, true, control, query_text);
}

Result Engine::RangeQuery(tsdb::Queryable* storage, std::string_view query, int64_t start,
                          int64_t end, int64_t step, const QueryControl& control) const {
  absl::StatusOr<ExprPtr> e = Parse(query, options_.parse_options);
  if (!e.ok()) return Failed(e.status());
  return RangeQuery(storage, **e, start, end, step, control, query);
}

Result Engine::RangeQuery(tsdb::Queryable* storage, const Expr& expr, int64_t start, int64_t end,
                          int64_t step, const QueryControl& control,
                          std::string_view query_text) const {
  if (step <= 0) {
    return Failed(absl::InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted. Try a positive "
        "integer"));
  }
  if (end < start) {
    return Failed(absl::InvalidArgumentError("end timestamp must not be before start time"));
  }
  return Run(storage, expr, start, end, step, false, control, query_text);
}

bool Engine::StreamsRangeResult(const Expr& expr) { return StreamsInMatrixOrder(expr); }

Result Engine::RangeQueryStream(tsdb::Queryable* storage, const Expr& expr, int64_t start,
                                int64_t end, int64_t step, const QueryControl& control,
                                std::string_view query_text, SeriesCallback each) const {
  if (step <= 0 || end < start) return RangeQuery(storage, expr, start, end, step, control);
  return Run(storage, expr, start, end, step, false, control, query_text, &each);
}

bool Engine::StreamsInstantResult(const Expr& expr) { return StreamsInVectorOrder(expr); }

Result Engine::InstantQueryStream(tsdb::Queryable* storage, const Expr& expr, int64_t t,
                                  const QueryControl& control, std::string_view query_text,
                                  SeriesCallback each) const {
  return Run(storage, expr, t, t, 1, true, control, query_text, &each);
}

Result Engine::Run(tsdb::Queryable* storage, const Expr& expr, int64_t start, int64_t end,
                   int64_t step, bool instant, const QueryControl& control,
                   std::string_view query_text, const SeriesCallback* each) const {
  std::string printed;
  if (options_.active_query_tracker != nullptr && query_text.empty()) printed = ToString(expr);
  TrackedQuery tracked(options_.active_query_tracker, query_text.empty() ? printed : query_text);
  Result result;
  absl::StatusOr<std::unique_ptr<tsdb::Querier>> querier =
      storage->NewQuerier(INT64_MIN, INT64_MAX);
  if (!querier.ok()) {
    result.status = querier.status();
    return result;
  }
  QueryContext ctx;
  ctx.options = &options_;
  ctx.querier = querier->get();
  ctx.control = &control;
  ctx.has_deadline = options_.timeout_ms > 0;
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  ctx.query_start = start;
  ctx.query_end = end;
  ctx.query_step = instant ? 0 : step;
  ctx.stats = &result.stats;
  ctx.range_query = !instant;
  std::vector<Annotation> annotations;
  ctx.annotations = &annotations;
  Evaluator ev(&ctx, Grid::Make(start, end, step));
  absl::StatusOr<Value> v =
      each != nullptr ? StreamMatrix(expr, ev, *each) : ToValue(expr, ev, instant);
  if (!v.ok()) {
    result.status = v.status();
  } else {
    result.value = *std::move(v);
  }
  FormatAnnotations(annotations, query_text, &result);
  return result;
}

}  // namespace sundial::promql
