#include "promql/aggregate_fold.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "promql/evaluator.h"

namespace sundial::promql {

namespace {

// Whether label `name` is one of agg's group labels.
bool Grouped(const AggregateExpr& agg, std::string_view name) {
  const bool listed =
      std::find(agg.grouping.begin(), agg.grouping.end(), name) != agg.grouping.end();
  return agg.without ? name != kMetricNameLabel && !listed : listed;
}

}  // namespace

void GroupKey(const AggregateExpr& agg, const Labels& in, std::string* key) {
  key->clear();
  for (const Label& l : in) {
    if (!Grouped(agg, l.name)) continue;
    for (std::string_view part : {l.name, l.value}) {
      const uint32_t len = static_cast<uint32_t>(part.size());
      key->append(reinterpret_cast<const char*>(&len), sizeof len);
      key->append(part);
    }
  }
}

Labels GroupLabels(const AggregateExpr& agg, const Labels& in) {
  return FilterLabels(in, [&agg](std::string_view name) { return Grouped(agg, name); });
}

bool FoldsStepwise(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
    case AggregateOp::kAvg:
    case AggregateOp::kCount:
    case AggregateOp::kGroup:
    case AggregateOp::kMin:
    case AggregateOp::kMax:
    case AggregateOp::kStddev:
    case AggregateOp::kStdvar:
      return true;
    default:
      return false;
  }
}

void StepFold::Add(AggregateOp op, double v) {
  count += 1;
  switch (op) {
    case AggregateOp::kSum:
      KahanAdd(v, &x, &c);
      return;
    case AggregateOp::kAvg: {
      // A compensated sum, switching to an incremental mean if the sum overflows.
      if (count == 1) {
        x = v;
        return;
      }
      if (!incremental) {
        double s2 = x, c2 = c;
        KahanAdd(v, &s2, &c2);
        if (!std::isinf(s2)) {
          x = s2;
          c = c2;
          return;
        }
        incremental = true;
        mean = x / (count - 1);
        c /= count - 1;
      }
      const double q = (count - 1) / count;
      double m = q * mean, mc = q * c;
      KahanAdd(v / count, &m, &mc);
      mean = m;
      c = mc;
      return;
    }
    case AggregateOp::kMin:
    case AggregateOp::kMax:
      if (count == 1 || (op == AggregateOp::kMax ? x < v : x > v) || std::isnan(x)) x = v;
      return;
    case AggregateOp::kStddev:
    case AggregateOp::kStdvar: {
      const double delta = v - mean;
      mean += delta / count;
      c += delta * (v - mean);
      return;
    }
    default:  // count, group
      return;
  }
}

double StepFold::Result(AggregateOp op) const {
  switch (op) {
    case AggregateOp::kSum:
      return std::isinf(x) ? x : x + c;
    case AggregateOp::kAvg:
      return incremental ? mean + c : x / count + c / count;
    case AggregateOp::kCount:
      return count;
    case AggregateOp::kGroup:
      return 1;
    case AggregateOp::kMin:
    case AggregateOp::kMax:
      return x;
    case AggregateOp::kStddev:
      return std::sqrt(c / count);
    case AggregateOp::kStdvar:
      return c / count;
    default:
      return 0;
  }
}

}  // namespace sundial::promql
