// Internal to the engine: range query results produced one finished series at a time
// (Engine::RangeQueryStream), so a large matrix never has to be held whole.
#ifndef SUNDIAL_PROMQL_SERIES_STREAM_H_
#define SUNDIAL_PROMQL_SERIES_STREAM_H_

#include "absl/status/statusor.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/evaluator.h"

namespace sundial::promql {

// True when expr's range result can be handed over series by series in the order of the sorted
// Matrix RangeQuery returns: expr is an instant-vector selector, a range function over a matrix
// selector (rate, *_over_time, ...), unary minus, or `vector op scalar` of those, so each output
// series comes from one selected series, in the storage's (label-sorted) order. Where __name__
// is dropped, the selector must fix it with `__name__="..."`: removing a label every series has
// with the same value keeps their order and keeps them distinct, so no sort and no merge is
// needed. Everything else (aggregations, vector-vector operations, label_replace, subqueries,
// ...) is not streamed.
bool StreamsInMatrixOrder(const Expr& expr);

// Evaluates expr over ev's grid and calls each with every series that has a value at some step,
// with __name__ removed where the expression drops it, and returns an empty Value.
// REQUIRES: StreamsInMatrixOrder(expr).
absl::StatusOr<Value> StreamMatrix(const Expr& expr, Evaluator& ev, SeriesCallback each);

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_SERIES_STREAM_H_
