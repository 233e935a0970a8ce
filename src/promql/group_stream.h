// Internal to the engine: range-query aggregations evaluated one group at a time, so a large
// `sum by (instance) (rate(x[5m]))` answer never holds more than one group's accumulators.
#ifndef SUNDIAL_PROMQL_GROUP_STREAM_H_
#define SUNDIAL_PROMQL_GROUP_STREAM_H_

#include "absl/status/status.h"
#include "promql/ast.h"
#include "promql/evaluator.h"

namespace sundial::promql {

// True when agg is sum, avg, count, group, min, max, stddev or stdvar (by or without, but not
// by __name__) of a per-series expression whose series all come from one selector
// (PerSeriesSource), so each group's members can be selected on their own.
bool StreamsByGroup(const AggregateExpr& agg);

// Evaluates agg over ev's grid group by group and hands each group's series (no __name__, with
// a value at some step) to sink in label order, as a range query's Matrix has them. The groups
// come from the labels of the selected series alone (no samples read); then the members of
// each group are selected by the group's label values, folded in storage order (the order the
// materializing path folds them in, so the values are bit-identical) and the group's series is
// handed over before the next group is read. Memory: the groups' labels and one group's
// accumulators. Samples count against the limit as if selected at once. With more groups than
// max(64, steps) the per-group Selects would cost more than they save: the aggregation is then
// evaluated whole and handed over in the same order. REQUIRES: StreamsByGroup(agg).
absl::Status StreamGroups(const AggregateExpr& agg, Evaluator& ev, SeriesSink sink);

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_GROUP_STREAM_H_
