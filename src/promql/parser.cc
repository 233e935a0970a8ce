#include "promql/parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "base/duration.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "promql/functions.h"
#include "promql/parser_internal.h"

namespace sundial::promql {
namespace internal {
namespace {

constexpr int kPowPrecedence = 6;

// Binding power of a binary operator token, or -1.
int Precedence(Tok t) {
  switch (t) {
    case Tok::kLor:
      return 1;
    case Tok::kLand:
    case Tok::kLunless:
      return 2;
    case Tok::kEqlc:
    case Tok::kNeq:
    case Tok::kLss:
    case Tok::kLte:
    case Tok::kGtr:
    case Tok::kGte:
    case Tok::kTrimUpper:
    case Tok::kTrimLower:
      return 3;
    case Tok::kAdd:
    case Tok::kSub:
      return 4;
    case Tok::kMul:
    case Tok::kDiv:
    case Tok::kMod:
    case Tok::kAtan2:
      return 5;
    case Tok::kPow:
      return kPowPrecedence;
    default:
      return -1;
  }
}

BinaryOp ToBinaryOp(Tok t) {
  switch (t) {
    case Tok::kLor:
      return BinaryOp::kOr;
    case Tok::kLand:
      return BinaryOp::kAnd;
    case Tok::kLunless:
      return BinaryOp::kUnless;
    case Tok::kEqlc:
      return BinaryOp::kEql;
    case Tok::kNeq:
      return BinaryOp::kNeq;
    case Tok::kLss:
      return BinaryOp::kLss;
    case Tok::kLte:
      return BinaryOp::kLte;
    case Tok::kGtr:
      return BinaryOp::kGtr;
    case Tok::kGte:
      return BinaryOp::kGte;
    case Tok::kTrimUpper:
      return BinaryOp::kTrimUpper;
    case Tok::kTrimLower:
      return BinaryOp::kTrimLower;
    case Tok::kAdd:
      return BinaryOp::kAdd;
    case Tok::kSub:
      return BinaryOp::kSub;
    case Tok::kMul:
      return BinaryOp::kMul;
    case Tok::kDiv:
      return BinaryOp::kDiv;
    case Tok::kMod:
      return BinaryOp::kMod;
    case Tok::kAtan2:
      return BinaryOp::kAtan2;
    default:
      return BinaryOp::kPow;
  }
}

AggregateOp ToAggregateOp(Tok t) {
  switch (t) {
    case Tok::kAvg:
      return AggregateOp::kAvg;
    case Tok::kBottomk:
      return AggregateOp::kBottomk;
    case Tok::kCount:
      return AggregateOp::kCount;
    case Tok::kCountValues:
      return AggregateOp::kCountValues;
    case Tok::kGroup:
      return AggregateOp::kGroup;
    case Tok::kMax:
      return AggregateOp::kMax;
    case Tok::kMin:
      return AggregateOp::kMin;
    case Tok::kQuantile:
      return AggregateOp::kQuantile;
    case Tok::kStddev:
      return AggregateOp::kStddev;
    case Tok::kStdvar:
      return AggregateOp::kStdvar;
    case Tok::kTopk:
      return AggregateOp::kTopk;
    case Tok::kLimitk:
      return AggregateOp::kLimitk;
    case Tok::kLimitRatio:
      return AggregateOp::kLimitRatio;
    default:
      return AggregateOp::kSum;
  }
}

// Tokens that name a metric when they start a selector.
bool IsMetricIdentifier(Tok t) {
  switch (t) {
    case Tok::kIdentifier:
    case Tok::kMetricIdentifier:
    case Tok::kBy:
    case Tok::kFill:
    case Tok::kFillLeft:
    case Tok::kFillRight:
    case Tok::kLand:
    case Tok::kLor:
    case Tok::kLunless:
    case Tok::kOffset:
    case Tok::kWithout:
    case Tok::kAnchored:
    case Tok::kSmoothed:
      return true;
    default:
      return IsAggregatorTok(t) || IsPreprocessorTok(t);
  }
}

// Go's strconv.ParseInt(s, 0, 64) for what the lexer accepts as a number.
bool ParseGoInt(std::string_view s, double* out) {
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    char p = s[1] | 0x20;
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  if (s.empty()) return base == 8;  // "0" alone
  uint64_t v = 0;
  bool any = false;
  for (char c : s) {
    if (c == '_') continue;
    int d = c >= '0' && c <= '9'                     ? c - '0'
            : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10
                                                     : 99;
    if (d >= base) return false;
    if (v > (uint64_t{1} << 63) / base) return false;
    v = v * base + d;
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    any = true;
  }
  if (!any) return false;
  *out = static_cast<double>(static_cast<int64_t>(v));
  return true;
}

}  // namespace

bool DurationOutOfRange(double seconds) {
  constexpr double kLimit = 9223372036854775808.0 / 1e9;
  return seconds > kLimit || seconds < -kLimit;
}

Parser::Parser(std::string_view input, const ParseOptions& options)
    : input_(input), options_(options), lex_(Lex(input)) {}

const Token& Parser::Peek() {
  const Token& t = lex_.tokens[next_];
  if (t.kind == Tok::kError && !error_) {
    error_ = ParseError{{t.pos, static_cast<int32_t>(input_.size())}, 0, 0, lex_.error_message};
  }
  return t;
}

const Token& Parser::PeekAt(size_t ahead) const {
  return lex_.tokens[std::min(next_ + ahead, lex_.tokens.size() - 1)];
}

const Token& Parser::Advance() {
  const Token& t = Peek();
  if (next_ + 1 < lex_.tokens.size()) ++next_;
  last_end_ = t.end();
  return t;
}

Failed Parser::Fail(PosRange pos, std::string message) {
  if (!error_) error_ = ParseError{pos, 0, 0, std::move(message)};
  return {};
}

Failed Parser::Unexpected(std::string_view context, std::string_view expected) {
  const Token& t = Peek();
  if (t.kind == Tok::kError) return {};
  std::string msg = StrCat("unexpected ", DescribeToken(t));
  if (!context.empty()) StrAppend(&msg, " in ", context);
  if (!expected.empty()) StrAppend(&msg, ", expected ", expected);
  return Fail({t.pos, t.end()}, std::move(msg));
}

ExprPtr Parser::ParseQuery() {
  if (Peek().kind == Tok::kEOF) return Fail(0, "no expression found in input");
  ExprPtr e = ParseExpr(0);
  if (!e) return nullptr;
  if (Peek().kind != Tok::kEOF) return Unexpected("", "");
  return e;
}

ExprPtr Parser::ParseMetricSelectorQuery() {
  const Token& t = Peek();
  ExprPtr e;
  if (t.kind == Tok::kLeftBrace) {
    e = ParseVectorSelector(nullptr);
  } else if (IsMetricIdentifier(t.kind) || t.kind == Tok::kIdentifier) {
    const Token& name = Advance();
    e = ParseVectorSelector(&name);
  } else {
    return Unexpected("", "");
  }
  if (!e) return nullptr;
  if (Peek().kind != Tok::kEOF) return Unexpected("", "");
  return e;
}

ExprPtr Parser::ParseExpr(int min_prec) {
  if (++depth_ > options_.max_depth) {
    return Fail(Peek().pos,
                StrCat("expression nesting too deep (more than ", options_.max_depth, " levels)"));
  }
  ExprPtr lhs = ParseUnary();
  int chain = 0;
  while (lhs) {
    const Token& op = Peek();
    int prec = Precedence(op.kind);
    if (prec < 0 || prec < min_prec) break;
    if (depth_ + ++chain > options_.max_depth) {
      lhs = Fail(op.pos,
                 StrCat("expression nesting too deep (more than ", options_.max_depth, " levels)"));
      break;
    }
    Advance();
    auto b = std::make_unique<BinaryExpr>(ToBinaryOp(op.kind), lhs->pos);
    if (!ParseBinaryModifiers(b.get())) return nullptr;
    ExprPtr rhs = ParseExpr(prec == kPowPrecedence ? prec : prec + 1);
    if (!rhs) return nullptr;
    b->pos.end = rhs->pos.end;
    b->lhs = std::move(lhs);
    b->rhs = std::move(rhs);
    if (b->matching && (b->matching->fill_lhs || b->matching->fill_rhs) &&
        !options_.enable_binop_fill_modifiers) {
      return Fail(b->pos, "binop fill modifiers are experimental and not enabled");
    }
    lhs = std::move(b);
  }
  --depth_;
  return lhs;
}

ExprPtr Parser::ParseUnary() {
  const Token& t = Peek();
  if (t.kind != Tok::kAdd && t.kind != Tok::kSub) return ParsePostfix(ParsePrimary());
  Advance();
  ExprPtr operand = ParseExpr(kPowPrecedence);
  if (!operand) return nullptr;
  if (operand->kind == Kind::kNumber) {
    auto& n = static_cast<NumberLiteral&>(*operand);
    if (t.kind == Tok::kSub) n.value = -n.value;
    n.pos.start = t.pos;
    return operand;
  }
  PosRange pos{t.pos, operand->pos.end};
  return std::make_unique<UnaryExpr>(t.kind == Tok::kSub, std::move(operand), pos);
}

ExprPtr Parser::ParsePostfix(ExprPtr e) {
  int chain = 0;
  while (e) {
    Tok k = Peek().kind;
    if (k != Tok::kLeftBracket && k != Tok::kOffset && k != Tok::kAt && k != Tok::kAnchored &&
        k != Tok::kSmoothed) {
      break;
    }
    if (depth_ + ++chain > options_.max_depth) {
      return Fail(Peek().pos, StrCat("expression nesting too deep (more than ", options_.max_depth,
                                     " levels)"));
    }
    switch (k) {
      case Tok::kLeftBracket:
        e = ParseRangeOrSubquery(std::move(e));
        break;
      case Tok::kOffset:
        e = ParseOffset(std::move(e));
        break;
      case Tok::kAt:
        e = ParseAt(std::move(e));
        break;
      default:
        e = ParseAnchoredOrSmoothed(std::move(e), k == Tok::kAnchored);
        break;
    }
  }
  return e;
}

ExprPtr Parser::ParsePrimary() {
  const Token& t = Peek();
  const Tok next = PeekAt(1).kind;
  switch (t.kind) {
    case Tok::kNumber:
    case Tok::kDuration:
      Advance();
      return ParseNumber(t);
    case Tok::kString:
      Advance();
      return std::make_unique<StringLiteral>(Unquote(t.text), PosRange{t.pos, t.end()});
    case Tok::kLeftParen:
      return ParseParen();
    case Tok::kLeftBrace:
      return ParseVectorSelector(nullptr);
    case Tok::kIdentifier:
      if (next == Tok::kLeftParen) return ParseCall(Advance());
      break;
    default:
      break;
  }
  if (IsAggregatorTok(t.kind) &&
      (next == Tok::kLeftParen || next == Tok::kBy || next == Tok::kWithout)) {
    return ParseAggregate(Advance());
  }
  if (IsPreprocessorTok(t.kind) && next == Tok::kLeftParen) return ParseCall(Advance());
  if (IsMetricIdentifier(t.kind)) {
    const Token& name = Advance();
    return ParseVectorSelector(&name);
  }
  return Unexpected("", "");
}

ExprPtr Parser::ParseNumber(const Token& t) {
  PosRange pos{t.pos, t.end()};
  if (t.kind == Tok::kDuration) {
    absl::StatusOr<Duration> d = ParseDuration(t.text);
    if (!d.ok()) return Fail(pos, std::string(AsStd(d.status().message())));
    auto n = std::make_unique<NumberLiteral>(static_cast<double>(d->count()) / 1000.0, pos);
    n->duration = true;
    return n;
  }
  double v = 0;
  if (ParseGoInt(t.text, &v)) return std::make_unique<NumberLiteral>(v, pos);
  std::string text(t.text);
  bool syntax_ok = text.find_first_of("_xX") == std::string::npos;
  char* end = nullptr;
  errno = 0;
  v = syntax_ok ? std::strtod(text.c_str(), &end) : 0;
  if (!syntax_ok || end != text.c_str() + text.size()) {
    return Fail(pos, StrCat("error parsing number: strconv.ParseFloat: parsing ", GoQuote(text),
                            ": invalid syntax"));
  }
  if (errno == ERANGE && std::isinf(v)) {
    return Fail(pos, StrCat("error parsing number: strconv.ParseFloat: parsing ", GoQuote(text),
                            ": value out of range"));
  }
  return std::make_unique<NumberLiteral>(v, pos);
}

ExprPtr Parser::ParseParen() {
  const Token& open = Advance();
  ExprPtr e = ParseExpr(0);
  if (!e) return nullptr;
  if (Peek().kind != Tok::kRightParen) return Unexpected("", "");
  const Token& close = Advance();
  return std::make_unique<ParenExpr>(std::move(e), PosRange{open.pos, close.end()});
}

bool Parser::ParseCallArgs(std::vector<ExprPtr>* args) {
  Advance();  // (
  if (Peek().kind == Tok::kRightParen) {
    Advance();
    return true;
  }
  while (true) {
    ExprPtr arg = ParseExpr(0);
    if (!arg) return false;
    args->push_back(std::move(arg));
    const Token& t = Peek();
    if (t.kind == Tok::kRightParen) {
      Advance();
      return true;
    }
    if (t.kind != Tok::kComma) return Unexpected("", "");
    Advance();
    if (Peek().kind == Tok::kRightParen) {
      return Fail({t.pos, t.end()}, "trailing commas not allowed in function call args");
    }
  }
}

ExprPtr Parser::ParseCall(const Token& name) {
  std::vector<ExprPtr> args;
  if (!ParseCallArgs(&args)) return nullptr;
  PosRange name_pos{name.pos, name.end()};
  const Function* f = FindFunction(name.text);
  if (f == nullptr) {
    return Fail(name_pos, StrCat("unknown function with name ", GoQuote(name.text)));
  }
  if (f->experimental && !options_.enable_experimental_functions) {
    return Fail(name_pos, StrCat("function ", GoQuote(name.text), " is not enabled"));
  }
  auto call = std::make_unique<Call>(f, PosRange{name.pos, LastEnd()});
  call->args = std::move(args);
  return call;
}

ExprPtr Parser::ParseAggregate(const Token& op) {
  auto agg = std::make_unique<AggregateExpr>(ToAggregateOp(op.kind), PosRange{op.pos, op.end()});
  bool modifier_seen = false;
  auto parse_modifier = [&]() {
    Tok k = Peek().kind;
    if (k != Tok::kBy && k != Tok::kWithout) return true;
    Advance();
    agg->without = k == Tok::kWithout;
    modifier_seen = true;
    return ParseGroupingLabels(&agg->grouping);
  };
  if (!parse_modifier()) return nullptr;
  if (Peek().kind != Tok::kLeftParen) return Unexpected("aggregation", "");
  std::vector<ExprPtr> args;
  if (!ParseCallArgs(&args)) return nullptr;
  if (!modifier_seen && !parse_modifier()) return nullptr;
  agg->pos.end = LastEnd();
  if (args.empty()) return Fail(agg->pos, "no arguments for aggregate expression provided");
  size_t want = 1;
  if (HasParam(agg->op)) {
    if (IsExperimental(agg->op) && !options_.enable_experimental_functions) {
      return Fail(agg->pos, StrCat(AggregateOpString(agg->op),
                                   "() is experimental and must be enabled with "
                                   "--enable-feature=promql-experimental-functions"));
    }
    want = 2;
  }
  if (args.size() != want) {
    return Fail(agg->pos,
                StrCat("wrong number of arguments for aggregate expression provided, expected ",
                       want, ", got ", args.size()));
  }
  if (want == 2) agg->param = std::move(args[0]);
  agg->expr = std::move(args.back());
  return agg;
}

bool Parser::ParseFillValue(double* v) {
  if (Peek().kind != Tok::kLeftParen) return Unexpected("fill modifier", "\"(\"");
  Advance();
  bool negate = false;
  if (Peek().kind == Tok::kAdd || Peek().kind == Tok::kSub) negate = Advance().kind == Tok::kSub;
  const Token& t = Peek();
  if (t.kind != Tok::kNumber && t.kind != Tok::kDuration) {
    return Unexpected("fill modifier", "number or duration");
  }
  ExprPtr n = ParseNumber(Advance());
  if (!n) return false;
  *v = static_cast<NumberLiteral&>(*n).value * (negate ? -1 : 1);
  if (Peek().kind != Tok::kRightParen) return Unexpected("fill modifier", "\")\"");
  Advance();
  return true;
}

bool Parser::ParseBinaryModifiers(BinaryExpr* b) {
  VectorMatching& vm = b->matching.emplace();
  if (Peek().kind == Tok::kBool) {
    Advance();
    b->return_bool = true;
  }
  Tok k = Peek().kind;
  if (k == Tok::kOn || k == Tok::kIgnoring) {
    Advance();
    vm.on = k == Tok::kOn;
    if (!ParseGroupingLabels(&vm.labels)) return false;
    k = Peek().kind;
    if (k == Tok::kGroupLeft || k == Tok::kGroupRight) {
      Advance();
      vm.card = k == Tok::kGroupLeft ? VectorMatching::Card::kManyToOne
                                     : VectorMatching::Card::kOneToMany;
      if (Peek().kind == Tok::kLeftParen && !ParseGroupingLabels(&vm.include)) return false;
    }
  }
  k = Peek().kind;
  if (k == Tok::kFill) {
    Advance();
    double v = 0;
    if (!ParseFillValue(&v)) return false;
    vm.fill_lhs = vm.fill_rhs = v;
  } else if (k == Tok::kFillLeft || k == Tok::kFillRight) {
    for (int i = 0; i < 2; ++i) {
      k = Peek().kind;
      std::optional<double>* slot = k == Tok::kFillLeft    ? &vm.fill_lhs
                                    : k == Tok::kFillRight ? &vm.fill_rhs
                                                           : nullptr;
      if (slot == nullptr || slot->has_value()) break;
      Advance();
      double v = 0;
      if (!ParseFillValue(&v)) return false;
      *slot = v;
    }
  }
  return true;
}

void SetLineColumn(std::string_view input, ParseError* error) {
  int32_t pos = std::clamp<int32_t>(error->pos.start, 0, static_cast<int32_t>(input.size()));
  int line = 1;
  int32_t last_break = -1;
  for (int32_t i = 0; i < pos; ++i) {
    if (input[i] == '\n') {
      ++line;
      last_break = i;
    }
  }
  error->line = line;
  error->column = pos - last_break;
}

}  // namespace internal

absl::StatusOr<ExprPtr> Parse(std::string_view query, const ParseOptions& options,
                              ParseError* error) {
  internal::Parser parser(query, options);
  ExprPtr e = parser.ParseQuery();
  ParseError err;
  bool ok = e != nullptr && !parser.error().has_value();
  if (!ok) {
    err = parser.error().value_or(ParseError{{0, 0}, 0, 0, "unexpected error"});
  } else {
    ok = internal::CheckTypes(*e, query, &err);
  }
  if (ok) return e;
  internal::SetLineColumn(query, &err);
  std::string msg = StrCat(err.line, ":", err.column, ": parse error: ", err.message);
  if (error != nullptr) *error = std::move(err);
  return absl::InvalidArgumentError(AsAbsl(msg));
}

absl::StatusOr<std::vector<Matcher>> ParseMetricSelector(std::string_view selector) {
  internal::Parser parser(selector, ParseOptions{});
  ExprPtr e = parser.ParseMetricSelectorQuery();
  if (e != nullptr && !parser.error().has_value()) {
    return static_cast<const VectorSelector&>(*e).matchers;
  }
  ParseError err = parser.error().value_or(ParseError{{0, 0}, 0, 0, "unexpected error"});
  internal::SetLineColumn(selector, &err);
  return absl::InvalidArgumentError(
      AsAbsl(StrCat(err.line, ":", err.column, ": parse error: ", err.message)));
}

}  // namespace sundial::promql
