// The PromQL engine: evaluates a parsed or textual query against a Queryable.
//
//   Engine engine(EngineOptions{.lookback_delta_ms = 5 * 60 * 1000});
//   Result r = engine.InstantQuery(&head, "sum by (job) (rate(http_requests_total[5m]))", t);
//   if (!r.status.ok()) ...;
//   const Vector& v = std::get<Vector>(r.value);
//
//   Result m = engine.RangeQuery(&head, "up", start, end, step);   // always a Matrix
//
// Range queries evaluate every node once over all steps (series by series, with sliding
// windows for range functions), never by re-selecting data step by step. Results follow
// Prometheus: instant vectors in evaluation order (sort() etc. order them), matrices sorted by
// labels, `__name__` dropped where Prometheus drops it (delayed name removal: at the end).
//
// Thread-safe: one Engine may run any number of queries concurrently.
#ifndef SUNDIAL_PROMQL_ENGINE_H_
#define SUNDIAL_PROMQL_ENGINE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "promql/ast.h"
#include "promql/parser.h"
#include "promql/value.h"
#include "tsdb/storage.h"

namespace sundial::promql {

class ActiveQueryTracker;  // promql/query_tracker.h
struct Annotation;         // promql/evaluator.h
struct Grid;               // promql/evaluator.h

// When a range query is evaluated as two halves of its steps on two threads (Engine::Run).
enum class SplitRangeQueries {
  kNever,
  kWhenCoreFree,  // when no other query keeps the second core busy
  kAlways,        // for tests
};

struct EngineOptions {
  // How far back an instant selector looks for a sample: window (t - lookback, t].
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // Step of a subquery written without one (`x[10m:]`).
  int64_t default_subquery_step_ms = 60 * 1000;
  // The most samples one query may hold at a time, counted as Prometheus does: the points
  // selectors and range functions produced, plus the widest window of one series at one step
  // (Evaluator::CountSamples). 0: unlimited.
  int64_t max_samples = 50000000;
  // Wall-clock limit of one query in milliseconds; 0: none.
  int64_t timeout_ms = 2 * 60 * 1000;
  // Parser feature switches used for textual queries.
  ParseOptions parse_options = ParseOptions::AllEnabled();
  // Records every query while it runs (the data dir's queries.active); not owned, may be null.
  ActiveQueryTracker* active_query_tracker = nullptr;
  SplitRangeQueries split_range_queries = SplitRangeQueries::kWhenCoreFree;
};

struct QueryStats {
  int64_t samples_loaded = 0;  // samples read from storage
  int64_t peak_samples = 0;    // the most samples held at once (see max_samples)
};

struct Result {
  absl::Status status;
  Value value;
  // Annotations as Prometheus renders them: "PromQL warning: ... (1:5)" / "PromQL info: ...",
  // each once, in the order they were first raised.
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
  QueryStats stats;
};

// Per-query controls.
struct QueryControl {
  // Polled during evaluation; setting it aborts the query with
  // "query was canceled in query execution". Not owned; may be null.
  const std::atomic<bool>* cancel = nullptr;
};

// One series of a streamed query result: labels and points (time order, never empty; one point
// for an instant query), valid only during the call. An error returned ends the query with it.
using SeriesCallback = absl::FunctionRef<absl::Status(const Labels&, std::span<const FPoint>)>;

class Engine {
 public:
  explicit Engine(EngineOptions options = {}) : options_(std::move(options)) {}

  // Evaluates at t (ms). Parse errors come back as InvalidArgument with the parser's message.
  Result InstantQuery(tsdb::Queryable* storage, std::string_view query, int64_t t,
                      const QueryControl& control = {}) const;
  // query_text, if given, is the text expr was parsed from: annotations then carry its
  // line:column positions (otherwise the expression is taken to be one line).
  Result InstantQuery(tsdb::Queryable* storage, const Expr& expr, int64_t t,
                      const QueryControl& control = {}, std::string_view query_text = {}) const;

  // Evaluates at start, start+step, ... <= end and returns a Matrix (a scalar expression becomes
  // one series without labels). Fails for string and range-vector expressions.
  // REQUIRES: step > 0, end >= start.
  Result RangeQuery(tsdb::Queryable* storage, std::string_view query, int64_t start, int64_t end,
                    int64_t step, const QueryControl& control = {}) const;
  Result RangeQuery(tsdb::Queryable* storage, const Expr& expr, int64_t start, int64_t end,
                    int64_t step, const QueryControl& control = {},
                    std::string_view query_text = {}) const;

  // True when RangeQueryStream can evaluate expr series by series (per-series expressions such
  // as selectors, rate(x[5m]) or `-x * 2`, and sum/avg/count/group/min/max/stddev/stdvar of
  // them, group by group; see promql/series_stream.h). Vector-vector operations and the rest
  // need all series at once and are not.
  static bool StreamsRangeResult(const Expr& expr);
  // RangeQuery that hands the series of the result to `each`, one at a time as each is
  // computed and in the Matrix's order, instead of collecting them, so memory stays at one
  // series (or one group). The Result has no value; status, annotations and stats are
  // RangeQuery's. A failure may come after some series were handed over.
  // REQUIRES: StreamsRangeResult(expr).
  Result RangeQueryStream(tsdb::Queryable* storage, const Expr& expr, int64_t start, int64_t end,
                          int64_t step, const QueryControl& control, std::string_view query_text,
                          SeriesCallback each) const;

  // True when InstantQueryStream can evaluate expr series by series: the per-series
  // expressions of StreamsRangeResult (not aggregations).
  static bool StreamsInstantResult(const Expr& expr);
  // InstantQuery that hands each sample of the Vector to `each` (as one point at t) in the
  // Vector's order as it is computed. The Result has no value; status, annotations and stats
  // are InstantQuery's. REQUIRES: StreamsInstantResult(expr).
  Result InstantQueryStream(tsdb::Queryable* storage, const Expr& expr, int64_t t,
                            const QueryControl& control, std::string_view query_text,
                            SeriesCallback each) const;

  const EngineOptions& options() const { return options_; }

 private:
  // query_text, when known, places annotations at line:column of the text; without it every
  // expression is taken to be on line 1.
  // With `each`, the result goes to it series by series instead of into Result::value.
  // A range query of many steps whose selectors look back little compared with its span, and
  // whose answer is not written series by series, may be evaluated as two halves of its steps
  // on two threads (EvaluateSplit, options_.split_range_queries).
  Result Run(tsdb::Queryable* storage, const Expr& expr, int64_t start, int64_t end, int64_t step,
             bool instant, const QueryControl& control, std::string_view query_text,
             const SeriesCallback* each = nullptr) const;

  // The whole query, whichever steps one evaluation covers: @ start() and @ end() refer to it.
  struct Span {
    int64_t start, end, step;
    bool instant;
    const QueryControl* control;
    std::chrono::steady_clock::time_point deadline;
  };
  // Evaluates the steps of grid on this thread, with its own querier.
  Result Evaluate(tsdb::Queryable* storage, const Expr& expr, const Span& span, const Grid& grid,
                  const SeriesCallback* each, std::vector<Annotation>* annotations) const;
  // Evaluates the first half of grid's steps here and the second on a new thread, and joins the
  // two matrices. Status, points and annotations are those of Evaluate over the whole grid;
  // samples_loaded counts the samples both halves read twice, peak_samples is the sum of
  // the halves' peaks. nullopt, with annotations cleared, when that sum is over max_samples
  // although neither half was: only an evaluation of the whole grid can tell whether it is.
  std::optional<Result> EvaluateSplit(tsdb::Queryable* storage, const Expr& expr, const Span& span,
                                      const Grid& grid, std::vector<Annotation>* annotations) const;

  EngineOptions options_;
};

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_ENGINE_H_
