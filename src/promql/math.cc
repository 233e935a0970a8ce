// Element-wise math functions, clamp*, round, scalar, vector, sort*, pi, min_of/max_of.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/status_macros.h"
#include "promql/evaluator.h"
#include "promql/functions.h"

namespace sundial::promql {
namespace {

struct MathFn {
  std::string_view name;
  double (*f)(double);
};

double Sgn(double v) { return v > 0 ? 1 : v < 0 ? -1 : v; }

const MathFn kMathFns[] = {
    {"abs", [](double v) { return std::fabs(v); }},
    {"ceil", [](double v) { return std::ceil(v); }},
    {"floor", [](double v) { return std::floor(v); }},
    {"exp", [](double v) { return std::exp(v); }},
    {"sqrt", [](double v) { return std::sqrt(v); }},
    {"ln", [](double v) { return std::log(v); }},
    {"log2", [](double v) { return std::log2(v); }},
    {"log10", [](double v) { return std::log10(v); }},
    {"sin", [](double v) { return std::sin(v); }},
    {"cos", [](double v) { return std::cos(v); }},
    {"tan", [](double v) { return std::tan(v); }},
    {"asin", [](double v) { return std::asin(v); }},
    {"acos", [](double v) { return std::acos(v); }},
    {"atan", [](double v) { return std::atan(v); }},
    {"sinh", [](double v) { return std::sinh(v); }},
    {"cosh", [](double v) { return std::cosh(v); }},
    {"tanh", [](double v) { return std::tanh(v); }},
    {"asinh", [](double v) { return std::asinh(v); }},
    {"acosh", [](double v) { return std::acosh(v); }},
    {"atanh", [](double v) { return std::atanh(v); }},
    {"deg", [](double v) { return v * 180 / M_PI; }},
    {"rad", [](double v) { return v * M_PI / 180; }},
    {"sgn", Sgn},
};

// Sort order of sort()/sort_desc(): NaN first, then by value.
bool SortLess(bool desc, double a, double b) {
  if (std::isnan(a)) return !std::isnan(b);
  if (std::isnan(b)) return false;
  return desc ? a > b : a < b;
}

}  // namespace

absl::StatusOr<EvalValue> CallMathFunction(Evaluator& ev, const Call& c) {
  const std::string_view name = c.func->name;
  const size_t n = ev.grid().n;
  for (const MathFn& m : kMathFns) {
    if (m.name != name) continue;
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    return MapValues(std::move(v), m.f);
  }
  if (name == "clamp" || name == "clamp_min" || name == "clamp_max") {
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    std::vector<double> lo(n, -INFINITY), hi(n, INFINITY);
    if (name != "clamp_max") {
      ASSIGN_OR_RETURN(EvalValue a, ev.Eval(*c.args[1]));
      lo = a.scalar;
    }
    if (name != "clamp_min") {
      ASSIGN_OR_RETURN(EvalValue a, ev.Eval(*c.args[name == "clamp" ? 2 : 1]));
      hi = a.scalar;
    }
    for (StepSeries& s : v.series) {
      s.drop_name = true;
      for (size_t i = 0; i < n; ++i) {
        if (!s.has[i]) continue;
        if (name == "clamp" && lo[i] > hi[i]) {
          s.has[i] = 0;
          continue;
        }
        s.v[i] = std::max(lo[i], std::min(hi[i], s.v[i]));
      }
    }
    std::erase_if(v.series, [](const StepSeries& s) {
      return std::find(s.has.begin(), s.has.end(), 1) == s.has.end();
    });
    return v;
  }
  if (name == "round") {
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    std::vector<double> to(n, 1.0);
    if (c.args.size() > 1) {
      ASSIGN_OR_RETURN(EvalValue a, ev.Eval(*c.args[1]));
      to = a.scalar;
    }
    for (StepSeries& s : v.series) {
      s.drop_name = true;
      for (size_t i = 0; i < n; ++i) {
        double inv = 1.0 / to[i];
        if (s.has[i]) s.v[i] = std::floor(s.v[i] * inv + 0.5) / inv;
      }
    }
    return v;
  }
  if (name == "scalar") {
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    EvalValue out;
    out.type = ValueType::kScalar;
    out.scalar.assign(n, std::nan(""));
    std::vector<int> count(n, 0);
    for (const StepSeries& s : v.series) {
      for (size_t i = 0; i < n; ++i) {
        if (!s.has[i]) continue;
        out.scalar[i] = ++count[i] == 1 ? s.v[i] : std::nan("");
      }
    }
    return out;
  }
  if (name == "vector") {
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    EvalValue out;
    out.type = ValueType::kVector;
    StepSeries s = EmptyLike(Labels(), n);
    s.v = v.scalar;
    s.has.assign(n, 1);
    out.series.push_back(std::move(s));
    return out;
  }
  if (name == "min_of" || name == "max_of") {
    ASSIGN_OR_RETURN(EvalValue a, ev.Eval(*c.args[0]));
    ASSIGN_OR_RETURN(EvalValue b, ev.Eval(*c.args[1]));
    for (size_t i = 0; i < n; ++i) {
      // Go's math.Min/math.Max: NaN in, NaN out.
      const double x = a.scalar[i], y = b.scalar[i];
      a.scalar[i] = std::isnan(x) || std::isnan(y) ? std::nan("")
                    : name == "min_of"             ? std::min(x, y)
                                                   : std::max(x, y);
    }
    return a;
  }
  if (name == "pi") {
    EvalValue out;
    out.type = ValueType::kScalar;
    out.scalar.assign(n, M_PI);
    return out;
  }
  if (name == "sort" || name == "sort_desc") {
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    if (n == 1) {
      const bool desc = name == "sort_desc";
      std::stable_sort(v.series.begin(), v.series.end(),
                       [desc](const StepSeries& a, const StepSeries& b) {
                         return SortLess(desc, a.v[0], b.v[0]);
                       });
    }
    return v;
  }
  return absl::NotFoundError("");
}

}  // namespace sundial::promql
