// label_replace, label_join, absent, absent_over_time, sort_by_label(_desc).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "promql/evaluator.h"
#include "promql/functions.h"
#include "promql/regex_cache.h"
#include "re2/re2.h"

namespace sundial::promql {
namespace {

bool IsLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Expands $1, ${1}, $name and ${name} in tmpl as Go's regexp.Expand; "$$" is a literal '$'.
std::string Expand(const RE2& re, std::string_view tmpl, const std::vector<re2::StringPiece>& g) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$' || i + 1 == tmpl.size()) {
      out.push_back(tmpl[i]);
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    std::string_view name;
    size_t next = i + 1;
    if (tmpl[next] == '{') {
      size_t close = tmpl.find('}', next);
      if (close == std::string_view::npos) {
        out.push_back('$');
        continue;
      }
      name = tmpl.substr(next + 1, close - next - 1);
      next = close + 1;
    } else {
      size_t e = next;
      while (e < tmpl.size() &&
             (std::isalnum(static_cast<unsigned char>(tmpl[e])) || tmpl[e] == '_')) {
        ++e;
      }
      name = tmpl.substr(next, e - next);
      next = e;
    }
    if (name.empty() || (tmpl[i + 1] == '{' && !IsLabelName(name) &&
                         !std::all_of(name.begin(), name.end(), ::isdigit))) {
      out.push_back('$');
      continue;
    }
    int idx = -1;
    if (std::all_of(name.begin(), name.end(), ::isdigit)) {
      idx = name.size() < 6 ? std::stoi(std::string(name)) : -1;
    } else {
      auto it = re.NamedCapturingGroups().find(std::string(name));
      if (it != re.NamedCapturingGroups().end()) idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < g.size() && g[idx].data() != nullptr) {
      out.append(g[idx].data(), g[idx].size());
    }
    i = next - 1;
  }
  return out;
}

// The labels absent() gives its result: the equality matchers of a selector argument.
Labels AbsentLabels(const Expr& arg) {
  const Expr* e = &UnwrapParens(arg);
  if (e->kind == Kind::kMatrixSelector) {
    e = static_cast<const MatrixSelector*>(e)->selector.get();
  }
  if (e->kind != Kind::kVectorSelector) return Labels();
  // In matcher order: the first equality matcher of a name sets it; any other matcher of that
  // name (a repeat, or a non-equality one) removes it.
  std::map<std::string, std::string> eq;
  std::set<std::string> has;
  for (const Matcher& m : static_cast<const VectorSelector*>(e)->matchers) {
    if (m.name() == kMetricNameLabel) continue;
    if (m.type() == MatchType::kEqual && !has.count(m.name())) {
      eq[m.name()] = m.value();
      has.insert(m.name());
    } else {
      eq.erase(m.name());
    }
  }
  LabelsBuilder b;
  for (const auto& [k, v] : eq) b.Set(k, v);
  return b.Build();
}

EvalValue Absent(const Expr& arg, const std::vector<uint8_t>& present) {
  EvalValue out;
  out.type = ValueType::kVector;
  StepSeries s = EmptyLike(AbsentLabels(arg), present.size());
  bool any = false;
  for (size_t i = 0; i < present.size(); ++i) {
    if (present[i]) continue;
    s.v[i] = 1;
    s.has[i] = 1;
    any = true;
  }
  if (any) out.series.push_back(std::move(s));
  return out;
}

// Splits s into maximal runs of digits and of non-digits.
std::vector<std::string_view> Chunks(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    const bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
    size_t j = i + 1;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) != 0) == digit) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// A chunk as an int64 if it is all digits and fits.
bool ChunkInt(std::string_view c, int64_t* v) {
  if (c.empty() || !std::isdigit(static_cast<unsigned char>(c[0]))) return false;
  auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), *v);
  return ec == std::errc() && ptr == c.data() + c.size();
}

// Natural order as sort_by_label uses it (the facette/natsort rules): chunk by chunk, digit runs
// compare as integers, other runs as strings; when a's chunks run out first it sorts first.
bool NaturalLess(std::string_view a, std::string_view b) {
  std::vector<std::string_view> ca = Chunks(a), cb = Chunks(b);
  for (size_t i = 0; i < ca.size(); ++i) {
    if (i >= cb.size()) return false;
    int64_t x = 0, y = 0;
    const bool numeric = ChunkInt(ca[i], &x) && ChunkInt(cb[i], &y);
    if (numeric ? x == y : ca[i] == cb[i]) {
      if (i == ca.size() - 1) return true;
      if (i == cb.size() - 1) return false;
      continue;
    }
    return numeric ? x < y : ca[i] < cb[i];
  }
  return false;
}

}  // namespace

absl::StatusOr<EvalValue> CallLabelFunction(Evaluator& ev, const Call& c) {
  const std::string_view name = c.func->name;
  const size_t n = ev.grid().n;
  // The checker allows only string literals, possibly parenthesized, where strings go.
  auto str_arg = [&](size_t k) {
    return static_cast<const StringLiteral&>(UnwrapParens(*c.args[k])).value;
  };
  if (name == "label_replace") {
    const std::string dst = str_arg(1), repl = str_arg(2), src = str_arg(3), regex = str_arg(4);
    const std::shared_ptr<const RE2> compiled = LabelReplaceRegex(regex);
    const RE2& re = *compiled;
    if (!re.ok()) {
      return absl::InvalidArgumentError(
          StrCat("invalid regular expression in label_replace(): ", regex));
    }
    if (!IsLabelName(dst)) {
      return absl::InvalidArgumentError(
          StrCat("invalid destination label name in label_replace(): ", dst));
    }
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    std::vector<re2::StringPiece> groups(re.NumberOfCapturingGroups() + 1);
    for (StepSeries& s : v.series) {
      std::string_view value = s.labels.Get(src);
      re2::StringPiece input(value.data(), value.size());
      if (!re.Match(input, 0, input.size(), RE2::UNANCHORED, groups.data(),
                    static_cast<int>(groups.size()))) {
        continue;
      }
      std::string res = Expand(re, repl, groups);
      s.labels = LabelsBuilder(s.labels).Set(dst, res).Build();
      if (dst == kMetricNameLabel) s.drop_name = false;
    }
    return v;
  }
  if (name == "label_join") {
    const std::string dst = str_arg(1), sep = str_arg(2);
    if (!IsLabelName(dst)) {
      return absl::InvalidArgumentError(
          StrCat("invalid destination label name in label_join(): ", dst));
    }
    for (size_t k = 3; k < c.args.size(); ++k) {
      if (!IsLabelName(str_arg(k))) {
        return absl::InvalidArgumentError(
            StrCat("invalid source label name in label_join(): ", str_arg(k)));
      }
    }
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    for (StepSeries& s : v.series) {
      std::string joined;
      for (size_t k = 3; k < c.args.size(); ++k) {
        if (k > 3) joined += sep;
        joined += s.labels.Get(str_arg(k));
      }
      s.labels = LabelsBuilder(s.labels).Set(dst, joined).Build();
      if (dst == kMetricNameLabel) s.drop_name = false;
    }
    return v;
  }
  if (name == "absent") {
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    std::vector<uint8_t> present(n, 0);
    for (const StepSeries& s : v.series) {
      for (size_t i = 0; i < n; ++i) present[i] |= s.has[i];
    }
    return Absent(*c.args[0], present);
  }
  if (name == "absent_over_time") {
    ASSIGN_OR_RETURN(RangeInput in, ev.EvalRange(*c.args[0]));
    ASSIGN_OR_RETURN(EvalValue any,
                     MapWindows(in, n, false, [](std::span<const FPoint>, size_t, double* out) {
                       *out = 1;
                       return true;
                     }));
    std::vector<uint8_t> present(n, 0);
    for (const StepSeries& s : any.series) {
      for (size_t i = 0; i < n; ++i) present[i] |= s.has[i];
    }
    return Absent(*c.args[0], present);
  }
  if (name == "sort_by_label" || name == "sort_by_label_desc") {
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    const bool desc = name == "sort_by_label_desc";
    std::vector<std::string> names;
    for (size_t k = 1; k < c.args.size(); ++k) names.push_back(str_arg(k));
    std::stable_sort(v.series.begin(), v.series.end(),
                     [&](const StepSeries& a, const StepSeries& b) {
                       for (const std::string& l : names) {
                         std::string_view x = a.labels.Get(l), y = b.labels.Get(l);
                         if (x == y) continue;
                         return desc ? NaturalLess(y, x) : NaturalLess(x, y);
                       }
                       return desc ? b.labels < a.labels : a.labels < b.labels;
                     });
    return v;
  }
  return absl::NotFoundError("");
}

}  // namespace sundial::promql
