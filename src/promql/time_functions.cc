// time, timestamp, the date functions and start/end/range/step.
#include <cmath>

#include "base/status_macros.h"
#include "promql/evaluator.h"
#include "promql/functions.h"

namespace sundial::promql {
namespace {

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, weekday, yday;
};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// UTC calendar fields of t seconds since the epoch (Howard Hinnant's civil_from_days).
Civil ToCivil(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t secs = t - days * 86400;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  static const unsigned kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  unsigned yday = kCum[m - 1] + d + (m > 2 && IsLeap(y) ? 1 : 0);
  unsigned wd = static_cast<unsigned>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  return Civil{
      y,  m,   d, static_cast<unsigned>(secs / 3600), static_cast<unsigned>(secs % 3600 / 60),
      wd, yday};
}

double DateField(std::string_view name, double v) {
  if (std::isnan(v) || std::isinf(v)) return std::nan("");
  Civil c = ToCivil(static_cast<int64_t>(v));
  if (name == "minute") return c.minute;
  if (name == "hour") return c.hour;
  if (name == "day_of_week") return c.weekday;
  if (name == "day_of_month") return c.day;
  if (name == "day_of_year") return c.yday;
  if (name == "month") return c.month;
  if (name == "year") return static_cast<double>(c.year);
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[c.month - 1] + (c.month == 2 && IsLeap(c.year) ? 1 : 0);  // days_in_month
}

EvalValue ScalarOf(size_t n, double (*f)(const Grid&, const QueryContext&, size_t),
                   const Evaluator& ev) {
  EvalValue out;
  out.type = ValueType::kScalar;
  out.scalar.resize(n);
  for (size_t i = 0; i < n; ++i) out.scalar[i] = f(ev.grid(), *ev.ctx(), i);
  return out;
}

}  // namespace

absl::StatusOr<EvalValue> CallTimeFunction(Evaluator& ev, const Call& c) {
  const std::string_view name = c.func->name;
  const size_t n = ev.grid().n;
  if (name == "time") {
    return ScalarOf(
        n, [](const Grid& g, const QueryContext&, size_t i) { return g.T(i) / 1000.0; }, ev);
  }
  if (name == "start") {
    return ScalarOf(
        n, [](const Grid&, const QueryContext& q, size_t) { return q.query_start / 1000.0; }, ev);
  }
  if (name == "end") {
    return ScalarOf(
        n, [](const Grid&, const QueryContext& q, size_t) { return q.query_end / 1000.0; }, ev);
  }
  if (name == "range") {
    return ScalarOf(
        n,
        [](const Grid&, const QueryContext& q, size_t) {
          return (q.query_end - q.query_start) / 1000.0;
        },
        ev);
  }
  if (name == "step") {
    return ScalarOf(
        n, [](const Grid&, const QueryContext& q, size_t) { return q.query_step / 1000.0; }, ev);
  }
  if (name == "timestamp") {
    const Expr* arg = c.args[0].get();
    while (arg->kind == Kind::kParen) arg = static_cast<const ParenExpr*>(arg)->expr.get();
    if (arg->kind == Kind::kVectorSelector) {
      ASSIGN_OR_RETURN(EvalValue v,
                       ev.EvalVectorSelector(static_cast<const VectorSelector&>(*arg), true));
      for (StepSeries& s : v.series) s.drop_name = true;
      return v;
    }
    ASSIGN_OR_RETURN(EvalValue v, ev.Eval(*c.args[0]));
    for (StepSeries& s : v.series) {
      s.drop_name = true;
      for (size_t i = 0; i < n; ++i) s.v[i] = ev.grid().T(i) / 1000.0;
    }
    return v;
  }
  static constexpr std::string_view kDateFns[] = {"minute",       "hour",         "day_of_week",
                                                  "day_of_month", "day_of_year",  "month",
                                                  "year",         "days_in_month"};
  for (std::string_view fn : kDateFns) {
    if (fn != name) continue;
    EvalValue v;
    if (c.args.empty()) {
      v.type = ValueType::kVector;
      StepSeries s = EmptyLike(Labels(), n);
      for (size_t i = 0; i < n; ++i) {
        s.v[i] = ev.grid().T(i) / 1000.0;
        s.has[i] = 1;
      }
      v.series.push_back(std::move(s));
    } else {
      ASSIGN_OR_RETURN(v, ev.Eval(*c.args[0]));
    }
    for (StepSeries& s : v.series) {
      s.drop_name = true;
      for (size_t i = 0; i < n; ++i) {
        if (s.has[i]) s.v[i] = DateField(name, s.v[i]);
      }
    }
    return v;
  }
  return absl::NotFoundError("");
}

}  // namespace sundial::promql
