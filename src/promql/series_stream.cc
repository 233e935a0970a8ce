#include "promql/series_stream.h"

#include <vector>

#include "base/status_macros.h"
#include "promql/group_stream.h"

namespace sundial::promql {
namespace {

bool FixesName(const VectorSelector& vs) {
  for (const Matcher& m : vs.matchers) {
    if (m.type() == MatchType::kEqual && m.name() == kMetricNameLabel) return true;
  }
  return false;
}

}  // namespace

const VectorSelector* PerSeriesSource(const Expr& expr, bool* drops_name) {
  const Expr& x = UnwrapParens(expr);
  switch (x.kind) {
    case Kind::kVectorSelector:
      return &static_cast<const VectorSelector&>(x);
    case Kind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(x);
      if (u.negate) *drops_name = true;
      return PerSeriesSource(*u.expr, drops_name);
    }
    case Kind::kCall: {
      const MatrixSelector* ms = StreamableRangeArg(static_cast<const Call&>(x));
      if (ms == nullptr) return nullptr;
      *drops_name = true;
      return &ms->vector_selector();
    }
    case Kind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(x);
      if (IsSetOperator(b.op) || b.op == BinaryOp::kTrimUpper || b.op == BinaryOp::kTrimLower) {
        return nullptr;
      }
      const bool lhs_scalar = b.lhs->Type() == ValueType::kScalar;
      if (lhs_scalar == (b.rhs->Type() == ValueType::kScalar)) return nullptr;
      if (b.return_bool || !IsComparison(b.op)) *drops_name = true;
      return PerSeriesSource(lhs_scalar ? *b.rhs : *b.lhs, drops_name);
    }
    default:
      return nullptr;
  }
}

absl::Status StreamPerSeries(const Expr& expr, Evaluator& ev, SeriesSink sink) {
  const Expr& x = UnwrapParens(expr);
  if (x.kind != Kind::kUnary) return ev.StreamSeries(x, sink);
  const auto& u = static_cast<const UnaryExpr&>(x);
  if (!u.negate) return StreamPerSeries(*u.expr, ev, sink);
  std::vector<double> v(ev.grid().n);
  return StreamPerSeries(*u.expr, ev, [&](const StepSeriesView& s) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = s.has[i] ? -s.v[i] : s.v[i];
    return sink(StepSeriesView{s.labels, true, v, s.has});
  });
}

bool StreamsInVectorOrder(const Expr& expr) {
  if (expr.Type() != ValueType::kVector) return false;
  bool drops_name = false;
  const VectorSelector* vs = PerSeriesSource(expr, &drops_name);
  return vs != nullptr && (!drops_name || FixesName(*vs));
}

namespace {

// expr as an aggregation evaluated group by group, or null.
const AggregateExpr* GroupedAggregation(const Expr& expr) {
  const Expr& x = UnwrapParens(expr);
  if (x.kind != Kind::kAggregate) return nullptr;
  const auto& agg = static_cast<const AggregateExpr&>(x);
  return StreamsByGroup(agg) ? &agg : nullptr;
}

}  // namespace

bool StreamsInMatrixOrder(const Expr& expr) {
  return StreamsInVectorOrder(expr) || GroupedAggregation(expr) != nullptr;
}

absl::StatusOr<Value> StreamMatrix(const Expr& expr, Evaluator& ev, SeriesCallback each) {
  const Grid& g = ev.grid();
  std::vector<FPoint> points;
  points.reserve(g.n);
  auto write = [&](const StepSeriesView& s) {
    points.clear();
    for (size_t i = 0; i < g.n; ++i) {
      if (s.has[i]) points.push_back(FPoint{g.T(i), s.v[i]});
    }
    if (points.empty()) return absl::OkStatus();
    if (!s.drop_name) return each(s.labels, points);
    return each(WithoutName(s.labels), points);
  };
  if (const AggregateExpr* agg = GroupedAggregation(expr); agg != nullptr) {
    RETURN_IF_ERROR(StreamGroups(*agg, ev, write));
  } else {
    RETURN_IF_ERROR(StreamPerSeries(expr, ev, write));
  }
  return Value();
}

}  // namespace sundial::promql
