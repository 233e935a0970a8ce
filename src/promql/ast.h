// The PromQL abstract syntax tree produced by Parse() (parser.h).
//
// Every node derives from Expr, carries a Kind tag (switch on it and static_cast to the concrete
// type; no RTTI needed) and the byte range of the query text it was parsed from. Children are
// owned through unique_ptr, so a tree is freed with its root and can be moved but not copied.
//
//   ASSIGN_OR_RETURN(ExprPtr e, Parse("sum by (job) (rate(x[5m]))"));
//   if (e->kind == Kind::kAggregate) {
//     const auto& agg = static_cast<const AggregateExpr&>(*e);   // agg.grouping == {"job"}
//   }
#ifndef SUNDIAL_PROMQL_AST_H_
#define SUNDIAL_PROMQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "model/matcher.h"

namespace sundial::promql {

struct Function;  // functions.h

// The four PromQL value types, plus kNone for nodes without one.
enum class ValueType : uint8_t { kNone, kScalar, kVector, kMatrix, kString };

// "scalar", "vector", "matrix", "string", "none": the names Prometheus uses internally.
std::string_view ValueTypeName(ValueType t);
// As shown in error messages: "instant vector" and "range vector" for vector and matrix.
std::string_view DocumentedType(ValueType t);

// Byte offsets into the query, [start, end).
struct PosRange {
  int32_t start = 0;
  int32_t end = 0;
};

enum class Kind : uint8_t {
  kNumber,
  kString,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kAggregate,
  kBinary,
  kUnary,
  kCall,
  kParen,
  kDuration,  // arithmetic on durations in ranges, steps and offsets (DurationExpr)
};

enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,
  kEql,
  kNeq,
  kLss,
  kLte,
  kGtr,
  kGte,  // comparisons
  kTrimUpper,
  kTrimLower,  // </ and >/ (native histogram trimming)
  kAnd,
  kOr,
  kUnless,  // set operators
};
std::string_view BinaryOpString(BinaryOp op);  // "+", "==", "and", "atan2", ...
bool IsComparison(BinaryOp op);
bool IsSetOperator(BinaryOp op);

enum class AggregateOp : uint8_t {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kCountValues,
  kQuantile,
  kLimitk,
  kLimitRatio,
};
std::string_view AggregateOpString(AggregateOp op);  // "sum", "count_values", ...
// topk, bottomk, count_values, quantile, limitk, limit_ratio take a parameter.
bool HasParam(AggregateOp op);
// limitk and limit_ratio need ParseOptions::enable_experimental_functions.
bool IsExperimental(AggregateOp op);

// `@ start()` / `@ end()`.
enum class AtModifier : uint8_t { kNone, kStart, kEnd };

struct Expr {
  Expr(Kind k, PosRange p) : kind(k), pos(p) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // The type the expression evaluates to.
  ValueType Type() const;

  const Kind kind;
  PosRange pos;
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral : Expr {
  NumberLiteral(double v, PosRange p) : Expr(Kind::kNumber, p), value(v) {}
  double value;
  bool duration = false;  // written as a duration ("5m"); value is in seconds
};

struct StringLiteral : Expr {
  StringLiteral(std::string v, PosRange p) : Expr(Kind::kString, p), value(std::move(v)) {}
  std::string value;  // unquoted
};

// Arithmetic over durations (seconds) inside `[...]`, after `offset`. Binary when lhs is set;
// unary minus when only rhs is set with kSub; `(x)` is wrapped=true with kAdd and only rhs.
// lhs/rhs are NumberLiterals or DurationExprs.
struct DurationExpr : Expr {
  enum class Op : uint8_t { kAdd, kSub, kMul, kDiv, kMod, kPow, kStep, kRange, kMinOf, kMaxOf };
  DurationExpr(Op o, PosRange p) : Expr(Kind::kDuration, p), op(o) {}
  Op op;
  ExprPtr lhs;
  ExprPtr rhs;
  bool wrapped = false;  // printed in parentheses
};

// The time modifiers shared by vector selectors and subqueries. Offsets and timestamps are in
// milliseconds. At most one of offset / offset_expr and one of timestamp / at are set.
struct TimeModifiers {
  int64_t offset_ms = 0;
  std::unique_ptr<DurationExpr> offset_expr;
  std::optional<int64_t> timestamp_ms;  // `@ 1609746000`
  AtModifier at = AtModifier::kNone;
  bool HasOffset() const { return offset_ms != 0 || offset_expr != nullptr; }
  bool HasAt() const { return timestamp_ms.has_value() || at != AtModifier::kNone; }
};

struct VectorSelector : Expr {
  explicit VectorSelector(PosRange p) : Expr(Kind::kVectorSelector, p) {}
  std::string name;  // metric name written before the braces, or ""
  // All matchers, in source order; a metric name written before the braces is last.
  std::vector<Matcher> matchers;
  TimeModifiers mods;
  bool anchored = false;
  bool smoothed = false;
  // Set for the label-selector argument of info(), which may match everything.
  bool bypass_empty_matcher_check = false;
};

struct MatrixSelector : Expr {
  MatrixSelector(ExprPtr vs, PosRange p)
      : Expr(Kind::kMatrixSelector, p), selector(std::move(vs)) {}
  // Always a VectorSelector; its modifiers (offset, @, anchored, smoothed) apply to the range.
  ExprPtr selector;
  int64_t range_ms = 0;
  std::unique_ptr<DurationExpr> range_expr;  // set instead of range_ms for `[5m+1m]`
  const VectorSelector& vector_selector() const {
    return static_cast<const VectorSelector&>(*selector);
  }
};

struct SubqueryExpr : Expr {
  SubqueryExpr(ExprPtr e, PosRange p) : Expr(Kind::kSubquery, p), expr(std::move(e)) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  std::unique_ptr<DurationExpr> range_expr;
  int64_t step_ms = 0;  // 0 without step_expr: the engine's default resolution
  std::unique_ptr<DurationExpr> step_expr;
  TimeModifiers mods;
};

struct VectorMatching {
  enum class Card : uint8_t { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  Card card = Card::kOneToOne;
  bool on = false;                   // on(...) rather than ignoring(...)
  std::vector<std::string> labels;   // the on/ignoring list
  std::vector<std::string> include;  // group_left/group_right extra labels
  std::optional<double> fill_lhs;    // fill()/fill_left(): value for a missing left side
  std::optional<double> fill_rhs;    // fill()/fill_right(): value for a missing right side
};

struct BinaryExpr : Expr {
  BinaryExpr(BinaryOp o, PosRange p) : Expr(Kind::kBinary, p), op(o) {}
  BinaryOp op;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // Present iff both sides are instant vectors.
  std::optional<VectorMatching> matching;
};

struct UnaryExpr : Expr {
  UnaryExpr(bool neg, ExprPtr e, PosRange p)
      : Expr(Kind::kUnary, p), negate(neg), expr(std::move(e)) {}
  bool negate;  // '-' (true) or '+'
  ExprPtr expr;
};

struct AggregateExpr : Expr {
  AggregateExpr(AggregateOp o, PosRange p) : Expr(Kind::kAggregate, p), op(o) {}
  AggregateOp op;
  ExprPtr expr;
  ExprPtr param;  // set iff HasParam(op)
  std::vector<std::string> grouping;
  bool without = false;
};

struct Call : Expr {
  Call(const Function* f, PosRange p) : Expr(Kind::kCall, p), func(f) {}
  const Function* func;  // never null; points into the static function table
  std::vector<ExprPtr> args;
};

struct ParenExpr : Expr {
  ParenExpr(ExprPtr e, PosRange p) : Expr(Kind::kParen, p), expr(std::move(e)) {}
  ExprPtr expr;
};

// The expression inside any number of parentheses: `(("a"))` -> the string literal "a".
const Expr& UnwrapParens(const Expr& e);

// Calls visit on each operand of e that is itself a PromQL expression, in source order: the
// selector of a range, the inner expression of a subquery, parentheses and unary operators, an
// aggregation's parameter then its operand, both sides of a binary operator, a call's arguments.
// Durations inside `[...]` and `offset` are not operands.
void ForEachChild(const Expr& e, absl::FunctionRef<void(const Expr&)> visit);

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_AST_H_
