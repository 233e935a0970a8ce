// Internal to the engine: query results produced one finished series at a time
// (Engine::RangeQueryStream, Engine::InstantQueryStream), so a large answer never has to be held
// whole.
#ifndef SUNDIAL_PROMQL_SERIES_STREAM_H_
#define SUNDIAL_PROMQL_SERIES_STREAM_H_

#include "absl/status/statusor.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/evaluator.h"

namespace sundial::promql {

// The selector whose series expr's output series come from, one for one and in its order: expr
// is an instant-vector selector, a range function over a matrix selector (rate, *_over_time,
// ...), unary minus, or `vector op scalar` of those. Null otherwise. Sets *drops_name when some
// step of expr may remove __name__.
const VectorSelector* PerSeriesSource(const Expr& expr, bool* drops_name);

// Evaluates a per-series expression (PerSeriesSource(expr) != null) series by series in the
// selector's order, with unary minus applied on top of Evaluator::StreamSeries.
absl::Status StreamPerSeries(const Expr& expr, Evaluator& ev, SeriesSink sink);

// True when expr's instant result can be handed over series by series in the order of the
// Vector InstantQuery returns: a per-series expression (PerSeriesSource) whose series keep
// distinct labels. Where __name__ is dropped, the selector must fix it with `__name__="..."`:
// removing a label every series has with the same value keeps them distinct (and their order),
// so no merge is needed.
bool StreamsInVectorOrder(const Expr& expr);

// True when expr's range result can be handed over series by series in the order of the sorted
// Matrix RangeQuery returns: StreamsInVectorOrder (the storage order is the label order), or an
// aggregation evaluated group by group (StreamsByGroup, promql/group_stream.h). Everything else
// (vector-vector operations, label_replace, subqueries, ...) is not streamed.
bool StreamsInMatrixOrder(const Expr& expr);

// Evaluates expr over ev's grid and calls each with every series that has a value at some step,
// with __name__ removed where the expression drops it, and returns an empty Value.
// REQUIRES: StreamsInMatrixOrder(expr), or StreamsInVectorOrder(expr) for a one-step grid.
absl::StatusOr<Value> StreamMatrix(const Expr& expr, Evaluator& ev, SeriesCallback each);

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_SERIES_STREAM_H_
