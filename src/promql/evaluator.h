// Internal to the engine: the evaluator walks the AST once for a whole query grid. Every
// instant-vector expression evaluates to StepSeries (dense values over all steps), every
// range-vector expression to RangeInput (the samples of each series plus one window per step),
// so range queries never re-select data per step.
#ifndef SUNDIAL_PROMQL_EVALUATOR_H_
#define SUNDIAL_PROMQL_EVALUATOR_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/value.h"
#include "tsdb/storage.h"

namespace sundial::promql {

// The evaluation timestamps start, start+step, ..., <= end.
struct Grid {
  int64_t start = 0;
  int64_t end = 0;
  int64_t step = 1;
  size_t n = 1;
  int64_t T(size_t i) const { return start + static_cast<int64_t>(i) * step; }
  static Grid Make(int64_t start, int64_t end, int64_t step) {
    return Grid{start, end, step, static_cast<size_t>((end - start) / step) + 1};
  }
};

// An instant-vector series at every step of the grid.
struct StepSeries {
  Labels labels;
  std::vector<double> v;     // grid.n values
  std::vector<uint8_t> has;  // 1 where the series has a value
  bool drop_name = false;    // __name__ is removed at the end (delayed name removal)
};

// The value of an expression over the grid.
struct EvalValue {
  ValueType type = ValueType::kNone;
  std::vector<StepSeries> series;  // kVector
  std::vector<double> scalar;      // kScalar: grid.n values
  std::string str;                 // kString

  // The values of all series (present steps); 0 for a scalar or string.
  int64_t PointCount() const {
    int64_t n = 0;
    for (const StepSeries& s : series) n += std::count(s.has.begin(), s.has.end(), 1);
    return n;
  }
};

// One series of a range-vector expression: all samples any window needs, in time order.
struct RangeSeries {
  Labels labels;
  std::vector<FPoint> points;
  bool drop_name = false;
};

// One series of an instant-vector expression handed over by Evaluator::StreamSeries; the views
// are valid only during the call.
struct StepSeriesView {
  const Labels& labels;
  bool drop_name;
  std::span<const double> v;     // grid.n values
  std::span<const uint8_t> has;  // 1 where the series has a value
};
using SeriesSink = absl::FunctionRef<absl::Status(const StepSeriesView&)>;

class Evaluator;

// A matrix selector read series by series instead of collected (streamed evaluation): MapWindows
// hands each output series to `sink` and returns no series itself.
struct RangeStream {
  Evaluator* ev = nullptr;
  const VectorSelector* vs = nullptr;
  int64_t mint = 0;  // the samples every window needs: [mint, maxt]
  int64_t maxt = 0;
  int64_t range_ms = 0;  // the selector's range (a select hint)
  const SeriesSink* sink = nullptr;

  // Calls f with the labels and the samples (stale markers removed, never empty) of every
  // selected series in order. f may modify the samples.
  absl::Status ForEach(
      absl::FunctionRef<absl::Status(const Labels&, std::vector<FPoint>&)> f) const;
};

// A range-vector expression over the grid: window i is (ends[i] - range_ms, ends[i]].
struct RangeInput {
  std::vector<RangeSeries> series;  // empty when stream is set
  std::vector<int64_t> ends;
  int64_t range_ms = 0;
  std::optional<RangeStream> stream;
  Evaluator* ev = nullptr;  // counts the windows read (CountSamples)
};

// A warning or info raised during evaluation, at the position of the expression that caused it.
// Rendered as "<text> (<line>:<column>)" like Prometheus' annotations.
struct Annotation {
  bool warning = true;  // else an info
  std::string text;     // "PromQL warning: ..." / "PromQL info: ..."
  PosRange pos;
};

// Shared by the evaluators of one query (subqueries create nested evaluators).
struct QueryContext {
  const EngineOptions* options = nullptr;
  tsdb::Querier* querier = nullptr;
  const QueryControl* control = nullptr;
  std::chrono::steady_clock::time_point deadline;
  bool has_deadline = false;
  int64_t query_start = 0;  // for @ start()
  int64_t query_end = 0;    // for @ end()
  int64_t query_step = 0;   // for step()
  QueryStats* stats = nullptr;
  bool range_query = false;                        // a range query (not an instant one)
  std::vector<Annotation>* annotations = nullptr;  // not owned; may be null
  // --query.max-samples accounting, see Evaluator::CountSamples.
  int64_t held_samples = 0;
  int64_t widest_window = 0;
};

class Evaluator {
 public:
  Evaluator(QueryContext* ctx, Grid grid) : ctx_(ctx), grid_(grid) {}

  absl::StatusOr<EvalValue> Eval(const Expr& e);
  // Evaluates instant-vector expression e and hands its series to sink one at a time, in the
  // order Eval would return them (series without any value may be left out). Selectors and
  // range functions over a matrix selector are computed series by series without holding all
  // of them; other expressions are evaluated whole first.
  absl::Status StreamSeries(const Expr& e, SeriesSink sink);
  // A matrix selector or subquery (possibly in parentheses) as windows over the grid.
  absl::StatusOr<RangeInput> EvalRange(const Expr& e);

  // The selector's values, or with timestamps=true the timestamps (seconds) of the samples the
  // values come from (for timestamp()).
  absl::StatusOr<EvalValue> EvalVectorSelector(const VectorSelector& vs, bool timestamps = false);

  const Grid& grid() const { return grid_; }
  QueryContext* ctx() const { return ctx_; }

  // Fails when the query was canceled or timed out.
  absl::Status CheckInterrupt() const;
  // --query.max-samples, counted as Prometheus counts what a query holds: the points every
  // selector and range function has produced so far (held until an aggregation over them is
  // done), plus the widest window of one series at one step read so far. Streamed and whole
  // evaluation of a query read the same selectors, so they count the same. Adds `points`
  // produced points and a window of `window` samples; fails when the count exceeds the limit.
  absl::Status CountSamples(int64_t points, int64_t window) const;
  // After an aggregation whose evaluation started when `held_before` points were held: its
  // inputs are dropped and its `output_points` held instead.
  void ReleaseAggregated(int64_t held_before, int64_t output_points) const;

  // Records an annotation; `what` follows "PromQL warning: " / "PromQL info: ".
  void Warn(std::string_view what, PosRange pos) const;
  void Info(std::string_view what, PosRange pos) const;

 private:
  absl::StatusOr<RangeInput> EvalMatrixSelector(const MatrixSelector& ms);
  absl::StatusOr<RangeInput> EvalSubquery(const SubqueryExpr& sq);
  absl::StatusOr<EvalValue> EvalAggregate(const AggregateExpr& agg);
  // Validates the parameter of topk/bottomk/limitk/limit_ratio/quantile over all steps (errors
  // and warnings as Prometheus); true when the result is empty whatever the input.
  absl::StatusOr<bool> CheckAggregateParam(const AggregateExpr& agg, const EvalValue& param) const;
  absl::StatusOr<EvalValue> EvalBinary(const BinaryExpr& b);
  // StreamSeries for a binary expression: `vector op scalar` streams the vector side.
  absl::Status StreamBinary(const BinaryExpr& b, SeriesSink sink);
  absl::StatusOr<EvalValue> EvalCall(const Call& c);
  absl::StatusOr<EvalValue> EvalUnary(const UnaryExpr& u);

  // Selects series and their samples in [mint, maxt] (inclusive).
  absl::StatusOr<std::vector<RangeSeries>> Select(const VectorSelector& vs, int64_t mint,
                                                  int64_t maxt, int64_t range_ms);

 public:
  // Select, one series at a time: calls f with each series' labels and its non-empty samples
  // (a scratch buffer f may modify). Adds them to the query's samples_loaded.
  absl::Status SelectEach(const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms,
                          absl::FunctionRef<absl::Status(const Labels&, std::vector<FPoint>&)> f);

 private:
  // Selects vs's series for [mint, maxt] and calls f with each and an iterator over it (one
  // iterator reused from series to series), checking for cancellation as it goes.
  absl::Status ForEachSelected(
      const VectorSelector& vs, int64_t mint, int64_t maxt, int64_t range_ms,
      absl::FunctionRef<absl::Status(const tsdb::Series&, tsdb::SampleIterator&)> f);
  // The instant-vector selector's values per series, computed from each series' samples.
  absl::Status SelectStepSeries(const VectorSelector& vs, bool timestamps, SeriesSink sink);
  // SelectStepSeries when every step evaluates at time t: each series' newest sample in the
  // lookback window before t, which storage may find without decoding the window. Counts one
  // sample loaded per series that has one, as Prometheus counts one per step.
  absl::Status SelectLatest(const VectorSelector& vs, int64_t t, bool timestamps, SeriesSink sink);
  // The time a selector or subquery is evaluated at for grid step i (@ and offset applied).
  absl::StatusOr<std::vector<int64_t>> ModifiedTimes(const TimeModifiers& mods) const;

  QueryContext* ctx_;
  Grid grid_;
  // Set by StreamSeries while it evaluates a range function: the matrix selector to return as a
  // RangeStream into stream_sink_ instead of collecting its series.
  const MatrixSelector* stream_target_ = nullptr;
  const SeriesSink* stream_sink_ = nullptr;
};

// The matrix selector argument of a range function that reads it only through MapWindows (so
// StreamSeries streams it), or null.
const MatrixSelector* StreamableRangeArg(const Call& c);

// Durations (ms) of range/step/offset expressions, with step() and range() resolved.
absl::StatusOr<int64_t> EvalDuration(const DurationExpr& d, const QueryContext& ctx);

// Warns "quantile value should be between 0 and 1, got <q>" when q is outside [0, 1] or NaN.
void CheckQuantile(const Evaluator& ev, double q, PosRange pos);

// Formats a float as Go's strconv.FormatFloat(v, 'f', -1, 64) does, with +Inf/-Inf/NaN.
std::string FormatFloat(double v);
// Formats as Go's %g / strconv 'g' shortest (used in error messages).
std::string FormatFloatG(double v);

// Function families, each in its own file. Return NotFound for a name they do not know.
absl::StatusOr<EvalValue> CallRangeFunction(Evaluator& ev, const Call& c);      // rate.cc
absl::StatusOr<EvalValue> CallOverTimeFunction(Evaluator& ev, const Call& c);   // over_time.cc
absl::StatusOr<EvalValue> CallMathFunction(Evaluator& ev, const Call& c);       // math.cc
absl::StatusOr<EvalValue> CallLabelFunction(Evaluator& ev, const Call& c);      // labels.cc
absl::StatusOr<EvalValue> CallTimeFunction(Evaluator& ev, const Call& c);       // time_functions.cc
absl::StatusOr<EvalValue> CallHistogramFunction(Evaluator& ev, const Call& c);  // histogram.cc
absl::StatusOr<EvalValue> CallInfoFunction(Evaluator& ev, const Call& c);       // info.cc

// Helpers shared by the function files.
// A new series with labels and no values over the grid.
StepSeries EmptyLike(const Labels& labels, size_t n);
// The labels of `labels` whose names keep(name) accepts, built in one allocation.
template <typename Keep>
Labels FilterLabels(const Labels& labels, Keep keep) {
  absl::InlinedVector<Label, 16> kept;
  for (const Label& l : labels) {
    if (keep(l.name)) kept.push_back(l);
  }
  return Labels::FromSorted(kept);
}
// labels without __name__.
Labels WithoutName(const Labels& labels);
// Applies f to every present value; drops __name__ (delayed).
EvalValue MapValues(EvalValue in, double (*f)(double));
// The value of aggregation op (not topk/bottomk/limitk/limit_ratio/count_values) over vals.
// REQUIRES: !vals.empty().
double AggregateFold(AggregateOp op, const std::vector<double>& vals, double param);
// The phi-quantile of vals by linear interpolation, as Prometheus' quantile(); reorders vals.
double Quantile(double phi, std::vector<double>& vals);

// Applies f(window, i) to every window of every series of `in`; f returns false for "no
// value". Output series take over the labels of `in` (left empty there), drop __name__ when
// drop_name is set. Windows slide forward (ends never decrease), so each series is walked once.
// A streamed input (in.stream) sends the output series to its sink and returns none.
// prepare(points) runs once per series before f sees its windows (spans into `points`);
// done(labels, present) after them, with the input series' labels and how many steps got a value.
template <typename P, typename F, typename D>
absl::StatusOr<EvalValue> MapWindows(RangeInput& in, size_t n, bool drop_name, P prepare, F f,
                                     D done) {
  EvalValue out;
  out.type = ValueType::kVector;
  std::vector<double> v(n);
  std::vector<uint8_t> has(n);
  int64_t present = 0;  // steps with a value in the last series
  size_t widest = 0;    // the most samples in one window of the last series
  // Fills v, has, present and widest from one series' samples and counts them (CountSamples).
  auto windows = [&](std::span<const FPoint> points) {
    prepare(points);
    present = 0;
    widest = 0;
    const FPoint* const end = points.data() + points.size();
    const FPoint* lo = points.data();
    const FPoint* hi = lo;
    for (size_t i = 0; i < n; ++i) {
      const int64_t hi_t = in.ends[i], lo_t = hi_t - in.range_ms;
      if (i > 0 && hi_t < in.ends[i - 1]) {  // not expected; start over
        lo = hi = points.data();
      }
      while (lo != end && lo->t <= lo_t) ++lo;
      if (hi < lo) hi = lo;
      while (hi != end && hi->t <= hi_t) ++hi;
      widest = std::max(widest, static_cast<size_t>(hi - lo));
      double x = 0;
      has[i] = 0;
      if (lo != hi && f(std::span<const FPoint>(lo, hi), i, &x)) {
        v[i] = x;
        has[i] = 1;
        ++present;
      } else {
        v[i] = 0;
      }
    }
    return in.ev->CountSamples(present, static_cast<int64_t>(widest));
  };
  if (in.stream.has_value()) {
    const SeriesSink& sink = *in.stream->sink;
    RETURN_IF_ERROR(in.stream->ForEach([&](const Labels& labels, std::vector<FPoint>& points) {
      RETURN_IF_ERROR(windows(points));
      done(labels, present);
      if (present == 0) return absl::OkStatus();
      return sink(StepSeriesView{labels, drop_name, v, has});
    }));
    return out;
  }
  out.series.reserve(in.series.size());
  for (RangeSeries& rs : in.series) {
    RETURN_IF_ERROR(windows(rs.points));
    done(rs.labels, present);
    if (present == 0) continue;
    StepSeries& s = out.series.emplace_back();
    s.labels = std::move(rs.labels);
    s.v = v;
    s.has = has;
    s.drop_name = drop_name || rs.drop_name;
  }
  return out;
}

template <typename P, typename F>
absl::StatusOr<EvalValue> MapWindows(RangeInput& in, size_t n, bool drop_name, P prepare, F f) {
  return MapWindows(in, n, drop_name, std::move(prepare), std::move(f),
                    [](const Labels&, int64_t) {});
}

template <typename F>
absl::StatusOr<EvalValue> MapWindows(RangeInput& in, size_t n, bool drop_name, F f) {
  return MapWindows(
      in, n, drop_name, [](std::span<const FPoint>) {}, std::move(f));
}

// Kahan-compensated running sum, as Prometheus' kahanSumInc.
inline void KahanAdd(double inc, double* sum, double* c) {
  double t = *sum + inc;
  if (std::isinf(t)) {
    *c = 0;
  } else if ((*sum < 0 ? -*sum : *sum) >= (inc < 0 ? -inc : inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_EVALUATOR_H_
