#include "promql/evaluator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "promql/functions.h"

namespace sundial::promql {

std::string FormatFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

std::string FormatFloatG(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

Labels WithoutName(const Labels& labels) {
  return FilterLabels(labels, [](std::string_view name) { return name != kMetricNameLabel; });
}

StepSeries EmptyLike(const Labels& labels, size_t n) {
  StepSeries s;
  s.labels = labels;
  s.v.assign(n, 0);
  s.has.assign(n, 0);
  return s;
}

EvalValue MapValues(EvalValue in, double (*f)(double)) {
  for (StepSeries& s : in.series) {
    for (size_t i = 0; i < s.v.size(); ++i) {
      if (s.has[i]) s.v[i] = f(s.v[i]);
    }
    s.drop_name = true;
  }
  return in;
}

absl::Status Evaluator::CheckInterrupt() const {
  if (ctx_->control->cancel != nullptr && ctx_->control->cancel->load(std::memory_order_relaxed)) {
    return absl::CancelledError("query was canceled in query execution");
  }
  if (ctx_->has_deadline && std::chrono::steady_clock::now() > ctx_->deadline) {
    return absl::DeadlineExceededError("query timed out in query execution");
  }
  return absl::OkStatus();
}

absl::Status Evaluator::CountSamples(int64_t points, int64_t window) const {
  ctx_->held_samples += points;
  ctx_->widest_window = std::max(ctx_->widest_window, window);
  const int64_t n = ctx_->held_samples + ctx_->widest_window;
  if (n > ctx_->stats->peak_samples) ctx_->stats->peak_samples = n;
  if (ctx_->options->max_samples > 0 && n > ctx_->options->max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query execution");
  }
  return absl::OkStatus();
}

void Evaluator::ReleaseAggregated(int64_t held_before, int64_t output_points) const {
  ctx_->held_samples = held_before + output_points;
}

void Evaluator::Warn(std::string_view what, PosRange pos) const {
  if (ctx_->annotations == nullptr) return;
  ctx_->annotations->push_back(Annotation{true, StrCat("PromQL warning: ", what), pos});
}

void Evaluator::Info(std::string_view what, PosRange pos) const {
  if (ctx_->annotations == nullptr) return;
  ctx_->annotations->push_back(Annotation{false, StrCat("PromQL info: ", what), pos});
}

void CheckQuantile(const Evaluator& ev, double q, PosRange pos) {
  if (q >= 0 && q <= 1) return;
  ev.Warn(StrCat("quantile value should be between 0 and 1, got ", FormatFloatG(q)), pos);
}

absl::StatusOr<int64_t> EvalDuration(const DurationExpr& d, const QueryContext& ctx) {
  using Op = DurationExpr::Op;
  if (d.op == Op::kStep) return ctx.query_step;
  if (d.op == Op::kRange) return ctx.query_end - ctx.query_start;
  auto side = [&](const ExprPtr& e) -> absl::StatusOr<double> {
    if (e == nullptr) return 0.0;
    const Expr& inner = UnwrapParens(*e);
    if (inner.kind == Kind::kNumber) return static_cast<const NumberLiteral&>(inner).value;
    if (inner.kind == Kind::kDuration) {
      ASSIGN_OR_RETURN(int64_t ms, EvalDuration(static_cast<const DurationExpr&>(inner), ctx));
      return static_cast<double>(ms) / 1000.0;
    }
    return absl::InvalidArgumentError("unsupported duration expression");
  };
  ASSIGN_OR_RETURN(double r, side(d.rhs));
  double l = 0;
  if (d.lhs != nullptr) {
    ASSIGN_OR_RETURN(l, side(d.lhs));
  }
  double out = 0;
  switch (d.op) {
    case Op::kAdd:
      out = d.lhs ? l + r : r;
      break;
    case Op::kSub:
      out = d.lhs ? l - r : -r;
      break;
    case Op::kMul:
      out = l * r;
      break;
    case Op::kDiv:
      if (r == 0) return absl::InvalidArgumentError("division by zero");
      out = l / r;
      break;
    case Op::kMod:
      if (r == 0) return absl::InvalidArgumentError("modulo by zero");
      out = std::fmod(l, r);
      break;
    case Op::kPow:
      out = std::pow(l, r);
      break;
    case Op::kMinOf:
      out = std::min(l, r);
      break;
    case Op::kMaxOf:
      out = std::max(l, r);
      break;
    default:
      break;
  }
  return static_cast<int64_t>(std::llround(out * 1000.0));
}

absl::StatusOr<std::vector<int64_t>> Evaluator::ModifiedTimes(const TimeModifiers& mods) const {
  int64_t offset = mods.offset_ms;
  if (mods.offset_expr != nullptr) {
    ASSIGN_OR_RETURN(offset, EvalDuration(*mods.offset_expr, *ctx_));
  }
  std::vector<int64_t> ts(grid_.n);
  for (size_t i = 0; i < grid_.n; ++i) {
    int64_t t = grid_.T(i);
    if (mods.timestamp_ms.has_value()) {
      t = *mods.timestamp_ms;
    } else if (mods.at == AtModifier::kStart) {
      t = ctx_->query_start;
    } else if (mods.at == AtModifier::kEnd) {
      t = ctx_->query_end;
    }
    ts[i] = t - offset;
  }
  return ts;
}

absl::StatusOr<EvalValue> Evaluator::EvalUnary(const UnaryExpr& u) {
  ASSIGN_OR_RETURN(EvalValue v, Eval(*u.expr));
  if (!u.negate) return v;
  if (v.type == ValueType::kScalar) {
    for (double& x : v.scalar) x = -x;
    return v;
  }
  return MapValues(std::move(v), [](double x) { return -x; });
}

absl::StatusOr<EvalValue> Evaluator::Eval(const Expr& e) {
  RETURN_IF_ERROR(CheckInterrupt());
  switch (e.kind) {
    case Kind::kNumber: {
      EvalValue v;
      v.type = ValueType::kScalar;
      v.scalar.assign(grid_.n, static_cast<const NumberLiteral&>(e).value);
      return v;
    }
    case Kind::kString: {
      EvalValue v;
      v.type = ValueType::kString;
      v.str = static_cast<const StringLiteral&>(e).value;
      return v;
    }
    case Kind::kParen:
      return Eval(*static_cast<const ParenExpr&>(e).expr);
    case Kind::kUnary:
      return EvalUnary(static_cast<const UnaryExpr&>(e));
    case Kind::kVectorSelector:
      return EvalVectorSelector(static_cast<const VectorSelector&>(e));
    case Kind::kAggregate: {
      const int64_t held_before = ctx_->held_samples;
      ASSIGN_OR_RETURN(EvalValue v, EvalAggregate(static_cast<const AggregateExpr&>(e)));
      ReleaseAggregated(held_before, v.PointCount());
      return v;
    }
    case Kind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(e));
    case Kind::kCall:
      return EvalCall(static_cast<const Call&>(e));
    case Kind::kDuration: {
      ASSIGN_OR_RETURN(int64_t ms, EvalDuration(static_cast<const DurationExpr&>(e), *ctx_));
      EvalValue v;
      v.type = ValueType::kScalar;
      v.scalar.assign(grid_.n, static_cast<double>(ms) / 1000.0);
      return v;
    }
    case Kind::kMatrixSelector:
    case Kind::kSubquery:
      break;
  }
  return absl::InternalError("range vector used where an instant value is required");
}

absl::StatusOr<RangeInput> Evaluator::EvalRange(const Expr& e) {
  RETURN_IF_ERROR(CheckInterrupt());
  absl::StatusOr<RangeInput> in;
  switch (e.kind) {
    case Kind::kParen:
      return EvalRange(*static_cast<const ParenExpr&>(e).expr);
    case Kind::kMatrixSelector:
      in = EvalMatrixSelector(static_cast<const MatrixSelector&>(e));
      break;
    case Kind::kSubquery:
      in = EvalSubquery(static_cast<const SubqueryExpr&>(e));
      break;
    default:
      return absl::InternalError("expected a range vector");
  }
  if (in.ok()) in->ev = this;
  return in;
}

const MatrixSelector* StreamableRangeArg(const Call& c) {
  static constexpr std::string_view kFunctions[] = {"rate",
                                                    "increase",
                                                    "delta",
                                                    "irate",
                                                    "idelta",
                                                    "deriv",
                                                    "predict_linear",
                                                    "resets",
                                                    "changes",
                                                    "sum_over_time",
                                                    "avg_over_time",
                                                    "min_over_time",
                                                    "max_over_time",
                                                    "count_over_time",
                                                    "stddev_over_time",
                                                    "stdvar_over_time",
                                                    "last_over_time",
                                                    "first_over_time",
                                                    "present_over_time",
                                                    "ts_of_last_over_time",
                                                    "ts_of_first_over_time",
                                                    "ts_of_max_over_time",
                                                    "ts_of_min_over_time",
                                                    "mad_over_time",
                                                    "quantile_over_time",
                                                    "double_exponential_smoothing",
                                                    "holt_winters"};
  const std::string_view name = c.func->name;
  if (std::find(std::begin(kFunctions), std::end(kFunctions), name) == std::end(kFunctions)) {
    return nullptr;
  }
  const size_t arg = name == "quantile_over_time" ? 1 : 0;
  if (c.args.size() <= arg) return nullptr;
  const Expr& e = UnwrapParens(*c.args[arg]);
  if (e.kind != Kind::kMatrixSelector) return nullptr;
  return &static_cast<const MatrixSelector&>(e);
}

namespace {

absl::Status SinkAll(const EvalValue& v, SeriesSink sink) {
  for (const StepSeries& s : v.series) {
    RETURN_IF_ERROR(sink(StepSeriesView{s.labels, s.drop_name, s.v, s.has}));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Evaluator::StreamSeries(const Expr& e, SeriesSink sink) {
  RETURN_IF_ERROR(CheckInterrupt());
  const Expr& x = UnwrapParens(e);
  if (x.kind == Kind::kVectorSelector) {
    return SelectStepSeries(static_cast<const VectorSelector&>(x), false, sink);
  }
  if (x.kind == Kind::kCall) {
    const Call& c = static_cast<const Call&>(x);
    if (const MatrixSelector* ms = StreamableRangeArg(c)) {
      stream_target_ = ms;
      stream_sink_ = &sink;
      absl::StatusOr<EvalValue> v = EvalCall(c);
      stream_target_ = nullptr;
      stream_sink_ = nullptr;
      if (!v.ok()) return v.status();
      return SinkAll(*v, sink);  // empty unless the function did not stream
    }
  }
  if (x.kind == Kind::kBinary) return StreamBinary(static_cast<const BinaryExpr&>(x), sink);
  ASSIGN_OR_RETURN(EvalValue v, Eval(x));
  return SinkAll(v, sink);
}

absl::StatusOr<EvalValue> Evaluator::EvalCall(const Call& c) {
  using Fn = absl::StatusOr<EvalValue> (*)(Evaluator&, const Call&);
  const std::string_view name = c.func->name;
  if (grid_.start != grid_.end && (name == "sort" || name == "sort_desc" ||
                                   name == "sort_by_label" || name == "sort_by_label_desc")) {
    Warn("sort is ineffective for range queries since results are always ordered by labels", c.pos);
  }
  for (Fn fn : {CallRangeFunction, CallOverTimeFunction, CallMathFunction, CallLabelFunction,
                CallTimeFunction, CallHistogramFunction, CallInfoFunction}) {
    absl::StatusOr<EvalValue> r = fn(*this, c);
    if (r.ok() || !absl::IsNotFound(r.status())) return r;
  }
  return absl::UnimplementedError(StrCat("function \"", c.func->name, "\" is not supported"));
}

}  // namespace sundial::promql
