// Selectors, label matchers, grouping labels, ranges, subqueries, offsets, @ and durations.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/str_cat.h"
#include "base/strings.h"
#include "model/labels.h"
#include "promql/parser_internal.h"

namespace sundial::promql::internal {
namespace {

constexpr std::string_view kNestingTooDeep = "expression nesting too deep";

// Tokens accepted as a label name in by/without/on/ignoring/group_x lists.
bool IsMaybeLabel(Tok t) {
  return t == Tok::kIdentifier || t == Tok::kMetricIdentifier || IsKeywordTok(t) ||
         IsAggregatorTok(t) || IsPreprocessorTok(t) || t == Tok::kLand || t == Tok::kLor ||
         t == Tok::kLunless || t == Tok::kAtan2;
}

bool IsMatchOp(Tok t, MatchType* type) {
  switch (t) {
    case Tok::kEql:
      *type = MatchType::kEqual;
      return true;
    case Tok::kNeq:
      *type = MatchType::kNotEqual;
      return true;
    case Tok::kEqlRegex:
      *type = MatchType::kRegexp;
      return true;
    case Tok::kNeqRegex:
      *type = MatchType::kNotRegexp;
      return true;
    default:
      return false;
  }
}

int DurationPrecedence(Tok t) {
  switch (t) {
    case Tok::kAdd:
    case Tok::kSub:
      return 1;
    case Tok::kMul:
    case Tok::kDiv:
    case Tok::kMod:
      return 2;
    case Tok::kPow:
      return 3;
    default:
      return -1;
  }
}

DurationExpr::Op ToDurationOp(Tok t) {
  switch (t) {
    case Tok::kAdd:
      return DurationExpr::Op::kAdd;
    case Tok::kSub:
      return DurationExpr::Op::kSub;
    case Tok::kMul:
      return DurationExpr::Op::kMul;
    case Tok::kDiv:
      return DurationExpr::Op::kDiv;
    case Tok::kMod:
      return DurationExpr::Op::kMod;
    case Tok::kPow:
      return DurationExpr::Op::kPow;
    case Tok::kStep:
      return DurationExpr::Op::kStep;
    case Tok::kRange:
      return DurationExpr::Op::kRange;
    case Tok::kMinOf:
      return DurationExpr::Op::kMinOf;
    default:
      return DurationExpr::Op::kMaxOf;
  }
}

int64_t SecondsToMs(double s) { return static_cast<int64_t>(std::llround(s * 1000.0)); }

// Go's %f.
std::string GoFormatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

std::unique_ptr<DurationExpr> AsDuration(ExprPtr e) {
  return std::unique_ptr<DurationExpr>(static_cast<DurationExpr*>(e.release()));
}

}  // namespace

ExprPtr Parser::ParseVectorSelector(const Token* name) {
  int32_t start = name ? name->pos : Peek().pos;
  auto vs = std::make_unique<VectorSelector>(PosRange{start, name ? name->end() : start});
  if (name) vs->name = std::string(name->text);
  if (!name || Peek().kind == Tok::kLeftBrace) {
    if (!ParseLabelMatchers(vs.get())) return nullptr;
  }
  vs->pos.end = LastEnd();
  if (name) {
    absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kEqual, kMetricNameLabel, vs->name);
    if (!m.ok()) return Fail(vs->pos, std::string(AsStd(m.status().message())));
    vs->matchers.push_back(*std::move(m));
  }
  return vs;
}

bool Parser::ParseLabelMatchers(VectorSelector* vs) {
  Advance();  // {
  if (Peek().kind == Tok::kRightBrace) {
    Advance();
    return true;
  }
  while (true) {
    const Token& label = Peek();
    std::string name;
    if (label.kind == Tok::kIdentifier) {
      name = std::string(label.text);
    } else if (label.kind == Tok::kString) {
      name = Unquote(label.text);
    } else {
      return Unexpected("label matching", "identifier or \"}\"");
    }
    Advance();
    MatchType type;
    if (!IsMatchOp(Peek().kind, &type)) {
      if (label.kind == Tok::kIdentifier) {
        return Unexpected("label matching", "label matching operator");
      }
      // A lone quoted string is the metric name.
      type = MatchType::kEqual;
      std::string value = std::move(name);
      name = std::string(kMetricNameLabel);
      absl::StatusOr<Matcher> m = Matcher::Create(type, name, value);
      if (!m.ok()) return Fail({label.pos, label.end()}, std::string(AsStd(m.status().message())));
      vs->matchers.push_back(*std::move(m));
    } else {
      Advance();
      const Token& value = Peek();
      if (value.kind != Tok::kString) return Unexpected("label matching", "string");
      Advance();
      absl::StatusOr<Matcher> m = Matcher::Create(type, name, Unquote(value.text));
      if (!m.ok()) {
        return Fail({label.pos, value.end()}, std::string(AsStd(m.status().message())));
      }
      vs->matchers.push_back(*std::move(m));
    }
    const Token& sep = Peek();
    if (sep.kind == Tok::kRightBrace) {
      Advance();
      return true;
    }
    if (sep.kind != Tok::kComma) return Unexpected("label matching", "\",\" or \"}\"");
    Advance();
    if (Peek().kind == Tok::kRightBrace) {
      Advance();
      return true;
    }
  }
}

bool Parser::ParseGroupingLabels(std::vector<std::string>* labels) {
  if (Peek().kind != Tok::kLeftParen) return Unexpected("grouping opts", "\"(\"");
  Advance();
  labels->clear();
  if (Peek().kind == Tok::kRightParen) {
    Advance();
    return true;
  }
  while (true) {
    const Token& t = Peek();
    if (t.kind == Tok::kString) {
      std::string name = Unquote(t.text);
      if (name.empty() || !IsValidUtf8(name)) {
        return Fail({t.pos, t.end()}, StrCat("invalid label name for grouping: ", GoQuote(name)));
      }
      labels->push_back(std::move(name));
    } else if (IsMaybeLabel(t.kind)) {
      labels->push_back(std::string(t.text));
    } else {
      return Unexpected("grouping opts", "label");
    }
    Advance();
    const Token& sep = Peek();
    if (sep.kind == Tok::kRightParen) {
      Advance();
      return true;
    }
    if (sep.kind != Tok::kComma) return Unexpected("grouping opts", "\",\" or \")\"");
    Advance();
    if (Peek().kind == Tok::kRightParen) {
      Advance();
      return true;
    }
  }
}

bool Parser::IsDurationStart(Tok t) const {
  return t == Tok::kNumber || t == Tok::kDuration || t == Tok::kAdd || t == Tok::kSub ||
         t == Tok::kLeftParen || t == Tok::kStep || t == Tok::kRange || t == Tok::kMinOf ||
         t == Tok::kMaxOf;
}

ExprPtr Parser::ParseRangeOrSubquery(ExprPtr e) {
  const Token& open = Advance();
  if (!IsDurationStart(Peek().kind)) {
    return Unexpected("subquery or range selector", "number, duration, step(), or range()");
  }
  ExprPtr range = ParsePositiveDuration();
  if (!range) return nullptr;
  const Token& t = Peek();
  if (t.kind == Tok::kRightBracket) {
    const Token& close = Advance();
    PosRange bracket{open.pos, close.end()};
    if (e->kind != Kind::kVectorSelector) {
      return Fail(bracket, "ranges only allowed for vector selectors");
    }
    const auto& vs = static_cast<const VectorSelector&>(*e);
    if (vs.mods.HasOffset()) return Fail(bracket, "no offset modifiers allowed before range");
    if (vs.mods.HasAt()) return Fail(bracket, "no @ modifiers allowed before range");
    PosRange pos{e->pos.start, close.end()};
    auto ms = std::make_unique<MatrixSelector>(std::move(e), pos);
    if (range->kind == Kind::kNumber) {
      ms->range_ms = SecondsToMs(static_cast<NumberLiteral&>(*range).value);
    } else {
      ms->range_expr = AsDuration(std::move(range));
    }
    return ms;
  }
  if (t.kind != Tok::kColon) return Unexpected("subquery or range", "\":\" or \"]\"");
  Advance();
  ExprPtr step;
  if (Peek().kind != Tok::kRightBracket) {
    if (!IsDurationStart(Peek().kind)) {
      return Unexpected("subquery selector", "number, duration, step(), range(), or \"]\"");
    }
    step = ParsePositiveDuration();
    if (!step) return nullptr;
    if (Peek().kind != Tok::kRightBracket) return Unexpected("subquery selector", "\"]\"");
  }
  const Token& close = Advance();
  PosRange pos{e->pos.start, close.end()};
  auto sq = std::make_unique<SubqueryExpr>(std::move(e), pos);
  if (range->kind == Kind::kNumber) {
    sq->range_ms = SecondsToMs(static_cast<NumberLiteral&>(*range).value);
  } else {
    sq->range_expr = AsDuration(std::move(range));
  }
  if (step && step->kind == Kind::kNumber) {
    sq->step_ms = SecondsToMs(static_cast<NumberLiteral&>(*step).value);
  } else if (step) {
    sq->step_expr = AsDuration(std::move(step));
  }
  return sq;
}

// The modifiers of e that offset and @ apply to, or nullptr with an error.
static TimeModifiers* ModifiersOf(Expr& e) {
  switch (e.kind) {
    case Kind::kVectorSelector:
      return &static_cast<VectorSelector&>(e).mods;
    case Kind::kMatrixSelector:
      return &static_cast<VectorSelector&>(*static_cast<MatrixSelector&>(e).selector).mods;
    case Kind::kSubquery:
      return &static_cast<SubqueryExpr&>(e).mods;
    default:
      return nullptr;
  }
}

ExprPtr Parser::ParseOffset(ExprPtr e) {
  Advance();  // offset
  const Token& first = Peek();
  ExprPtr d;
  bool has_sign = first.kind == Tok::kAdd || first.kind == Tok::kSub;
  const Token* sign = has_sign ? &Advance() : nullptr;
  const Token& t = Peek();
  if (t.kind == Tok::kNumber || t.kind == Tok::kDuration) {
    d = ParseNumber(Advance());
    if (!d) return nullptr;
    auto& n = static_cast<NumberLiteral&>(*d);
    if (sign && sign->kind == Tok::kSub) n.value = -n.value;
    if (DurationOutOfRange(n.value)) {
      return Fail(sign ? PosRange{sign->pos, sign->end()} : n.pos, "duration out of range");
    }
    if (sign) n.pos.start = sign->pos;
  } else if (t.kind == Tok::kStep || t.kind == Tok::kRange || t.kind == Tok::kMinOf ||
             t.kind == Tok::kMaxOf) {
    d = ParseDurationFunction(Advance());
    if (d && sign) d = ApplyUnaryToDuration(*sign, std::move(d), false);
  } else if (t.kind == Tok::kLeftParen) {
    const Token& open = Advance();
    ExprPtr inner = ParseDurationExpr(0);
    if (!inner) return nullptr;
    if (Peek().kind != Tok::kRightParen) return Unexpected("", "");
    const Token& close = Advance();
    if (!CheckDurationExprEnabled(*inner)) return nullptr;
    d = sign ? ApplyUnaryToDuration(*sign, std::move(inner), true)
             : WrapParenDuration(std::move(inner), open.pos, close.end());
  } else {
    return Unexpected("offset", "number, duration, step(), or range()");
  }
  if (!d) return nullptr;
  TimeModifiers* mods = ModifiersOf(*e);
  if (mods == nullptr) {
    return Fail(e->pos,
                "offset modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery");
  }
  if (mods->HasOffset()) return Fail(e->pos, "offset may not be set multiple times");
  if (d->kind == Kind::kNumber) {
    mods->offset_ms = SecondsToMs(static_cast<NumberLiteral&>(*d).value);
  } else {
    mods->offset_expr = AsDuration(std::move(d));
  }
  e->pos.end = LastEnd();
  return e;
}

ExprPtr Parser::ParseAt(ExprPtr e) {
  Advance();  // @
  const Token& first = Peek();
  if (first.kind == Tok::kStart || first.kind == Tok::kEnd) {
    if (PeekAt(1).kind != Tok::kLeftParen || PeekAt(2).kind != Tok::kRightParen) {
      Advance();
      return Unexpected("@", "timestamp");
    }
    Advance();
    Advance();
    Advance();
    TimeModifiers* mods = ModifiersOf(*e);
    if (mods == nullptr) {
      return Fail(e->pos,
                  "@ modifier must be preceded by an instant vector selector or range vector "
                  "selector or a subquery");
    }
    if (mods->HasAt()) return Fail(e->pos, "@ <timestamp> may not be set multiple times");
    mods->at = first.kind == Tok::kStart ? AtModifier::kStart : AtModifier::kEnd;
    e->pos.end = LastEnd();
    return e;
  }
  bool negate = false;
  if (first.kind == Tok::kAdd || first.kind == Tok::kSub) negate = Advance().kind == Tok::kSub;
  const Token& t = Peek();
  if (t.kind != Tok::kNumber && t.kind != Tok::kDuration) return Unexpected("@", "timestamp");
  ExprPtr n = ParseNumber(Advance());
  if (!n) return nullptr;
  double ts = static_cast<NumberLiteral&>(*n).value * (negate ? -1 : 1);
  if (std::isinf(ts) || std::isnan(ts) || ts >= 9223372036854775807.0 ||
      ts <= -9223372036854775808.0) {
    return Fail(e->pos, StrCat("timestamp out of bounds for @ modifier: ", GoFormatF(ts)));
  }
  TimeModifiers* mods = ModifiersOf(*e);
  if (mods == nullptr) {
    return Fail(e->pos,
                "@ modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery");
  }
  if (mods->HasAt()) return Fail(e->pos, "@ <timestamp> may not be set multiple times");
  // Seconds within int64 can overflow as milliseconds; saturate (Go's conversion wraps).
  mods->timestamp_ms = static_cast<int64_t>(
      std::clamp(std::round(ts * 1000.0), -9.2233720368547e18, 9.2233720368547e18));
  e->pos.end = LastEnd();
  return e;
}

ExprPtr Parser::ParseAnchoredOrSmoothed(ExprPtr e, bool anchored) {
  Advance();
  std::string_view what = anchored ? "anchored" : "smoothed";
  if (!options_.enable_extended_range_selectors) {
    return Fail(e->pos, StrCat(what, " modifier is experimental and not enabled"));
  }
  VectorSelector* vs = nullptr;
  if (e->kind == Kind::kVectorSelector) {
    vs = static_cast<VectorSelector*>(e.get());
  } else if (e->kind == Kind::kMatrixSelector) {
    vs = static_cast<VectorSelector*>(static_cast<MatrixSelector&>(*e).selector.get());
  } else if (e->kind == Kind::kSubquery) {
    return Fail(e->pos, StrCat(what, " modifier is not supported for subqueries"));
  } else {
    return Fail(e->pos, StrCat(what, " modifier not implemented"));
  }
  (anchored ? vs->anchored : vs->smoothed) = true;
  if (vs->anchored && vs->smoothed) {
    return Fail(e->pos, "anchored and smoothed modifiers cannot be used together");
  }
  e->pos.end = LastEnd();
  return e;
}

ExprPtr Parser::ParsePositiveDuration() {
  ExprPtr d = ParseDurationExpr(0);
  if (d && d->kind == Kind::kNumber && static_cast<NumberLiteral&>(*d).value <= 0) {
    return Fail(d->pos, "duration must be greater than 0");
  }
  return d;
}

bool Parser::CheckDurationExprEnabled(const Expr& e) {
  if (options_.enable_duration_expressions) return true;
  Fail(e.pos, "experimental duration expression is not enabled");
  return false;
}

ExprPtr Parser::ParseDurationExpr(int min_prec) {
  if (++depth_ > options_.max_depth) {
    return Fail(Peek().pos,
                StrCat(kNestingTooDeep, " (more than ", options_.max_depth, " levels)"));
  }
  ExprPtr lhs = ParseDurationPrimary();
  int chain = 0;
  while (lhs) {
    const Token& op = Peek();
    int prec = DurationPrecedence(op.kind);
    if (prec < 0 || prec < min_prec) break;
    if (depth_ + ++chain > options_.max_depth) {
      return Fail(op.pos, StrCat(kNestingTooDeep, " (more than ", options_.max_depth, " levels)"));
    }
    Advance();
    ExprPtr rhs = ParseDurationExpr(prec == 3 ? prec : prec + 1);
    if (!rhs) return nullptr;
    if (!CheckDurationExprEnabled(*lhs)) return nullptr;
    if ((op.kind == Tok::kDiv || op.kind == Tok::kMod) && rhs->kind == Kind::kNumber &&
        static_cast<NumberLiteral&>(*rhs).value == 0) {
      return Fail({op.pos, op.end()}, op.kind == Tok::kDiv ? "division by zero" : "modulo by zero");
    }
    auto d = std::make_unique<DurationExpr>(ToDurationOp(op.kind),
                                            PosRange{lhs->pos.start, rhs->pos.end});
    d->lhs = std::move(lhs);
    d->rhs = std::move(rhs);
    lhs = std::move(d);
  }
  --depth_;
  return lhs;
}

ExprPtr Parser::ParseDurationPrimary() {
  const Token& t = Peek();
  switch (t.kind) {
    case Tok::kNumber:
    case Tok::kDuration: {
      ExprPtr n = ParseNumber(Advance());
      if (n && DurationOutOfRange(static_cast<NumberLiteral&>(*n).value)) {
        return Fail(n->pos, "duration out of range");
      }
      return n;
    }
    case Tok::kAdd:
    case Tok::kSub: {
      const Token& op = Advance();
      ExprPtr operand = ParseDurationExpr(3);
      if (!operand) return nullptr;
      return ApplyUnaryToDuration(op, std::move(operand), false);
    }
    case Tok::kLeftParen: {
      const Token& open = Advance();
      ExprPtr inner = ParseDurationExpr(0);
      if (!inner) return nullptr;
      if (Peek().kind != Tok::kRightParen) return Unexpected("", "");
      const Token& close = Advance();
      if (!CheckDurationExprEnabled(*inner)) return nullptr;
      return WrapParenDuration(std::move(inner), open.pos, close.end());
    }
    case Tok::kStep:
    case Tok::kRange:
    case Tok::kMinOf:
    case Tok::kMaxOf:
      return ParseDurationFunction(Advance());
    default:
      return Unexpected("", "");
  }
}

ExprPtr Parser::ParseDurationFunction(const Token& t) {
  if (Peek().kind != Tok::kLeftParen) return Unexpected("", "");
  Advance();
  auto d = std::make_unique<DurationExpr>(ToDurationOp(t.kind), PosRange{t.pos, t.end()});
  if (t.kind == Tok::kMinOf || t.kind == Tok::kMaxOf) {
    d->lhs = ParseDurationExpr(0);
    if (!d->lhs) return nullptr;
    if (Peek().kind != Tok::kComma) return Unexpected("", "");
    Advance();
    d->rhs = ParseDurationExpr(0);
    if (!d->rhs) return nullptr;
  }
  if (Peek().kind != Tok::kRightParen) return Unexpected("", "");
  d->pos.end = Advance().end();
  if (!CheckDurationExprEnabled(*d)) return nullptr;
  return d;
}

ExprPtr Parser::WrapParenDuration(ExprPtr e, int32_t start, int32_t end) {
  if (e->kind == Kind::kDuration) {
    static_cast<DurationExpr&>(*e).wrapped = true;
    return e;
  }
  auto d = std::make_unique<DurationExpr>(DurationExpr::Op::kAdd, PosRange{start, end});
  d->rhs = std::move(e);
  d->wrapped = true;
  return d;
}

ExprPtr Parser::ApplyUnaryToDuration(const Token& op, ExprPtr e, bool wrapped) {
  if (wrapped) {
    PosRange p = e->pos;
    e = WrapParenDuration(std::move(e), p.start, p.end);
  }
  if (e->kind == Kind::kNumber) {
    auto& n = static_cast<NumberLiteral&>(*e);
    if (op.kind == Tok::kSub) n.value = -n.value;
    if (DurationOutOfRange(n.value)) return Fail({op.pos, op.end()}, "duration out of range");
    n.pos.start = op.pos;
    return e;
  }
  if (op.kind == Tok::kAdd) return e;
  auto d = std::make_unique<DurationExpr>(DurationExpr::Op::kSub, PosRange{op.pos, e->pos.end});
  d->rhs = std::move(e);
  return d;
}

}  // namespace sundial::promql::internal
