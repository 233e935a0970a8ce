// The recursive-descent parser behind Parse(), split by role: parser.cc (expressions, operators,
// calls, aggregations), parser_selectors.cc (selectors, matchers, grouping, ranges, offsets,
// durations) and checker.cc (the type checks Prometheus runs on a complete tree).
#ifndef SUNDIAL_PROMQL_PARSER_INTERNAL_H_
#define SUNDIAL_PROMQL_PARSER_INTERNAL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "promql/ast.h"
#include "promql/lexer.h"
#include "promql/parser.h"

namespace sundial::promql::internal {

// What Fail() returns: converts to a null ExprPtr or to false for early returns.
struct Failed {
  operator bool() const { return false; }  // NOLINT: implicit by design
  template <typename T>
  operator std::unique_ptr<T>() const {  // NOLINT
    return nullptr;
  }
};

class Parser {
 public:
  Parser(std::string_view input, const ParseOptions& options);

  // The whole query; nullptr and error() set on failure.
  ExprPtr ParseQuery();
  // Only a metric selector (name, matchers or both) and nothing after it, as Prometheus'
  // ParseMetricSelector; the type checks are not run.
  ExprPtr ParseMetricSelectorQuery();
  const std::optional<ParseError>& error() const { return error_; }

 private:
  // parser.cc
  ExprPtr ParseExpr(int min_prec);
  ExprPtr ParseUnary();
  ExprPtr ParsePrimary();
  ExprPtr ParsePostfix(ExprPtr e);
  ExprPtr ParseParen();
  ExprPtr ParseCall(const Token& name);
  ExprPtr ParseAggregate(const Token& op);
  bool ParseCallArgs(std::vector<ExprPtr>* args);
  bool ParseBinaryModifiers(BinaryExpr* b);
  bool ParseFillValue(double* v);
  ExprPtr ParseNumber(const Token& t);

  // parser_selectors.cc
  ExprPtr ParseVectorSelector(const Token* name);
  bool ParseLabelMatchers(VectorSelector* vs);
  bool ParseGroupingLabels(std::vector<std::string>* labels);
  ExprPtr ParseRangeOrSubquery(ExprPtr e);
  ExprPtr ParseOffset(ExprPtr e);
  ExprPtr ParseAt(ExprPtr e);
  ExprPtr ParseAnchoredOrSmoothed(ExprPtr e, bool anchored);
  // A duration inside brackets: full arithmetic; a literal must be > 0.
  ExprPtr ParsePositiveDuration();
  ExprPtr ParseDurationExpr(int min_prec);
  ExprPtr ParseDurationPrimary();
  ExprPtr ParseDurationFunction(const Token& t);
  ExprPtr ApplyUnaryToDuration(const Token& op, ExprPtr e, bool wrapped);
  ExprPtr WrapParenDuration(ExprPtr e, int32_t start, int32_t end);
  bool CheckDurationExprEnabled(const Expr& e);
  bool IsDurationStart(Tok t) const;

  // Token access. Peek() records the lexer's error when it reaches it.
  const Token& Peek();
  const Token& PeekAt(size_t ahead) const;
  const Token& Advance();
  int32_t LastEnd() const { return last_end_; }

  // Records the first error.
  Failed Fail(PosRange pos, std::string message);
  Failed Fail(int32_t pos, std::string message) { return Fail({pos, pos}, message); }
  // "unexpected <token>[ in <context>][, expected <expected>]" at the current token.
  Failed Unexpected(std::string_view context, std::string_view expected);
  bool failed() const { return error_.has_value(); }

  std::string_view input_;
  ParseOptions options_;
  LexResult lex_;
  size_t next_ = 0;
  int32_t last_end_ = 0;
  int depth_ = 0;
  std::optional<ParseError> error_;
};

// Prometheus' checkAST: types of operands, arguments and parameters. Returns false and fills
// *error on the first problem.
bool CheckTypes(Expr& root, std::string_view input, ParseError* error);

// Fills line and column of *error from error->pos.start.
void SetLineColumn(std::string_view input, ParseError* error);

// Go's time.Duration range, in seconds.
bool DurationOutOfRange(double seconds);

}  // namespace sundial::promql::internal

#endif  // SUNDIAL_PROMQL_PARSER_INTERNAL_H_
