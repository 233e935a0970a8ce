// PromQL parsing: query text -> AST (ast.h), with Prometheus' type checks and error messages.
//
//   ParseOptions opts;
//   opts.enable_experimental_functions = true;
//   absl::StatusOr<ExprPtr> e = Parse("sum by (job) (rate(http_requests_total[5m]))", opts);
//
// On failure the status is InvalidArgument with Prometheus' wording, e.g.
// `1:14: parse error: unexpected "}" in label matching, expected string`; pass a ParseError to
// also get the position as fields.
#ifndef SUNDIAL_PROMQL_PARSER_H_
#define SUNDIAL_PROMQL_PARSER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "promql/ast.h"

namespace sundial::promql {

struct ParseOptions {
  // limitk, limit_ratio and the functions marked experimental in functions.h.
  bool enable_experimental_functions = false;
  // Arithmetic, step(), range(), min_of()/max_of() in ranges, subquery steps and offsets.
  bool enable_duration_expressions = false;
  // `anchored` / `smoothed` after range selectors.
  bool enable_extended_range_selectors = false;
  // fill(), fill_left(), fill_right() on binary operators.
  bool enable_binop_fill_modifiers = false;
  // Deeper nesting (parentheses, operators, calls) is rejected rather than risking the stack.
  int max_depth = 1000;

  // Everything on, as the upstream PromQL test scripts assume.
  static ParseOptions AllEnabled() { return {true, true, true, true}; }
};

struct ParseError {
  PosRange pos;         // byte range the error refers to
  int line = 0;         // 1-based line of pos.start
  int column = 0;       // 1-based byte column of pos.start within its line
  std::string message;  // without the position prefix, e.g. "unexpected end of input"
};

// Parses one expression. On error returns InvalidArgument("<line>:<col>: parse error: <msg>")
// and, if error is not null, fills it.
absl::StatusOr<ExprPtr> Parse(std::string_view query, const ParseOptions& options = {},
                              ParseError* error = nullptr);

// One metric selector and nothing else (Prometheus' parser.ParseMetricSelector, used by
// /federate): its matchers, including the __name__ one. Unlike Parse(), a selector whose
// matchers all match the empty string is accepted. Errors as Parse() words them.
absl::StatusOr<std::vector<Matcher>> ParseMetricSelector(std::string_view selector);

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_PARSER_H_
