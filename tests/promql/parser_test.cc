// Table-driven parser tests: valid queries with their canonical printed form, invalid ones with
// Prometheus' error message and position (from the language docs and parse_test.go behaviour).
#include "promql/parser.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/functions.h"
#include "promql/printer.h"

namespace sundial::promql {
namespace {

struct Valid {
  const char* input;
  const char* printed;
};

const Valid kValid[] = {
    // Literals.
    {"1", "1"},
    {"+1", "1"},
    {"-1", "-1"},
    {"- -1", "1"},
    {".5", "0.5"},
    {"5.", "5"},
    {"1e3", "1000"},
    {"1.5E-3", "0.0015"},
    {"0x1F", "31"},
    {"010", "8"},
    {"1_000", "1000"},
    {"Inf", "+Inf"},
    {"-inf", "-Inf"},
    {"NaN", "NaN"},
    {"5m", "5m"},
    {"-5m", "-5m"},
    {"1h30m", "1h30m"},
    {"90m", "1h30m"},
    {R"("double")", R"("double")"},
    {R"('single')", R"("single")"},
    {"`raw\\n`", R"("raw\\n")"},
    {R"("a\tb\u00e9\x41\101\U0001F600")", "\"a\\tbéAA😀\""},
    {R"('it\'s')", R"("it's")"},
    {"1 # comment", "1"},
    // Selectors.
    {"foo", "foo"},
    {"foo:bar", "foo:bar"},
    {"foo{}", "foo"},
    {R"(foo{a="b"})", R"(foo{a="b"})"},
    {R"(foo{b="1", a=~"x.*", c!="", d!~"y",})", R"(foo{a=~"x.*",b="1",c!="",d!~"y"})"},
    {R"({__name__="foo"})", R"({__name__="foo"})"},
    {R"({"my.metric"})", R"({__name__="my.metric"})"},
    {R"({"my.metric", "a.b"="x"})", R"({"a.b"="x",__name__="my.metric"})"},
    {"sum", "sum"},
    {"offset", "offset"},
    {"by{a=\"b\"}", "by{a=\"b\"}"},
    {"foo offset 5m", "foo offset 5m"},
    {"foo offset -5m", "foo offset -5m"},
    {"foo offset 1h30m", "foo offset 1h30m"},
    {"foo offset 90", "foo offset 1m30s"},
    {"foo @ 100", "foo @ 100.000"},
    {"foo @ 1.5", "foo @ 1.500"},
    {"foo @ -10", "foo @ -10.000"},
    {"foo @ start()", "foo @ start()"},
    {"foo @ end() offset 1m", "foo @ end() offset 1m"},
    {"foo offset 1m @ 10", "foo @ 10.000 offset 1m"},
    {"foo[5m]", "foo[5m]"},
    {"foo[300]", "foo[5m]"},
    {"foo[1.5]", "foo[1s500ms]"},
    {"foo[5m] offset 1m", "foo[5m] offset 1m"},
    {"foo[5m] @ 100 offset -1m", "foo[5m] @ 100.000 offset -1m"},
    {"foo[1h:5m]", "foo[1h:5m]"},
    {"foo[1h:]", "foo[1h:]"},
    {"foo[1h:] offset 5m", "foo[1h:] offset 5m"},
    {"rate(foo[5m])[30m:1m]", "rate(foo[5m])[30m:1m]"},
    {"max_over_time(rate(foo[5m])[30m:1m])[2h:10m]",
     "max_over_time(rate(foo[5m])[30m:1m])[2h:10m]"},
    {"(foo + bar)[5m:]", "(foo + bar)[5m:]"},
    // Operators, precedence and associativity.
    {"1 + 2 * 3", "1 + 2 * 3"},
    {"a - b - c", "a - b - c"},
    {"a / b * c", "a / b * c"},
    {"2 ^ 3 ^ 2", "2 ^ 3 ^ 2"},
    {"-a ^ 2", "-a ^ 2"},
    {"a atan2 b", "a atan2 b"},
    {"a AND b", "a and b"},
    {"a or b unless c", "a or b unless c"},
    {"foo == bool 1", "foo == bool 1"},
    {"1 > bool 2", "1 > bool 2"},
    {"foo * on(a, b) bar", "foo * on (a, b) bar"},
    {"foo * ignoring(a) bar", "foo * ignoring (a) bar"},
    {"foo * on() bar", "foo * on () bar"},
    {"foo / on(a) group_left(b) bar", "foo / on (a) group_left (b) bar"},
    {"foo / ignoring(a) group_right bar", "foo / ignoring (a) group_right () bar"},
    {"foo and on(a) bar", "foo and on (a) bar"},
    {"foo + on(\"a.b\") bar", "foo + on (\"a.b\") bar"},
    {"foo + fill(0) bar", "foo + fill (0) bar"},
    {"foo + fill_left(1) fill_right(-2) bar", "foo + fill_left (1) fill_right (-2) bar"},
    {"foo + on(a) fill_right(3) bar", "foo + on (a) fill_right (3) bar"},
    {"fill + fill", "fill + fill"},
    {"foo </ bar", "foo </ bar"},
    {"(1 + 2) * 3", "(1 + 2) * 3"},
    // Aggregations.
    {"sum(foo)", "sum(foo)"},
    {"SUM(foo)", "sum(foo)"},
    {"sum by (job) (rate(x[5m]))", "sum by (job) (rate(x[5m]))"},
    {"sum(rate(x[5m])) by (job)", "sum by (job) (rate(x[5m]))"},
    {"sum without (a, b) (x)", "sum without (a, b) (x)"},
    {"sum by () (x)", "sum(x)"},
    {"sum without () (x)", "sum without () (x)"},
    {"sum by (job,) (x)", "sum by (job) (x)"},
    {"sum by (\"a.b\", c) (x)", "sum by (\"a.b\", c) (x)"},
    {"sum by (offset, on, sum) (x)", "sum by (offset, on, sum) (x)"},
    {"topk(5, foo)", "topk(5, foo)"},
    {"bottomk by (a) (2, foo)", "bottomk by (a) (2, foo)"},
    {"quantile(0.9, foo)", "quantile(0.9, foo)"},
    {"count_values(\"v\", foo)", "count_values(\"v\", foo)"},
    {"limitk(2, foo)", "limitk(2, foo)"},
    {"limit_ratio(0.5, foo)", "limit_ratio(0.5, foo)"},
    {"group(foo)", "group(foo)"},
    // Functions.
    {"time()", "time()"},
    {"pi()", "pi()"},
    {"rate(foo[5m])", "rate(foo[5m])"},
    {"round(foo)", "round(foo)"},
    {"round(foo, 5)", "round(foo, 5)"},
    {"hour()", "hour()"},
    {"label_join(foo, \"a\", \",\", \"b\", \"c\", \"d\")",
     "label_join(foo, \"a\", \",\", \"b\", \"c\", \"d\")"},
    {"label_replace(up, \"x\", \"$1\", \"job\", \"(.*)\")",
     "label_replace(up, \"x\", \"$1\", \"job\", \"(.*)\")"},
    {"histogram_quantile(0.9, sum by (le) (rate(h[5m])))",
     "histogram_quantile(0.9, sum by (le) (rate(h[5m])))"},
    {"holt_winters(foo[5m], 0.5, 0.5)", "holt_winters(foo[5m], 0.5, 0.5)"},
    {"double_exponential_smoothing(foo[5m], 0.5, 0.5)",
     "double_exponential_smoothing(foo[5m], 0.5, 0.5)"},
    {"info(up, {job=~\".+\"})", "info(up, {job=~\".+\"})"},
    {"info(up, {})", "info(up, {})"},
    {"sort_by_label(foo, \"a\", \"b\")", "sort_by_label(foo, \"a\", \"b\")"},
    {"absent(nonexistent{job=\"x\"})", "absent(nonexistent{job=\"x\"})"},
    {"start()", "start()"},
    // Duration expressions.
    {"foo[5m+1m]", "foo[5m + 1m]"},
    {"foo[60*30]", "foo[60 * 30]"},
    {"foo[2m*(10+5)]", "foo[2m * (10 + 5)]"},
    {"foo[-5m+35m]", "foo[-5m + 35m]"},
    {"foo[step()]", "foo[step()]"},
    {"foo[STEP()]", "foo[step()]"},
    {"foo[min_of(step()+1,1h)]", "foo[min_of(step() + 1, 1h)]"},
    {"foo[5m:step()*2]", "foo[5m:step() * 2]"},
    {"foo offset (1m*2)", "foo offset (1m * 2)"},
    {"foo offset -(1m*2)", "foo offset -(1m * 2)"},
    {"foo offset step()", "foo offset step()"},
    {"foo offset 100 + 2", "foo offset 1m40s + 2"},
    {"foo offset 2 ^ 2", "foo offset 2s ^ 2"},
    {"foo offset step()*0", "foo offset step() * 0"},
    {"foo offset range()", "foo offset range()"},
    {"foo[2 ^ 3 ^ 2]", "foo[2 ^ 3 ^ 2]"},
    // Extended range selectors.
    {"foo[5m] anchored", "foo[5m] anchored"},
    {"rate(foo[5m] smoothed)", "rate(foo[5m] smoothed)"},
    {"foo anchored", "foo anchored"},
    // Whitespace and newlines.
    {"sum(\n  rate(foo[5m])\n)", "sum(rate(foo[5m]))"},
};

TEST(ParserTest, ValidQueriesPrintCanonically) {
  for (const Valid& v : kValid) {
    absl::StatusOr<ExprPtr> e = Parse(v.input, ParseOptions::AllEnabled());
    ASSERT_TRUE(e.ok()) << v.input << ": " << e.status().message();
    EXPECT_EQ(ToString(**e), v.printed) << v.input;
    absl::StatusOr<ExprPtr> again = Parse(v.printed, ParseOptions::AllEnabled());
    ASSERT_TRUE(again.ok()) << v.printed << ": " << again.status().message();
    EXPECT_EQ(ToString(**again), v.printed) << "round trip of " << v.input;
  }
}

struct Invalid {
  const char* input;
  int column;  // 1-based, on line 1
  const char* message;
};

const Invalid kInvalid[] = {
    {"", 1, "no expression found in input"},
    {"# just a comment\n\n", 1, "no expression found in input"},
    {"1+", 3, "unexpected end of input"},
    {".", 1, "unexpected character: '.'"},
    {"2.5.", 1, "bad number or duration syntax: \"2.5.\""},
    {"100..4", 1, "bad number or duration syntax: \"100..\""},
    {"0deadbeef", 1, "bad number or duration syntax: \"0de\""},
    {"1 /", 4, "unexpected end of input"},
    {"*1", 1, "unexpected <op:*>"},
    {"(1))", 5, "unexpected right parenthesis ')'"},
    {"((1)", 5, "unclosed left parenthesis"},
    {"(", 2, "unclosed left parenthesis"},
    {"1 and 1", 1, "set operator \"and\" not allowed in binary scalar expression"},
    {"1 == 1", 3, "comparisons between scalars must use BOOL modifier"},
    {"1 !~ 1", 3, "unexpected character after '!': '~'"},
    {"1 =~ 1", 3, "unexpected character after '=': '~'"},
    {"-\"string\"", 1,
     "unary expression only allowed on expressions of type scalar or instant vector, got "
     "\"string\""},
    {"-test[5m]", 1,
     "unary expression only allowed on expressions of type scalar or instant vector, got "
     "\"range vector\""},
    {"@@", 1, "unexpected <op:@>"},
    {"1 offset 1d", 1,
     "offset modifier must be preceded by an instant vector selector or range vector selector "
     "or a subquery"},
    {"foo offset 1s offset 2s", 1, "offset may not be set multiple times"},
    {"a - on(b) ignoring(c) d", 11, "unexpected <ignoring>"},
    {"1 or on(bar) foo", 1, "vector matching only allowed between instant vectors"},
    {"foo + group_left(baz) bar", 7, "unexpected <group_left>"},
    {"foo and on(bar) group_left(baz) bar", 1, "no grouping allowed for \"and\" operation"},
    {"foo + on(a) group_left(x, a) bar", 5,
     "label \"a\" must not occur in ON and GROUP clause at once"},
    {"foo + bool bar", 5, "bool modifier can only be used on comparison operators"},
    {"foo @ +Inf", 1, "timestamp out of bounds for @ modifier: +Inf"},
    {"foo @ NaN", 1, "timestamp out of bounds for @ modifier: NaN"},
    {"{", 2, "unexpected end of input inside braces"},
    {"}", 1, "unexpected character: '}'"},
    {"some_metric{a=b}", 15, "unexpected identifier \"b\" in label matching, expected string"},
    {"some_metric{a:b=\"b\"}", 14, "unexpected character inside braces: ':'"},
    {"some_metric{a=\"\xff\"}", 15, "invalid UTF-8 rune"},
    {"foo{gibberish}", 14, "unexpected \"}\" in label matching, expected label matching operator"},
    {"foo{1}", 5, "unexpected character inside braces: '1'"},
    {"{}", 1, "vector selector must contain at least one non-empty matcher"},
    {"{x=~\".*\"}", 1, "vector selector must contain at least one non-empty matcher"},
    {"{x!=\"a\"}", 1, "vector selector must contain at least one non-empty matcher"},
    {"foo{__name__=\"bar\"}", 1, "metric name must not be set twice: \"foo\" or \"bar\""},
    {"foo{,}", 5, "unexpected \",\" in label matching, expected identifier or \"}\""},
    {"foo{__name__=\"bar\" lol}", 20,
     "unexpected identifier \"lol\" in label matching, expected \",\" or \"}\""},
    {"foo[5mm]", 5, "bad number or duration syntax: \"5mm\""},
    {"foo[5m1]", 5, "bad number or duration syntax: \"5m1\""},
    {"foo[0m]", 5, "duration must be greater than 0"},
    {"foo[-1]", 5, "duration must be greater than 0"},
    {"foo[\"5m\"]", 5, "unexpected character in duration expression: '\"'"},
    {"foo[]", 5,
     "unexpected \"]\" in subquery or range selector, expected number, duration, step(), or "
     "range()"},
    {"some_metric[5m] OFFSET", 23,
     "unexpected end of input in offset, expected number, duration, step(), or range()"},
    {"some_metric OFFSET 1m[5m]", 22, "no offset modifiers allowed before range"},
    {"some_metric[5m] @", 18, "unexpected end of input in @, expected timestamp"},
    {"some_metric @ 1234 [5m]", 20, "no @ modifiers allowed before range"},
    {"(foo + bar)[5m]", 12, "ranges only allowed for vector selectors"},
    {"sum by (\"foo)(some_metric{})", 9, "unterminated quoted string"},
    {"sum without(==)(some_metric)", 13, "unexpected <op:==> in grouping opts, expected label"},
    {"sum without(,)(some_metric)", 13, "unexpected \",\" in grouping opts, expected label"},
    {"sum some_metric by (test)", 5, "unexpected identifier \"some_metric\""},
    {"sum (some_metric) by test", 22,
     "unexpected identifier \"test\" in grouping opts, expected \"(\""},
    {"sum () by (test)", 1, "no arguments for aggregate expression provided"},
    {"sum (some_metric) without (test) by (test)", 34, "unexpected <by>"},
    {"topk(some_metric)", 1,
     "wrong number of arguments for aggregate expression provided, expected 2, got 1"},
    {"topk(some_metric,)", 17, "trailing commas not allowed in function call args"},
    {"topk(some_metric, other_metric)", 6,
     "expected type scalar in aggregation parameter, got instant vector"},
    {"count_values(5, other_metric)", 14,
     "expected type string in aggregation parameter, got scalar"},
    {"rate(some_metric[5m]) @ 1234", 1,
     "@ modifier must be preceded by an instant vector selector or range vector selector or a "
     "subquery"},
    {"floor()", 1, "expected 1 argument(s) in call to \"floor\", got 0"},
    {"floor(1)", 7, "expected type instant vector in call to function \"floor\", got scalar"},
    {"hour(a, a, a)", 1, "expected at most 1 argument(s) in call to \"hour\", got 3"},
    {"label_join(a)", 1, "expected at least 3 argument(s) in call to \"label_join\", got 1"},
    {"non_existent_function_far_bar()", 1,
     "unknown function with name \"non_existent_function_far_bar\""},
    {"rate(some_metric)", 6,
     "expected type range vector in call to function \"rate\", got instant vector"},
    {"-=", 2, "unexpected \"=\""},
    {"++-++-+-+-<", 11, "unexpected <op:<>"},
    {"a>b()", 3, "unknown function with name \"b\""},
    {"`\\``", 4, "unterminated raw string"},
    {"\"\\", 1, "escape sequence not terminated"},
    {"\"\\c\"", 1, "unknown escape sequence U+0063 'c'"},
    {"\"\\x.\"", 1, "illegal character U+002E '.' in escape sequence"},
    {"foo{bar=\"baz\"}[", 16, "unexpected end of input in duration expression"},
    {"test[5d] OFFSET 10s [10m:5s]", 1,
     "subquery is only allowed on instant vector, got matrix instead"},
    {"rate(food[1m])[1h] offset 1h", 15, "ranges only allowed for vector selectors"},
    {"info(rate(x[5m]), target_info{foo=\"bar\"})", 19,
     "expected label selectors only, got vector selector instead"},
    {"foo[step()/0d]", 11, "division by zero"},
    {"foo[5s%0d]", 7, "modulo by zero"},
    {"foo offset (4d/0)", 15, "division by zero"},
    {"foo offset 9.5e10", 12, "duration out of range"},
    {"foo[9.5e10]", 5, "duration out of range"},
    {"sum(", 5, "unclosed left parenthesis"},
    {"foo[5s x 5s]", 8, "unexpected character: 'x', expected ':'"},
    {"1[5m] anchored", 2, "ranges only allowed for vector selectors"},
    {"foo[5m] + 1", 1, "binary expression must contain only scalar and instant vector types"},
    {"\"a\" + 1", 1, "binary expression must contain only scalar and instant vector types"},
    {"sum(foo[5m])", 5, "expected type instant vector in aggregation expression, got range vector"},
};

TEST(ParserTest, InvalidQueriesFailWithPrometheusMessages) {
  for (const Invalid& v : kInvalid) {
    ParseError err;
    absl::StatusOr<ExprPtr> e = Parse(v.input, ParseOptions::AllEnabled(), &err);
    ASSERT_FALSE(e.ok()) << v.input;
    EXPECT_EQ(err.message, v.message) << v.input;
    EXPECT_EQ(err.line, 1) << v.input;
    EXPECT_EQ(err.column, v.column) << v.input;
    EXPECT_EQ(std::string(e.status().message()),
              "1:" + std::to_string(v.column) + ": parse error: " + v.message);
  }
}

TEST(ParserTest, ErrorPositionCountsLines) {
  ParseError err;
  absl::StatusOr<ExprPtr> e = Parse("sum(\n  rate(x[5m])\n  +\n)", {}, &err);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(err.line, 4);
  EXPECT_EQ(err.column, 1);
  EXPECT_EQ(err.message, "unexpected \")\"");
}

TEST(ParserTest, FeatureFlagsGateExperimentalSyntax) {
  const ParseOptions off;
  struct Case {
    const char* input;
    const char* message;
  } cases[] = {
      {"limitk(1, foo)",
       "limitk() is experimental and must be enabled with "
       "--enable-feature=promql-experimental-functions"},
      {"mad_over_time(foo[5m])", "function \"mad_over_time\" is not enabled"},
      {"foo[5m+1m]", "experimental duration expression is not enabled"},
      {"foo offset step()", "experimental duration expression is not enabled"},
      {"foo[5m] anchored", "anchored modifier is experimental and not enabled"},
      {"foo + fill(0) bar", "binop fill modifiers are experimental and not enabled"},
  };
  for (const Case& c : cases) {
    ParseError err;
    EXPECT_FALSE(Parse(c.input, off, &err).ok()) << c.input;
    EXPECT_EQ(err.message, c.message) << c.input;
    EXPECT_TRUE(Parse(c.input, ParseOptions::AllEnabled()).ok()) << c.input;
  }
}

TEST(ParserTest, PrecedenceShapesTheTree) {
  // 1 + 2 * 3: the multiplication is the right operand.
  ExprPtr e = std::move(Parse("1 + 2 * 3").value());
  ASSERT_EQ(e->kind, Kind::kBinary);
  const auto& add = static_cast<const BinaryExpr&>(*e);
  EXPECT_EQ(add.op, BinaryOp::kAdd);
  EXPECT_EQ(add.rhs->kind, Kind::kBinary);
  // 2 ^ 3 ^ 2 is right-associative.
  e = std::move(Parse("2 ^ 3 ^ 2").value());
  const auto& pow = static_cast<const BinaryExpr&>(*e);
  EXPECT_EQ(pow.lhs->kind, Kind::kNumber);
  EXPECT_EQ(pow.rhs->kind, Kind::kBinary);
  // a - b - c is left-associative.
  e = std::move(Parse("a - b - c").value());
  EXPECT_EQ(static_cast<const BinaryExpr&>(*e).lhs->kind, Kind::kBinary);
  // -a ^ 2 is -(a ^ 2); -a * 2 is (-a) * 2.
  e = std::move(Parse("-a ^ 2").value());
  ASSERT_EQ(e->kind, Kind::kUnary);
  EXPECT_EQ(static_cast<const UnaryExpr&>(*e).expr->kind, Kind::kBinary);
  e = std::move(Parse("-a * 2").value());
  ASSERT_EQ(e->kind, Kind::kBinary);
  EXPECT_EQ(static_cast<const BinaryExpr&>(*e).lhs->kind, Kind::kUnary);
  // and binds tighter than or; comparisons tighter than and.
  e = std::move(Parse("a or b and c > d").value());
  const auto& orx = static_cast<const BinaryExpr&>(*e);
  EXPECT_EQ(orx.op, BinaryOp::kOr);
  const auto& andx = static_cast<const BinaryExpr&>(*orx.rhs);
  EXPECT_EQ(andx.op, BinaryOp::kAnd);
  EXPECT_EQ(static_cast<const BinaryExpr&>(*andx.rhs).op, BinaryOp::kGtr);
  // offset binds to the nearest selector.
  e = std::move(Parse("a + b offset 5m").value());
  const auto& b = static_cast<const VectorSelector&>(*static_cast<const BinaryExpr&>(*e).rhs);
  EXPECT_EQ(b.mods.offset_ms, 300000);
}

TEST(ParserTest, SelectorAndModifierFields) {
  ExprPtr e =
      std::move(Parse(R"(rate(http{job="api", code=~"5.."}[5m] @ 1609746000 offset -1h))").value());
  const auto& call = static_cast<const Call&>(*e);
  EXPECT_EQ(call.func, FindFunction("rate"));
  const auto& ms = static_cast<const MatrixSelector&>(*call.args[0]);
  EXPECT_EQ(ms.range_ms, 300000);
  const VectorSelector& vs = ms.vector_selector();
  EXPECT_EQ(vs.name, "http");
  ASSERT_EQ(vs.matchers.size(), 3u);
  EXPECT_EQ(vs.matchers[1].type(), MatchType::kRegexp);
  EXPECT_TRUE(vs.matchers[1].Matches("503"));
  EXPECT_EQ(vs.matchers[2].name(), "__name__");
  EXPECT_EQ(vs.mods.timestamp_ms, 1609746000000);
  EXPECT_EQ(vs.mods.offset_ms, -3600000);
  EXPECT_EQ(e->pos.start, 0);
  EXPECT_EQ(call.args[0]->pos.start, 5);
}

TEST(ParserTest, DeepNestingIsRejectedNotCrashing) {
  std::string deep(100000, '(');
  deep += "1";
  deep += std::string(100000, ')');
  ParseError err;
  EXPECT_FALSE(Parse(deep, {}, &err).ok());
  EXPECT_THAT(err.message, testing::HasSubstr("nesting too deep"));
  std::string chain = "1";
  for (int i = 0; i < 100000; ++i) chain += " + 1";
  EXPECT_FALSE(Parse(chain).ok());
  std::string unary(100000, '-');
  EXPECT_FALSE(Parse(unary + "1").ok());
  ParseOptions small;
  small.max_depth = 5000;
  std::string ok = "1";
  for (int i = 0; i < 1000; ++i) ok += " + 1";
  EXPECT_TRUE(Parse(ok, small).ok());
}

TEST(FunctionsTest, TableIsSortedAndComplete) {
  auto all = AllFunctions();
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
  for (const char* name : {"rate",
                           "irate",
                           "increase",
                           "delta",
                           "idelta",
                           "deriv",
                           "predict_linear",
                           "resets",
                           "changes",
                           "avg_over_time",
                           "quantile_over_time",
                           "mad_over_time",
                           "last_over_time",
                           "first_over_time",
                           "ts_of_max_over_time",
                           "absent_over_time",
                           "present_over_time",
                           "histogram_quantile",
                           "histogram_fraction",
                           "histogram_stddev",
                           "label_replace",
                           "label_join",
                           "info",
                           "clamp",
                           "sgn",
                           "sort_by_label_desc",
                           "scalar",
                           "vector",
                           "timestamp",
                           "days_in_month",
                           "atanh",
                           "pi",
                           "deg",
                           "rad"}) {
    EXPECT_NE(FindFunction(name), nullptr) << name;
  }
  EXPECT_EQ(FindFunction("Rate"), nullptr);
  const Function* q = FindFunction("quantile_over_time");
  EXPECT_THAT(q->arg_types, testing::ElementsAre(ValueType::kScalar, ValueType::kMatrix));
  EXPECT_TRUE(FindFunction("limitk") == nullptr);
  EXPECT_TRUE(FindFunction("double_exponential_smoothing")->experimental);
}

}  // namespace
}  // namespace sundial::promql
