// Internal to the engine: how aggregations group series, and one aggregation (sum, avg, count,
// group, min, max, stddev, stdvar) at one step folded value by value, so a group's members can
// be added one series at a time.
#ifndef SUNDIAL_PROMQL_AGGREGATE_FOLD_H_
#define SUNDIAL_PROMQL_AGGREGATE_FOLD_H_

#include <string>

#include "model/labels.h"
#include "promql/ast.h"

namespace sundial::promql {

// The running state of one aggregation at one step; empty until the first Add.
struct StepFold {
  double count = 0;          // values added
  double x = 0;              // sum (Kahan), min/max, avg's sum or mean
  double c = 0;              // Kahan compensation; stddev/stdvar: the sum of squared deviations
  double mean = 0;           // avg (incremental mode), stddev/stdvar
  bool incremental = false;  // avg: the sum overflowed, x is a running mean

  // Folds v in. Values must come in input order for results to be bit-identical.
  void Add(AggregateOp op, double v);
  // The aggregate of the values added. REQUIRES: count > 0.
  double Result(AggregateOp op) const;
};

// The labels of `in` that agg groups by, each length-prefixed, into *key: equal keys, same group.
void GroupKey(const AggregateExpr& agg, const Labels& in, std::string* key);
// The labels of the group of `in`: those agg groups by (never __name__ with `without`).
Labels GroupLabels(const AggregateExpr& agg, const Labels& in);

// Whether StepFold implements op.
bool FoldsStepwise(AggregateOp op);

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_AGGREGATE_FOLD_H_
