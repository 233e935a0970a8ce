// Prometheus' checkAST: the type rules applied to a complete tree, in its order, so that the
// first error reported is the one Prometheus reports.
#include <optional>

#include "base/str_cat.h"
#include "base/strings.h"
#include "model/labels.h"
#include "promql/functions.h"
#include "promql/parser_internal.h"

namespace sundial::promql::internal {
namespace {

class Checker {
 public:
  explicit Checker(std::string_view input) : input_(input) {}

  ValueType Check(Expr& e);
  const std::optional<ParseError>& error() const { return error_; }

 private:
  void Fail(PosRange pos, std::string msg) {
    if (!error_) error_ = ParseError{pos, 0, 0, std::move(msg)};
  }
  void ExpectType(Expr& e, ValueType want, std::string_view context) {
    ValueType t = Check(e);
    if (t != want) {
      Fail(e.pos, StrCat("expected type ", DocumentedType(want), " in ", context, ", got ",
                         DocumentedType(t)));
    }
  }
  // The operator's text between the operands, for error positions.
  PosRange OperatorRange(const BinaryExpr& b) const {
    int32_t s = b.lhs->pos.end, e = b.rhs->pos.start - 1;
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (s < static_cast<int32_t>(input_.size()) && space(input_[s])) ++s;
    while (e > s && space(input_[e])) --e;
    return {s, e};
  }
  void CheckBinary(BinaryExpr& b);
  void CheckCall(Call& c);
  void CheckVectorSelector(VectorSelector& vs);

  std::string_view input_;
  std::optional<ParseError> error_;
};

ValueType Checker::Check(Expr& e) {
  if (error_) return e.Type();
  switch (e.kind) {
    case Kind::kAggregate: {
      auto& a = static_cast<AggregateExpr&>(e);
      ExpectType(*a.expr, ValueType::kVector, "aggregation expression");
      if (a.param && a.op != AggregateOp::kCountValues) {
        ExpectType(*a.param, ValueType::kScalar, "aggregation parameter");
      } else if (a.param) {
        ExpectType(*a.param, ValueType::kString, "aggregation parameter");
      }
      break;
    }
    case Kind::kBinary:
      CheckBinary(static_cast<BinaryExpr&>(e));
      break;
    case Kind::kCall:
      CheckCall(static_cast<Call&>(e));
      break;
    case Kind::kParen:
      Check(*static_cast<ParenExpr&>(e).expr);
      break;
    case Kind::kUnary: {
      ValueType t = Check(*static_cast<UnaryExpr&>(e).expr);
      if (t != ValueType::kScalar && t != ValueType::kVector) {
        Fail(e.pos, StrCat("unary expression only allowed on expressions of type scalar or "
                           "instant vector, got ",
                           GoQuote(DocumentedType(t))));
      }
      break;
    }
    case Kind::kSubquery: {
      ValueType t = Check(*static_cast<SubqueryExpr&>(e).expr);
      if (t != ValueType::kVector) {
        Fail(e.pos, StrCat("subquery is only allowed on instant vector, got ", ValueTypeName(t),
                           " instead"));
      }
      break;
    }
    case Kind::kMatrixSelector:
      Check(*static_cast<MatrixSelector&>(e).selector);
      break;
    case Kind::kVectorSelector:
      CheckVectorSelector(static_cast<VectorSelector&>(e));
      break;
    case Kind::kNumber:
    case Kind::kString:
    case Kind::kDuration:
      break;
  }
  return e.Type();
}

void Checker::CheckBinary(BinaryExpr& b) {
  ValueType lt = Check(*b.lhs);
  ValueType rt = Check(*b.rhs);
  if (error_) return;
  if (b.return_bool && !IsComparison(b.op)) {
    Fail(OperatorRange(b), "bool modifier can only be used on comparison operators");
  }
  if (IsComparison(b.op) && !b.return_bool && lt == ValueType::kScalar &&
      rt == ValueType::kScalar) {
    Fail(OperatorRange(b), "comparisons between scalars must use BOOL modifier");
  }
  VectorMatching& vm = *b.matching;
  if (IsSetOperator(b.op) && vm.card == VectorMatching::Card::kOneToOne) {
    vm.card = VectorMatching::Card::kManyToMany;
  }
  if (vm.on) {
    for (const std::string& l1 : vm.labels) {
      for (const std::string& l2 : vm.include) {
        if (l1 == l2) {
          Fail(OperatorRange(b),
               StrCat("label ", GoQuote(l1), " must not occur in ON and GROUP clause at once"));
        }
      }
    }
  }
  if (lt != ValueType::kScalar && lt != ValueType::kVector) {
    Fail(b.lhs->pos, "binary expression must contain only scalar and instant vector types");
  }
  if (rt != ValueType::kScalar && rt != ValueType::kVector) {
    Fail(b.rhs->pos, "binary expression must contain only scalar and instant vector types");
  }
  const bool has_fill = vm.fill_lhs.has_value() || vm.fill_rhs.has_value();
  if (lt != ValueType::kVector || rt != ValueType::kVector) {
    if (!vm.labels.empty()) Fail(b.pos, "vector matching only allowed between instant vectors");
    if (has_fill) Fail(b.pos, "filling in missing series only allowed between instant vectors");
    b.matching.reset();
  } else if (IsSetOperator(b.op)) {
    if (vm.card == VectorMatching::Card::kOneToMany ||
        vm.card == VectorMatching::Card::kManyToOne) {
      Fail(b.pos, StrCat("no grouping allowed for ", GoQuote(BinaryOpString(b.op)), " operation"));
    }
    if (vm.card != VectorMatching::Card::kManyToMany) {
      Fail(b.pos, "set operations must always be many-to-many");
    }
    if (has_fill) Fail(b.pos, "filling in missing series not allowed for set operators");
  }
  if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(b.op)) {
    Fail(b.pos, StrCat("set operator ", GoQuote(BinaryOpString(b.op)),
                       " not allowed in binary scalar expression"));
  }
}

void Checker::CheckCall(Call& c) {
  const Function& f = *c.func;
  const size_t nargs = f.arg_types.size();
  const size_t got = c.args.size();
  if (f.variadic == 0) {
    if (nargs != got) {
      Fail(c.pos,
           StrCat("expected ", nargs, " argument(s) in call to ", GoQuote(f.name), ", got ", got));
    }
  } else {
    size_t min = nargs - 1;
    if (min > got) {
      Fail(c.pos, StrCat("expected at least ", min, " argument(s) in call to ", GoQuote(f.name),
                         ", got ", got));
    } else if (f.variadic > 0 && min + f.variadic < got) {
      Fail(c.pos, StrCat("expected at most ", min + f.variadic, " argument(s) in call to ",
                         GoQuote(f.name), ", got ", got));
    }
  }
  if (f.name == "info" && got > 1) {
    Expr& sel = *c.args[1];
    if (sel.Type() != ValueType::kVector) {
      Fail(c.pos, StrCat("expected type instant vector in call to function \"info\", got ",
                         DocumentedType(sel.Type())));
    }
    if (sel.kind == Kind::kVectorSelector) {
      auto& vs = static_cast<VectorSelector&>(sel);
      if (!vs.name.empty()) {
        Fail(sel.pos, "expected label selectors only, got vector selector instead");
      } else {
        vs.bypass_empty_matcher_check = true;
      }
    } else {
      Fail(sel.pos, "expected label selectors only");
    }
  }
  for (size_t i = 0; i < got; ++i) {
    size_t k = i;
    if (k >= nargs) {
      if (f.variadic == 0) break;
      k = nargs - 1;
    }
    ValueType t = Check(*c.args[i]);
    if (t != f.arg_types[k]) {
      Fail(c.args[i]->pos,
           StrCat("expected type ", DocumentedType(f.arg_types[k]), " in call to function ",
                  GoQuote(f.name), ", got ", DocumentedType(t)));
    }
  }
}

void Checker::CheckVectorSelector(VectorSelector& vs) {
  if (!vs.name.empty()) {
    for (size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
      if (vs.matchers[i].name() == kMetricNameLabel) {
        Fail(vs.pos, StrCat("metric name must not be set twice: ", GoQuote(vs.name), " or ",
                            GoQuote(vs.matchers[i].value())));
      }
    }
    return;
  }
  if (vs.bypass_empty_matcher_check) return;
  for (const Matcher& m : vs.matchers) {
    if (!m.MatchesEmpty()) return;
  }
  Fail(vs.pos, "vector selector must contain at least one non-empty matcher");
}

}  // namespace

bool CheckTypes(Expr& root, std::string_view input, ParseError* error) {
  Checker c(input);
  c.Check(root);
  if (!c.error()) return true;
  *error = *c.error();
  return false;
}

}  // namespace sundial::promql::internal
