#include "promql/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

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
    if (s.drop_name) s.labels = WithoutName(s.labels);
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

// The series of two range results over consecutive steps, each sorted by labels: a series in
// both has the left's points, then the right's.
Matrix JoinSteps(Matrix left, Matrix right) {
  Matrix out;
  out.reserve(std::max(left.size(), right.size()));
  auto l = left.begin(), r = right.begin();
  while (l != left.end() || r != right.end()) {
    if (r == right.end() || (l != left.end() && l->labels < r->labels)) {
      out.push_back(std::move(*l++));
    } else if (l == left.end() || r->labels < l->labels) {
      out.push_back(std::move(*r++));
    } else {
      l->points.insert(l->points.end(), r->points.begin(), r->points.end());
      out.push_back(std::move(*l++));
      ++r;
    }
  }
  return out;
}

// A range query of this many steps or more is split in two when a core is free.
constexpr size_t kMinSplitSteps = 64;

// How many queries are being evaluated in this process now.
std::atomic<int> running_queries{0};

// Counts a query in running_queries while it lives.
class RunningQuery {
 public:
  RunningQuery() : count_(running_queries.fetch_add(1) + 1) {}
  ~RunningQuery() { running_queries.fetch_sub(1); }
  RunningQuery(const RunningQuery&) = delete;
  RunningQuery& operator=(const RunningQuery&) = delete;
  // The queries evaluating when this one started, itself included.
  int count() const { return count_; }

 private:
  const int count_;
};

// Whether a range query of `steps` steps is split: it is long enough to pay for a thread, and
// the `running` queries leave a core free for it.
bool ShouldSplit(SplitRangeQueries when, size_t steps, int running) {
  static const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  switch (when) {
    case SplitRangeQueries::kNever:
      return false;
    case SplitRangeQueries::kWhenCoreFree:
      return steps >= kMinSplitSteps && 2 * running <= cores;
    case SplitRangeQueries::kAlways:
      return steps >= 2;
  }
  return false;
}

// How far before a step expr reads samples, or -1 when that is not fixed (an @ modifier, a
// duration computed from an expression): what the two halves of a split both read.
int64_t Lookback(const Expr& expr, int64_t lookback_delta) {
  int64_t own = 0;
  const TimeModifiers* mods = nullptr;
  switch (expr.kind) {
    case Kind::kVectorSelector:
      own = lookback_delta;
      mods = &static_cast<const VectorSelector&>(expr).mods;
      break;
    case Kind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(expr);
      if (ms.range_expr != nullptr) return -1;
      own = ms.range_ms;
      mods = &ms.vector_selector().mods;
      break;
    }
    case Kind::kSubquery: {
      const auto& sq = static_cast<const SubqueryExpr&>(expr);
      if (sq.range_expr != nullptr) return -1;
      own = sq.range_ms;
      mods = &sq.mods;
      break;
    }
    default:
      break;
  }
  if (mods != nullptr && (mods->HasAt() || mods->offset_expr != nullptr)) return -1;
  if (expr.kind == Kind::kMatrixSelector) return own;  // its selector adds no lookback
  int64_t inner = 0;
  ForEachChild(expr, [&](const Expr& child) {
    const int64_t w = inner < 0 ? -1 : Lookback(child, lookback_delta);
    inner = w < 0 ? -1 : std::max(inner, w);
  });
  return inner < 0 ? -1 : own + inner;
}

// Whether the halves of a split read little twice: every step looks back at most an eighth of
// the query's span.
bool Splittable(const Expr& expr, const Grid& grid, int64_t lookback_delta) {
  const int64_t w = Lookback(expr, lookback_delta);
  return w >= 0 && w * 8 <= grid.end - grid.start;
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
  RunningQuery running;
  const Span span{.start = start,
                  .end = end,
                  .step = step,
                  .instant = instant,
                  .control = &control,
                  .deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(options_.timeout_ms)};
  std::vector<Annotation> annotations;
  const Grid grid = Grid::Make(start, end, step);
  // A per-series answer is written while it is computed; the halves would have to hold it.
  const bool split = !instant && (each == nullptr || !StreamsInVectorOrder(expr)) &&
                     ShouldSplit(options_.split_range_queries, grid.n, running.count()) &&
                     Splittable(expr, grid, options_.lookback_delta_ms);
  Result result;
  std::optional<Result> halves;
  if (split) halves = EvaluateSplit(storage, expr, span, grid, &annotations);
  if (!halves.has_value()) {
    result = Evaluate(storage, expr, span, grid, each, &annotations);
  } else {
    result = *std::move(halves);
    if (each != nullptr && result.status.ok()) {
      for (const Series& s : std::get<Matrix>(result.value)) {
        if (absl::Status st = (*each)(s.labels, s.points); !st.ok()) {
          result.status = st;
          break;
        }
      }
      result.value = Value();
    }
  }
  FormatAnnotations(annotations, query_text, &result);
  return result;
}

Result Engine::Evaluate(tsdb::Queryable* storage, const Expr& expr, const Span& span,
                        const Grid& grid, const SeriesCallback* each,
                        std::vector<Annotation>* annotations) const {
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
  ctx.control = span.control;
  ctx.has_deadline = options_.timeout_ms > 0;
  ctx.deadline = span.deadline;
  ctx.query_start = span.start;
  ctx.query_end = span.end;
  ctx.query_step = span.instant ? 0 : span.step;
  ctx.stats = &result.stats;
  ctx.range_query = !span.instant;
  ctx.annotations = annotations;
  Evaluator ev(&ctx, grid);
  absl::StatusOr<Value> v =
      each != nullptr ? StreamMatrix(expr, ev, *each) : ToValue(expr, ev, span.instant);
  if (!v.ok()) {
    result.status = v.status();
  } else {
    result.value = *std::move(v);
  }
  return result;
}

std::optional<Result> Engine::EvaluateSplit(tsdb::Queryable* storage, const Expr& expr,
                                            const Span& span, const Grid& grid,
                                            std::vector<Annotation>* annotations) const {
  // Every step of a range query is evaluated on its own, so the two halves of the steps give
  // exactly the points the whole gives.
  const size_t left_n = grid.n / 2;
  const Grid left_grid = Grid::Make(grid.start, grid.T(left_n - 1), grid.step);
  const Grid right_grid = Grid::Make(grid.T(left_n), grid.end, grid.step);
  std::vector<Annotation> right_annotations;
  Result right;
  std::thread second(
      [&] { right = Evaluate(storage, expr, span, right_grid, nullptr, &right_annotations); });
  Result left = Evaluate(storage, expr, span, left_grid, nullptr, annotations);
  second.join();
  annotations->insert(annotations->end(), right_annotations.begin(), right_annotations.end());
  if (!left.status.ok()) return left;
  if (!right.status.ok()) return right;
  // The halves ran at the same time, so together they held the sum of their peaks. A query
  // that whole evaluation might refuse is left to it, to answer exactly as it does.
  const int64_t peak = left.stats.peak_samples + right.stats.peak_samples;
  if (options_.max_samples > 0 && peak > options_.max_samples) {
    annotations->clear();
    return std::nullopt;
  }
  Result result;
  result.stats.samples_loaded = left.stats.samples_loaded + right.stats.samples_loaded;
  result.stats.peak_samples = peak;
  result.value =
      JoinSteps(std::get<Matrix>(std::move(left.value)), std::get<Matrix>(std::move(right.value)));
  return result;
}

}  // namespace sundial::promql
