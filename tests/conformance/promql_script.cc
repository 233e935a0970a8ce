#include "conformance/promql_script.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "base/str_cat.h"
#include "promql/engine.h"
#include "promql/functions.h"
#include "promql/parser.h"
#include "re2/re2.h"
#include "tsdb/head.h"
#include "tsdb/value.h"

namespace sundial::promql::conformance {
namespace {

struct Slot {
  bool present = false;
  bool stale = false;
  double v = 0;
};

struct SeriesDesc {
  Labels labels;
  std::vector<Slot> slots;
  bool histogram = false;  // has native histogram items (not supported)
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Prometheus durations: 1h30m, 5m, 100ms, 0.
std::optional<int64_t> ParseDurationMs(std::string_view s) {
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j == i) return std::nullopt;
    int64_t n = std::stoll(std::string(s.substr(i, j - i)));
    size_t k = j;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    std::string_view unit = s.substr(j, k - j);
    int64_t mult = 0;
    if (unit == "ms")
      mult = 1;
    else if (unit == "s")
      mult = 1000;
    else if (unit == "m")
      mult = 60000;
    else if (unit == "h")
      mult = 3600000;
    else if (unit == "d")
      mult = 86400000;
    else if (unit == "w")
      mult = 7 * 86400000LL;
    else if (unit == "y")
      mult = 365 * 86400000LL;
    else
      return std::nullopt;
    total += n * mult;
    i = k;
  }
  return total;
}

// A number at the start of s (sign, digits, '.', exponent, Inf, NaN); advances s.
std::optional<double> ParseLeadingNumber(std::string_view* s, bool allow_sign) {
  std::string_view in = *s;
  size_t i = 0;
  if (allow_sign && i < in.size() && (in[i] == '+' || in[i] == '-')) ++i;
  auto ieq = [&](std::string_view word) {
    if (in.size() - i < word.size()) return false;
    for (size_t k = 0; k < word.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(in[i + k])) != word[k]) return false;
    }
    return true;
  };
  double v;
  if (ieq("inf") || ieq("nan")) {
    bool inf = ieq("inf");
    v = inf ? INFINITY : std::nan("");
    if (inf && in[0] == '-') v = -v;
    i += 3;
  } else {
    size_t start = i;
    while (i < in.size() && (std::isdigit(static_cast<unsigned char>(in[i])) || in[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    if (i < in.size() && (in[i] == 'e' || in[i] == 'E')) {
      size_t k = i + 1;
      if (k < in.size() && (in[k] == '+' || in[k] == '-')) ++k;
      if (k < in.size() && std::isdigit(static_cast<unsigned char>(in[k]))) {
        while (k < in.size() && std::isdigit(static_cast<unsigned char>(in[k]))) ++k;
        i = k;
      }
    }
    std::string num(in.substr(0, i));
    char* end = nullptr;
    v = std::strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size()) return std::nullopt;
  }
  s->remove_prefix(i);
  return v;
}

bool ParseCount(std::string_view s, int64_t* n) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  *n = std::stoll(std::string(s));
  return true;
}

// Appends the slots of one value item.
bool ParseItem(std::string_view item, std::vector<Slot>* out) {
  if (item == "_") {
    out->push_back(Slot{});
    return true;
  }
  if (item == "stale") {
    out->push_back(Slot{true, true, 0});
    return true;
  }
  int64_t n = 0;
  if (item.substr(0, 2) == "_x") {
    if (!ParseCount(item.substr(2), &n)) return false;
    for (int64_t k = 0; k < n; ++k) out->push_back(Slot{});
    return true;
  }
  std::string_view rest = item;
  std::optional<double> a = ParseLeadingNumber(&rest, true);
  if (!a) return false;
  if (rest.empty()) {
    out->push_back(Slot{true, false, *a});
    return true;
  }
  double step = 0;
  if (rest[0] == '+' || rest[0] == '-') {
    bool neg = rest[0] == '-';
    rest.remove_prefix(1);
    std::optional<double> b = ParseLeadingNumber(&rest, false);
    if (!b) return false;
    step = neg ? -*b : *b;
  }
  if (rest.empty() || rest[0] != 'x' || !ParseCount(rest.substr(1), &n)) return false;
  double v = *a;
  for (int64_t k = 0; k <= n; ++k) {
    out->push_back(Slot{true, false, v});
    v += step;
  }
  return true;
}

// Parses a quoted PromQL string at s[*i]; advances *i past it.
bool ParseQuoted(std::string_view s, size_t* i, std::string* out) {
  char q = s[*i];
  size_t k = *i + 1;
  while (k < s.size() && s[k] != q) {
    if (s[k] == '\\' && q != '`' && k + 1 < s.size()) {
      char c = s[++k];
      switch (c) {
        case 'n':
          out->push_back('\n');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '"':
          out->push_back('"');
          break;
        case '\'':
          out->push_back('\'');
          break;
        default:
          out->push_back('\\');
          out->push_back(c);
          break;
      }
      ++k;
      continue;
    }
    out->push_back(s[k++]);
  }
  if (k >= s.size()) return false;
  *i = k + 1;
  return true;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

// `name{a="b"} items...` -> labels and slots.
std::optional<SeriesDesc> ParseSeriesLine(std::string_view line, std::string* err) {
  SeriesDesc d;
  LabelsBuilder b;
  size_t i = 0;
  while (i < line.size() && IsNameChar(line[i])) ++i;
  if (i > 0) b.Set(kMetricNameLabel, line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (;;) {
      while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      size_t ns = i;
      std::string name;
      if (i < line.size() && (line[i] == '"' || line[i] == '\'')) {
        if (!ParseQuoted(line, &i, &name)) break;
      } else {
        while (i < line.size() && IsNameChar(line[i])) ++i;
        name = std::string(line.substr(ns, i - ns));
      }
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size()) {
        *err = "unterminated label set";
        return std::nullopt;
      }
      if (line[i] == ',' || line[i] == '}') {  // a quoted metric name
        b.Set(kMetricNameLabel, name);
        continue;
      }
      if (line[i] != '=') {
        *err = StrCat("bad label matcher in ", line);
        return std::nullopt;
      }
      ++i;
      while (i < line.size() && line[i] == ' ') ++i;
      std::string value;
      if (i >= line.size() || !ParseQuoted(line, &i, &value)) {
        *err = StrCat("bad label value in ", line);
        return std::nullopt;
      }
      b.Set(name, value);
    }
  }
  d.labels = b.Build();
  // Native histogram literals {{...}} (which contain spaces) become the single letter H.
  std::string rest;
  for (std::string_view r = Trim(line.substr(i)); !r.empty();) {
    if (r.substr(0, 2) == "{{") {
      size_t close = r.find("}}");
      if (close == std::string_view::npos) {
        *err = "unterminated histogram literal";
        return std::nullopt;
      }
      rest.push_back('H');
      d.histogram = true;
      r.remove_prefix(close + 2);
      continue;
    }
    rest.push_back(r[0]);
    r.remove_prefix(1);
  }
  std::istringstream items{rest};
  std::string item;
  while (items >> item) {
    if (item.find('H') != std::string::npos) {
      int64_t n = 0;
      size_t x = item.find('x');
      if (x != std::string::npos && ParseCount(item.substr(x + 1), &n)) {
        d.slots.insert(d.slots.end(), static_cast<size_t>(n) + 1, Slot{});
      } else {
        d.slots.push_back(Slot{});
      }
      continue;
    }
    if (!ParseItem(item, &d.slots)) {
      *err = StrCat("bad value item \"", item, "\"");
      return std::nullopt;
    }
  }
  return d;
}

// Go's float comparison of the test runner (util/almost.Equal with epsilon 1e-6).
bool AlmostEqual(double a, double b) {
  if (tsdb::IsStaleNaN(a) || tsdb::IsStaleNaN(b)) {
    return tsdb::IsStaleNaN(a) && tsdb::IsStaleNaN(b);
  }
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  double sum = std::fabs(a) + std::fabs(b);
  constexpr double kMin = 2.2250738585072014e-308;
  if (a == 0 || b == 0 || sum < kMin) return std::fabs(a - b) < 1e-6 * kMin;
  return std::fabs(a - b) / std::min(sum, 1.7976931348623157e308) < 1e-6;
}

std::optional<double> ParseGoNumber(std::string_view s) {
  std::string str(s);
  if (str.empty()) return std::nullopt;
  std::string_view t = s;
  std::optional<double> v = ParseLeadingNumber(&t, true);
  if (v && t.empty()) return v;
  if (str.size() > 2 && str[0] == '0' && (str[1] == 'x' || str[1] == 'X')) {
    char* end = nullptr;
    double h = static_cast<double>(std::strtoll(str.c_str(), &end, 16));
    if (end == str.c_str() + str.size()) return h;
  }
  return std::nullopt;
}

struct Matcher {
  bool set = false;
  bool regex = false;
  std::string text;
  bool Matches(const std::string& s) const {
    if (!set) return true;
    if (!regex) return s == text;
    return RE2::PartialMatch(s, text);
  }
};

struct EvalCmd {
  int line = 0;
  bool range = false;
  int64_t t = 0, start = 0, end = 0, step = 0;
  std::string expr;
  bool expect_fail = false;
  Matcher fail_msg;
  bool ordered = false;
  std::vector<Matcher> warn, info;
  bool any_warn = false, any_info = false, no_warn = false, no_info = false;
  std::optional<double> scalar;
  std::optional<std::string> string;
  bool range_vector = false;
  int64_t rv_start = 0, rv_end = 0, rv_step = 0;
  std::vector<SeriesDesc> series;
  bool histogram = false;
};

// Why an eval cannot run with this engine, or "".
std::string UnsupportedFeature(const Expr& e) {
  std::string why;
  auto walk = [&](auto& self, const Expr& x) -> void {
    switch (x.kind) {
      case Kind::kVectorSelector: {
        const auto& vs = static_cast<const VectorSelector&>(x);
        if (vs.anchored || vs.smoothed) why = "promql-extended-range-selectors not built";
        break;
      }
      case Kind::kMatrixSelector:
        self(self, *static_cast<const MatrixSelector&>(x).selector);
        break;
      case Kind::kSubquery:
        self(self, *static_cast<const SubqueryExpr&>(x).expr);
        break;
      case Kind::kAggregate: {
        const auto& a = static_cast<const AggregateExpr&>(x);
        if (a.param) self(self, *a.param);
        self(self, *a.expr);
        break;
      }
      case Kind::kBinary: {
        const auto& b = static_cast<const BinaryExpr&>(x);
        self(self, *b.lhs);
        self(self, *b.rhs);
        break;
      }
      case Kind::kUnary:
        self(self, *static_cast<const UnaryExpr&>(x).expr);
        break;
      case Kind::kParen:
        self(self, *static_cast<const ParenExpr&>(x).expr);
        break;
      case Kind::kCall: {
        const auto& c = static_cast<const Call&>(x);
        if (c.func->name == "start_timestamp") why = "use-start-timestamps not built";
        for (const ExprPtr& a : c.args) self(self, *a);
        break;
      }
      default:
        break;
    }
  };
  walk(walk, e);
  return why;
}

// Calls f on every vector selector of e (including those inside matrix selectors).
template <typename F>
void ForEachSelector(const Expr& e, F f) {
  auto walk = [&](auto& self, const Expr& x) -> void {
    switch (x.kind) {
      case Kind::kVectorSelector:
        f(static_cast<const VectorSelector&>(x));
        break;
      case Kind::kMatrixSelector:
        self(self, *static_cast<const MatrixSelector&>(x).selector);
        break;
      case Kind::kSubquery:
        self(self, *static_cast<const SubqueryExpr&>(x).expr);
        break;
      case Kind::kAggregate: {
        const auto& a = static_cast<const AggregateExpr&>(x);
        if (a.param) self(self, *a.param);
        self(self, *a.expr);
        break;
      }
      case Kind::kBinary:
        self(self, *static_cast<const BinaryExpr&>(x).lhs);
        self(self, *static_cast<const BinaryExpr&>(x).rhs);
        break;
      case Kind::kUnary:
        self(self, *static_cast<const UnaryExpr&>(x).expr);
        break;
      case Kind::kParen:
        self(self, *static_cast<const ParenExpr&>(x).expr);
        break;
      case Kind::kCall:
        for (const ExprPtr& a : static_cast<const Call&>(x).args) self(self, *a);
        break;
      default:
        break;
    }
  };
  walk(walk, e);
}

constexpr std::string_view kTimeFns[] = {"time",         "timestamp",   "predict_linear",
                                         "minute",       "hour",        "day_of_week",
                                         "day_of_month", "day_of_year", "days_in_month",
                                         "month",        "year",        "start",
                                         "end",          "range",       "step"};

// Whether the @-invariance re-runs apply (no time-dependent functions).
bool AtInvariant(const Expr& e) {
  bool ok = true;
  auto walk = [&](auto& self, const Expr& x) -> void {
    switch (x.kind) {
      case Kind::kMatrixSelector:
        self(self, *static_cast<const MatrixSelector&>(x).selector);
        break;
      case Kind::kSubquery:
        self(self, *static_cast<const SubqueryExpr&>(x).expr);
        break;
      case Kind::kAggregate: {
        const auto& a = static_cast<const AggregateExpr&>(x);
        if (a.param) self(self, *a.param);
        self(self, *a.expr);
        break;
      }
      case Kind::kBinary:
        self(self, *static_cast<const BinaryExpr&>(x).lhs);
        self(self, *static_cast<const BinaryExpr&>(x).rhs);
        break;
      case Kind::kUnary:
        self(self, *static_cast<const UnaryExpr&>(x).expr);
        break;
      case Kind::kParen:
        self(self, *static_cast<const ParenExpr&>(x).expr);
        break;
      case Kind::kCall: {
        const auto& c = static_cast<const Call&>(x);
        for (std::string_view f : kTimeFns) {
          if (c.func->name == f) ok = false;
        }
        for (const ExprPtr& a : c.args) self(self, *a);
        break;
      }
      default:
        break;
    }
  };
  walk(walk, e);
  return ok;
}

// Sets `@ t` on every selector and subquery without one (not inside a subquery with @).
void SetAt(Expr& e, int64_t t) {
  switch (e.kind) {
    case Kind::kVectorSelector: {
      auto& vs = static_cast<VectorSelector&>(e);
      if (!vs.mods.HasAt()) vs.mods.timestamp_ms = t;
      break;
    }
    case Kind::kMatrixSelector:
      SetAt(*static_cast<MatrixSelector&>(e).selector, t);
      break;
    case Kind::kSubquery: {
      auto& sq = static_cast<SubqueryExpr&>(e);
      if (sq.mods.HasAt()) break;
      sq.mods.timestamp_ms = t;  // its inner selectors keep following the subquery's steps
      break;
    }
    case Kind::kAggregate: {
      auto& a = static_cast<AggregateExpr&>(e);
      if (a.param) SetAt(*a.param, t);
      SetAt(*a.expr, t);
      break;
    }
    case Kind::kBinary:
      SetAt(*static_cast<BinaryExpr&>(e).lhs, t);
      SetAt(*static_cast<BinaryExpr&>(e).rhs, t);
      break;
    case Kind::kUnary:
      SetAt(*static_cast<UnaryExpr&>(e).expr, t);
      break;
    case Kind::kParen:
      SetAt(*static_cast<ParenExpr&>(e).expr, t);
      break;
    case Kind::kCall:
      for (ExprPtr& a : static_cast<Call&>(e).args) SetAt(*a, t);
      break;
    default:
      break;
  }
}

std::string Fmt(double v) { return StrCat(v); }

// Compares an instant-query result with the expectations; "" when it matches.
std::string CompareInstant(const EvalCmd& cmd, const Value& value, bool check_order) {
  if (cmd.scalar) {
    if (!std::holds_alternative<Scalar>(value)) return "expected scalar result";
    double got = std::get<Scalar>(value).v;
    if (!AlmostEqual(*cmd.scalar, got)) {
      return StrCat("expected scalar ", Fmt(*cmd.scalar), " but got ", Fmt(got));
    }
    return "";
  }
  if (cmd.string) {
    if (!std::holds_alternative<String>(value)) return "expected string result";
    if (std::get<String>(value).s != *cmd.string) return "string mismatch";
    return "";
  }
  if (cmd.range_vector) {
    if (!std::holds_alternative<Matrix>(value)) return "expected range vector result";
    const Matrix& m = std::get<Matrix>(value);
    if (m.size() != cmd.series.size()) {
      return StrCat("expected ", cmd.series.size(), " series, got ", m.size());
    }
    for (const SeriesDesc& want : cmd.series) {
      auto it = std::find_if(m.begin(), m.end(),
                             [&](const Series& s) { return s.labels == want.labels; });
      if (it == m.end()) return StrCat("missing series ", want.labels.ToString());
      std::vector<FPoint> exp;
      for (size_t k = 0; k < want.slots.size(); ++k) {
        if (want.slots[k].present) {
          exp.push_back(
              FPoint{cmd.rv_start + static_cast<int64_t>(k) * cmd.rv_step, want.slots[k].v});
        }
      }
      if (exp.size() != it->points.size()) {
        return StrCat("series ", want.labels.ToString(), ": expected ", exp.size(), " points, got ",
                      it->points.size());
      }
      for (size_t k = 0; k < exp.size(); ++k) {
        if (exp[k].t != it->points[k].t || !AlmostEqual(exp[k].v, it->points[k].v)) {
          return StrCat("series ", want.labels.ToString(), " point ", k, " mismatch: got ",
                        Fmt(it->points[k].v), "@", it->points[k].t);
        }
      }
    }
    return "";
  }
  if (!std::holds_alternative<Vector>(value)) {
    if (std::holds_alternative<Scalar>(value)) return "expected vector, got scalar";
    return "expected vector result";
  }
  const Vector& v = std::get<Vector>(value);
  if (v.size() != cmd.series.size()) {
    std::string got;
    for (const Sample& s : v) StrAppend(&got, " ", s.labels.ToString(), "=", Fmt(s.v));
    return StrCat("expected ", cmd.series.size(), " samples, got ", v.size(), ":", got);
  }
  for (size_t k = 0; k < cmd.series.size(); ++k) {
    const SeriesDesc& want = cmd.series[k];
    if (want.slots.size() != 1 || !want.slots[0].present) return "bad expected sample";
    auto it =
        std::find_if(v.begin(), v.end(), [&](const Sample& s) { return s.labels == want.labels; });
    if (it == v.end()) return StrCat("unexpected result, missing ", want.labels.ToString());
    if (check_order && cmd.ordered && it - v.begin() != static_cast<ptrdiff_t>(k)) {
      return StrCat("expected ", want.labels.ToString(), " at position ", k);
    }
    if (!AlmostEqual(want.slots[0].v, it->v)) {
      return StrCat("for ", want.labels.ToString(), " expected ", Fmt(want.slots[0].v), " got ",
                    Fmt(it->v));
    }
  }
  return "";
}

std::string CompareRange(const EvalCmd& cmd, const Value& value) {
  if (!std::holds_alternative<Matrix>(value)) return "expected matrix result";
  const Matrix& m = std::get<Matrix>(value);
  for (size_t k = 1; k < m.size(); ++k) {
    if (!(m[k - 1].labels < m[k].labels)) return "matrix is not sorted by labels";
  }
  EvalCmd copy;
  copy.range_vector = true;
  copy.rv_start = cmd.start;
  copy.rv_step = cmd.step;
  copy.series = cmd.series;
  // Drop expected series without any point.
  std::erase_if(copy.series, [](const SeriesDesc& d) {
    return std::none_of(d.slots.begin(), d.slots.end(), [](const Slot& s) { return s.present; });
  });
  return CompareInstant(copy, value, false);
}

// Checks a failure/annotation expectation against a query result; "" when satisfied.
std::string CheckOutcome(const EvalCmd& cmd, const Result& r) {
  if (!r.status.ok()) {
    if (!cmd.expect_fail) return StrCat("unexpected error: ", AsStd(r.status.message()));
    if (!cmd.fail_msg.Matches(std::string(AsStd(r.status.message())))) {
      return StrCat("error message mismatch: got \"", AsStd(r.status.message()), "\"");
    }
    return "";
  }
  if (cmd.expect_fail) return "expected error, query succeeded";
  auto check = [](const std::vector<Matcher>& want, bool any, bool none,
                  const std::vector<std::string>& got, std::string_view kind) -> std::string {
    if (none && !got.empty()) return StrCat("unexpected ", kind, ": ", got[0]);
    if (any && got.empty()) return StrCat("expected a ", kind);
    if (want.empty()) return "";
    for (const Matcher& m : want) {
      if (std::none_of(got.begin(), got.end(),
                       [&](const std::string& g) { return m.Matches(g); })) {
        return StrCat("missing ", kind, " matching \"", m.text, "\"");
      }
    }
    for (const std::string& g : got) {
      if (std::none_of(want.begin(), want.end(), [&](const Matcher& m) { return m.Matches(g); })) {
        return StrCat("unexpected ", kind, ": ", g);
      }
    }
    return "";
  };
  std::string e = check(cmd.warn, cmd.any_warn, cmd.no_warn, r.warnings, "warning");
  if (e.empty()) e = check(cmd.info, cmd.any_info, cmd.no_info, r.infos, "info");
  return e;
}

class ScriptRunner {
 public:
  ScriptRunner(std::string_view name, SplitRangeQueries split) : engine_(Options(split)) {
    report_.file = std::string(name);
    // Whole files about features behind flags this build does not have.
    if (name == "start_timestamps.test") file_skip_ = "use-start-timestamps not built";
    if (name == "type_and_unit.test") file_skip_ = "type-and-unit-labels not built";
  }

  ScriptReport Run(std::string_view text) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = Trim(text.substr(pos, nl - pos));
      if (!l.empty() && l[0] == '#') l = {};
      lines.emplace_back(l);
      pos = nl + 1;
    }
    Reset();
    for (size_t i = 0; i < lines.size();) {
      if (lines[i].empty()) {
        ++i;
        continue;
      }
      size_t end = i + 1;
      while (end < lines.size() && !lines[end].empty()) ++end;
      std::vector<std::string_view> block(lines.begin() + static_cast<ptrdiff_t>(i),
                                          lines.begin() + static_cast<ptrdiff_t>(end));
      std::string first = lines[i].substr(0, lines[i].find(' '));
      std::transform(first.begin(), first.end(), first.begin(), ::tolower);
      int line_no = static_cast<int>(i) + 1;
      std::string err;
      if (first == "clear") {
        Reset();
        end = i + 1;  // clear has no block
      } else if (first.rfind("load", 0) == 0) {
        err = Load(block);
      } else if (first.rfind("eval", 0) == 0) {
        // A legacy expected_fail_* line ends the block.
        size_t consumed = block.size();
        err = Eval(block, line_no, &consumed);
        end = i + consumed;
      } else {
        err = StrCat("unknown command \"", first, "\"");
      }
      if (!err.empty()) {
        report_.error = StrCat("line ", line_no, ": ", err);
        return report_;
      }
      i = end;
    }
    return report_;
  }

 private:
  void Reset() {
    // As Prometheus' test storage: 24h blocks, so a later load may append samples up to 12h
    // behind the newest one.
    tsdb::HeadOptions options;
    options.chunks.chunk_range_ms = 24 * 60 * 60 * 1000;
    head_ = std::make_unique<tsdb::Head>(options);
    histogram_names_.clear();
    histogram_series_.clear();
  }

  std::string Load(const std::vector<std::string_view>& block) {
    std::string_view cmd = block[0];
    std::istringstream in{std::string(cmd)};
    std::string word, interval;
    in >> word >> interval;
    const bool nhcb = word == "load_with_nhcb";
    std::optional<int64_t> step = ParseDurationMs(interval);
    if (!step) return StrCat("bad load interval \"", interval, "\"");
    std::map<std::string, SeriesDesc> series;
    std::vector<std::string> order;
    for (size_t k = 1; k < block.size(); ++k) {
      std::string err;
      if (block[k].find("@st ") != std::string_view::npos) continue;
      std::optional<SeriesDesc> d = ParseSeriesLine(block[k], &err);
      if (!d) return err;
      std::string metric(d->labels.MetricName());
      if (d->histogram) {
        histogram_names_.insert(metric);
        histogram_series_.push_back(d->labels);
      }
      for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
        if (nhcb && metric.size() > suffix.size() &&
            metric.compare(metric.size() - suffix.size(), suffix.size(), suffix) == 0) {
          histogram_names_.insert(metric.substr(0, metric.size() - suffix.size()));
        }
      }
      std::string key(d->labels.Bytes());
      if (!series.count(key)) order.push_back(key);
      series[key] = std::move(*d);
    }
    std::unique_ptr<tsdb::Appender> app = head_->NewAppender();
    for (const std::string& key : order) {
      const SeriesDesc& d = series[key];
      for (size_t k = 0; k < d.slots.size(); ++k) {
        if (!d.slots[k].present) continue;
        double v = d.slots[k].stale ? tsdb::StaleNaN() : d.slots[k].v;
        absl::StatusOr<tsdb::SeriesRef> r =
            app->Append(0, d.labels, static_cast<int64_t>(k) * *step, v);
        (void)r;  // duplicates/out-of-order appends are the storage's business
      }
    }
    absl::Status st = app->Commit();
    if (!st.ok()) return StrCat("commit: ", AsStd(st.message()));
    return "";
  }

  static Matcher ParseMatcher(std::string_view rest) {
    Matcher m;
    rest = Trim(rest);
    if (rest.rfind("msg:", 0) == 0) {
      m.set = true;
      m.text = std::string(Trim(rest.substr(4)));
    } else if (rest.rfind("regex:", 0) == 0) {
      m.set = true;
      m.regex = true;
      m.text = std::string(Trim(rest.substr(6)));
    }
    return m;
  }

  std::string ParseEval(const std::vector<std::string_view>& block, EvalCmd* cmd,
                        size_t* consumed) {
    std::string_view line = block[0];
    std::string_view word = line.substr(0, line.find(' '));
    std::string_view rest = Trim(line.substr(word.size()));
    if (word == "eval_fail") cmd->expect_fail = true;
    if (word == "eval_warn") cmd->any_warn = true;
    if (word == "eval_info") cmd->any_info = true;
    if (word == "eval_ordered") cmd->ordered = true;
    auto next = [&]() {
      std::string_view w = rest.substr(0, rest.find(' '));
      rest = Trim(rest.substr(w.size()));
      return w;
    };
    std::string_view mode = next();
    if (mode == "instant") {
      if (next() != "at") return "expected \"at\"";
      auto t = ParseDurationMs(next());
      if (!t) return "bad time";
      cmd->t = *t;
    } else if (mode == "range") {
      if (next() != "from") return "expected \"from\"";
      auto s = ParseDurationMs(next());
      if (next() != "to") return "expected \"to\"";
      auto e = ParseDurationMs(next());
      if (next() != "step") return "expected \"step\"";
      auto st = ParseDurationMs(next());
      if (!s || !e || !st) return "bad range";
      cmd->range = true;
      cmd->start = *s;
      cmd->end = *e;
      cmd->step = *st;
    } else {
      return StrCat("bad eval mode \"", mode, "\"");
    }
    cmd->expr = std::string(rest);
    for (size_t k = 1; k < block.size(); ++k) {
      std::string_view l = block[k];
      if (cmd->expect_fail &&
          (l.rfind("expected_fail_message", 0) == 0 || l.rfind("expected_fail_regexp", 0) == 0)) {
        bool re = l.rfind("expected_fail_regexp", 0) == 0;
        cmd->fail_msg.set = true;
        cmd->fail_msg.regex = re;
        cmd->fail_msg.text = std::string(Trim(l.substr(l.find(' ') + 1)));
        *consumed = k + 1;
        return "";
      }
      if (l.rfind("expect range vector", 0) == 0) {
        std::istringstream in{std::string(l.substr(19))};
        std::string from, s, to, e, step, st;
        in >> from >> s >> to >> e >> step >> st;
        auto a = ParseDurationMs(s), b = ParseDurationMs(e), c = ParseDurationMs(st);
        if (!a || !b || !c) return "bad expect range vector";
        cmd->range_vector = true;
        cmd->rv_start = *a;
        cmd->rv_end = *b;
        cmd->rv_step = *c;
        cmd->t = *b;
        continue;
      }
      if (l.rfind("expect string", 0) == 0) {
        std::string_view q = Trim(l.substr(13));
        std::string s;
        size_t i = 0;
        if (q.empty() || !ParseQuoted(q, &i, &s)) return "bad expect string";
        cmd->string = s;
        continue;
      }
      std::string_view w = l.substr(0, l.find(' '));
      if (w == "expect") {
        std::string_view r = Trim(l.substr(6));
        std::string_view kind = r.substr(0, r.find(' '));
        Matcher m = ParseMatcher(r.substr(kind.size()));
        if (kind == "fail") {
          cmd->expect_fail = true;
          cmd->fail_msg = m;
        } else if (kind == "warn") {
          cmd->warn.push_back(m);
        } else if (kind == "info") {
          cmd->info.push_back(m);
        } else if (kind == "no_warn") {
          cmd->no_warn = true;
        } else if (kind == "no_info") {
          cmd->no_info = true;
        } else if (kind == "ordered") {
          cmd->ordered = true;
        } else {
          return StrCat("unknown expectation \"", kind, "\"");
        }
        continue;
      }
      if (std::optional<double> v = ParseGoNumber(l)) {
        cmd->scalar = v;
        *consumed = k + 1;
        return "";
      }
      std::string err;
      std::optional<SeriesDesc> d = ParseSeriesLine(l, &err);
      if (!d) return err;
      if (d->histogram) cmd->histogram = true;
      cmd->series.push_back(std::move(*d));
    }
    return "";
  }

  // Whether the query names a metric that has native histogram samples (a heuristic: whole-word
  // occurrence in the query text).
  bool UsesHistograms(const std::string& expr) const {
    for (const std::string& name : histogram_names_) {
      for (size_t p = expr.find(name); p != std::string::npos; p = expr.find(name, p + 1)) {
        bool start_ok = p == 0 || !IsNameChar(expr[p - 1]);
        size_t e = p + name.size();
        bool end_ok = e == expr.size() || !IsNameChar(expr[e]);
        if (start_ok && end_ok) return true;
      }
    }
    return false;
  }

  // Whether a selector of e matches a series that was loaded with native histogram samples
  // (which this build drops, so the expected result and annotations cannot be reproduced).
  bool SelectsHistograms(const Expr& e) const {
    bool found = false;
    ForEachSelector(e, [&](const VectorSelector& vs) {
      for (const Labels& l : histogram_series_) {
        if (std::all_of(vs.matchers.begin(), vs.matchers.end(),
                        [&](const sundial::Matcher& m) { return m.Matches(l.Get(m.name())); })) {
          found = true;
        }
      }
    });
    return found;
  }

  void Record(int line, EvalStatus status, std::string message) {
    report_.evals.push_back(EvalOutcome{line, status, std::move(message)});
  }

  std::string Eval(const std::vector<std::string_view>& block, int line_no, size_t* consumed) {
    EvalCmd cmd;
    cmd.line = line_no;
    std::string err = ParseEval(block, &cmd, consumed);
    if (!err.empty()) return err;
    if (!file_skip_.empty()) {
      Record(line_no, EvalStatus::kSkip, file_skip_);
      return "";
    }
    absl::StatusOr<ExprPtr> expr = Parse(cmd.expr, ParseOptions::AllEnabled());
    if (!expr.ok()) {
      Record(line_no, EvalStatus::kFail, StrCat("parse: ", AsStd(expr.status().message())));
      return "";
    }
    if (cmd.histogram || UsesHistograms(cmd.expr) || SelectsHistograms(**expr)) {
      Record(line_no, EvalStatus::kSkip, "native histograms not built");
      return "";
    }
    if (std::string why = UnsupportedFeature(**expr); !why.empty()) {
      Record(line_no, EvalStatus::kSkip, why);
      return "";
    }
    std::string fail = cmd.range ? RunRange(cmd, **expr) : RunInstant(cmd, **expr);
    Record(line_no, fail.empty() ? EvalStatus::kPass : EvalStatus::kFail, fail);
    return "";
  }

  std::string RunRange(const EvalCmd& cmd, const Expr& expr) {
    Result r = engine_.RangeQuery(head_.get(), expr, cmd.start, cmd.end, cmd.step, {}, cmd.expr);
    std::string e = CheckOutcome(cmd, r);
    if (!e.empty() || !r.status.ok()) return e;
    return CompareRange(cmd, r.value);
  }

  std::string RunOnce(const EvalCmd& cmd, const Expr& expr, int64_t t, bool cross_check) {
    Result r = engine_.InstantQuery(head_.get(), expr, t, {}, cmd.expr);
    std::string e = CheckOutcome(cmd, r);
    if (!e.empty() || !r.status.ok()) return e;
    e = CompareInstant(cmd, r.value, true);
    if (!e.empty() || !cross_check) return e;
    Result rr = engine_.RangeQuery(head_.get(), expr, t - 60000, t + 60000, 60000);
    if (!rr.status.ok()) return StrCat("range cross-check failed: ", AsStd(rr.status.message()));
    if (!std::holds_alternative<Matrix>(rr.value)) return "range cross-check: not a matrix";
    const Matrix& m = std::get<Matrix>(rr.value);
    if (!cmd.ordered) {
      for (size_t k = 1; k < m.size(); ++k) {
        if (!(m[k - 1].labels < m[k].labels)) return "range cross-check: matrix not sorted";
      }
    }
    if (cmd.ordered) return "";
    Vector v;
    for (const Series& s : m) {
      for (const FPoint& p : s.points) {
        if (p.t == t) v.push_back(Sample{s.labels, p.t, p.v});
      }
    }
    Value as_value;
    if (std::holds_alternative<Scalar>(r.value)) {
      as_value = Scalar{t, v.empty() ? std::nan("") : v[0].v};
    } else {
      as_value = std::move(v);
    }
    e = CompareInstant(cmd, as_value, false);
    return e.empty() ? e : StrCat("range cross-check: ", e);
  }

  std::string RunInstant(const EvalCmd& cmd, Expr& expr) {
    const bool cross = !cmd.range_vector && !cmd.string &&
                       cmd.expr.find("start()") == std::string::npos &&
                       cmd.expr.find("end()") == std::string::npos &&
                       cmd.expr.find("range()") == std::string::npos &&
                       cmd.expr.find("step()") == std::string::npos;
    std::string e = RunOnce(cmd, expr, cmd.t, cross);
    if (!e.empty() || !AtInvariant(expr)) return e;
    SetAt(expr, cmd.t);
    const int64_t t = cmd.t;
    std::vector<int64_t> times = t == 0 ? std::vector<int64_t>{-1000, 0, 1000}
                                        : std::vector<int64_t>{-10 * t, 0, t / 5, t, 10 * t};
    for (int64_t at : times) {
      e = RunOnce(cmd, expr, at, cross);
      if (!e.empty()) return StrCat("@-rerun at ", at, "ms: ", e);
    }
    return "";
  }

  ScriptReport report_;
  std::unique_ptr<tsdb::Head> head_;
  std::set<std::string> histogram_names_;  // metrics loaded with native histogram samples
  std::vector<Labels> histogram_series_;   // the series loaded with native histogram samples
  std::string file_skip_;
  static EngineOptions Options(SplitRangeQueries split) {
    EngineOptions o;
    o.max_samples = 10000;
    o.timeout_ms = 100000;
    o.split_range_queries = split;
    return o;
  }

  Engine engine_;
};

}  // namespace

ScriptReport RunScript(std::string_view name, std::string_view text, SplitRangeQueries split) {
  return ScriptRunner(name, split).Run(text);
}

ScriptReport RunScriptFile(const std::string& path, SplitRangeQueries split) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ScriptReport r;
    r.file = name;
    r.error = StrCat("cannot read ", path);
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return RunScript(name, ss.str(), split);
}

}  // namespace sundial::promql::conformance
