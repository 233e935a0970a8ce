#include "promql/ast.h"

#include "promql/functions.h"

namespace sundial::promql {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
  }
  return "none";
}

std::string_view DocumentedType(ValueType t) {
  switch (t) {
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    default:
      return ValueTypeName(t);
  }
}

std::string_view BinaryOpString(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kAtan2:
      return "atan2";
    case BinaryOp::kEql:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kLte:
      return "<=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kTrimUpper:
      return "</";
    case BinaryOp::kTrimLower:
      return ">/";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kUnless:
      return "unless";
  }
  return "?";
}

bool IsComparison(BinaryOp op) { return op >= BinaryOp::kEql && op <= BinaryOp::kGte; }
bool IsSetOperator(BinaryOp op) { return op >= BinaryOp::kAnd; }

std::string_view AggregateOpString(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
      return "sum";
    case AggregateOp::kAvg:
      return "avg";
    case AggregateOp::kCount:
      return "count";
    case AggregateOp::kMin:
      return "min";
    case AggregateOp::kMax:
      return "max";
    case AggregateOp::kGroup:
      return "group";
    case AggregateOp::kStddev:
      return "stddev";
    case AggregateOp::kStdvar:
      return "stdvar";
    case AggregateOp::kTopk:
      return "topk";
    case AggregateOp::kBottomk:
      return "bottomk";
    case AggregateOp::kCountValues:
      return "count_values";
    case AggregateOp::kQuantile:
      return "quantile";
    case AggregateOp::kLimitk:
      return "limitk";
    case AggregateOp::kLimitRatio:
      return "limit_ratio";
  }
  return "?";
}

bool HasParam(AggregateOp op) { return op >= AggregateOp::kTopk; }
bool IsExperimental(AggregateOp op) {
  return op == AggregateOp::kLimitk || op == AggregateOp::kLimitRatio;
}

ValueType Expr::Type() const {
  switch (kind) {
    case Kind::kNumber:
    case Kind::kDuration:
      return ValueType::kScalar;
    case Kind::kString:
      return ValueType::kString;
    case Kind::kVectorSelector:
    case Kind::kAggregate:
      return ValueType::kVector;
    case Kind::kMatrixSelector:
    case Kind::kSubquery:
      return ValueType::kMatrix;
    case Kind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(*this);
      return b.lhs->Type() == ValueType::kScalar && b.rhs->Type() == ValueType::kScalar
                 ? ValueType::kScalar
                 : ValueType::kVector;
    }
    case Kind::kUnary:
      return static_cast<const UnaryExpr&>(*this).expr->Type();
    case Kind::kParen:
      return static_cast<const ParenExpr&>(*this).expr->Type();
    case Kind::kCall:
      return static_cast<const Call&>(*this).func->return_type;
  }
  return ValueType::kNone;
}

const Expr& UnwrapParens(const Expr& e) {
  const Expr* inner = &e;
  while (inner->kind == Kind::kParen) inner = static_cast<const ParenExpr*>(inner)->expr.get();
  return *inner;
}

void ForEachChild(const Expr& e, absl::FunctionRef<void(const Expr&)> visit) {
  switch (e.kind) {
    case Kind::kMatrixSelector:
      visit(*static_cast<const MatrixSelector&>(e).selector);
      break;
    case Kind::kSubquery:
      visit(*static_cast<const SubqueryExpr&>(e).expr);
      break;
    case Kind::kParen:
      visit(*static_cast<const ParenExpr&>(e).expr);
      break;
    case Kind::kUnary:
      visit(*static_cast<const UnaryExpr&>(e).expr);
      break;
    case Kind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      if (a.param) visit(*a.param);
      visit(*a.expr);
      break;
    }
    case Kind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      visit(*b.lhs);
      visit(*b.rhs);
      break;
    }
    case Kind::kCall:
      for (const ExprPtr& arg : static_cast<const Call&>(e).args) visit(*arg);
      break;
    case Kind::kVectorSelector:
    case Kind::kNumber:
    case Kind::kString:
    case Kind::kDuration:
      break;
  }
}

}  // namespace sundial::promql
