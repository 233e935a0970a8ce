// histogram_quantile, histogram_quantiles and histogram_fraction over classic (le-bucketed)
// histograms, with Prometheus' annotations (invalid quantile, malformed le, forced
// monotonicity).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "promql/evaluator.h"
#include "promql/functions.h"

namespace sundial::promql {
namespace {

struct Bucket {
  double upper = 0;
  double count = 0;
};

bool AlmostEqual(double a, double b, double eps) {
  if (a == b) return true;
  double sum = std::fabs(a) + std::fabs(b);
  if (a == 0 || b == 0 || sum < 2.2250738585072014e-308) {
    return std::fabs(a - b) < eps * 2.2250738585072014e-308;
  }
  return std::fabs(a - b) / std::min(sum, 1.7976931348623157e308) < eps;
}

// Where monotonicity had to be forced in one bucket set.
struct Forced {
  bool forced = false;
  double min_bucket = INFINITY;
  double max_bucket = -INFINITY;
  double max_diff = 0;
};

// Sorts by upper bound and merges buckets with the same bound. Returns false (no value) when the
// highest bucket is not +Inf.
bool SortAndCoalesce(std::vector<Bucket>& b) {
  std::sort(b.begin(), b.end(), [](const Bucket& x, const Bucket& y) { return x.upper < y.upper; });
  if (b.empty() || !(std::isinf(b.back().upper) && b.back().upper > 0)) return false;
  size_t out = 0;
  for (size_t k = 1; k < b.size(); ++k) {
    if (b[k].upper == b[out].upper) {
      b[out].count += b[k].count;
    } else {
      b[++out] = b[k];
    }
  }
  b.resize(out + 1);
  return true;
}

// Removes decreases between consecutive cumulative counts (silently when they are only
// floating-point noise), recording where a real decrease was flattened.
Forced EnsureMonotonic(std::vector<Bucket>& m) {
  Forced f;
  double prev = m[0].count;
  for (size_t i = 1; i < m.size(); ++i) {
    const double cur = m[i].count;
    if (cur == prev) continue;
    if (AlmostEqual(prev, cur, 1e-12)) {
      m[i].count = prev;
      continue;
    }
    if (cur < prev) {
      m[i].count = prev;
      f.forced = true;
      f.min_bucket = std::min(f.min_bucket, m[i].upper);
      f.max_bucket = std::max(f.max_bucket, m[i].upper);
      f.max_diff = std::max(f.max_diff, prev - cur);
      continue;
    }
    prev = cur;
  }
  return f;
}

// Prometheus' BucketQuantile for classic buckets.
double BucketQuantile(double q, std::vector<Bucket>& b, Forced* forced) {
  if (std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  if (!SortAndCoalesce(b)) return std::nan("");
  *forced = EnsureMonotonic(b);
  const std::vector<Bucket>& m = b;
  if (m.size() < 2) return std::nan("");
  double obs = m.back().count;
  if (obs == 0) return std::nan("");
  double rank = q * obs;
  size_t k = 0;
  while (k < m.size() - 1 && !(m[k].count >= rank)) ++k;
  if (k == m.size() - 1) return m[m.size() - 2].upper;
  if (k == 0 && m[0].upper <= 0) return m[0].upper;
  double start = 0, end = m[k].upper, count = m[k].count;
  if (k > 0) {
    start = m[k - 1].upper;
    count -= m[k - 1].count;
    rank -= m[k - 1].count;
  }
  return start + (end - start) * (rank / count);
}

// Prometheus' BucketFraction: the estimated share of observations in [lower, upper].
double BucketFraction(double lower, double upper, std::vector<Bucket>& b) {
  if (!SortAndCoalesce(b)) return std::nan("");
  const double count = b.back().count;
  if (count == 0 || std::isnan(lower) || std::isnan(upper)) return std::nan("");
  if (lower >= upper) return 0;
  double rank = 0, lower_rank = 0, upper_rank = 0;
  bool lower_set = false, upper_set = false;
  // Positive buckets only: the first bucket starts at 0; otherwise at -Inf.
  double lo = b[0].upper <= 0 ? -INFINITY : 0.0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i > 0) lo = b[i - 1].upper;
    const double hi = b[i].upper;
    auto interpolate = [&](double v) {
      if (std::isinf(lo) && lo < 0) return b[i].count;  // no interpolation in (-Inf, hi]
      return rank + (b[i].count - rank) * (v - lo) / (hi - lo);
    };
    if (!lower_set && lo >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && lo >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && lo < lower && hi > lower) {
      lower_rank = interpolate(lower);
      lower_set = true;
    }
    if (!upper_set && lo < upper && hi > upper) {
      upper_rank = interpolate(upper);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank = b[i].count;
  }
  if (!lower_set || lower_rank > count) lower_rank = count;
  if (!upper_set || upper_rank > count) upper_rank = count;
  return (upper_rank - lower_rank) / count;
}

// Go's strconv.ParseFloat on an le label value (accepts Inf and NaN spellings).
bool ParseLe(std::string_view s, double* out) {
  std::string str(s);
  if (str.empty() || std::isspace(static_cast<unsigned char>(str[0]))) return false;
  char* end = nullptr;
  *out = std::strtod(str.c_str(), &end);
  return end == str.c_str() + str.size();
}

// Go's %v of a float in labels.FormatOpenMetricsFloat style: "1.0", "0.25", "NaN", "+Inf".
std::string FormatOpenMetricsFloat(double f) {
  std::string s = FormatFloatG(f);
  if (std::isnan(f) || std::isinf(f)) return s;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// RFC 3339 (UTC, seconds) of a millisecond timestamp.
std::string Rfc3339(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The forced-monotonicity info of one metric name, merged over series and steps.
struct MonotonicityNote {
  int64_t min_ts = 0, max_ts = 0;
  double min_bucket = INFINITY, max_bucket = -INFINITY, max_diff = 0;
  int count = 0;
};

// The classic histograms of a vector: series grouped by their labels without le.
struct ClassicGroups {
  std::vector<Labels> labels;                             // per group, le removed
  std::vector<std::vector<std::pair<double, size_t>>> m;  // (le, series index)
};

ClassicGroups GroupBuckets(const Evaluator& ev, const EvalValue& in, PosRange pos) {
  ClassicGroups g;
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t k = 0; k < in.series.size(); ++k) {
    const Labels& l = in.series[k].labels;
    double le = 0;
    if (!ParseLe(l.Get("le"), &le)) {
      std::string what = StrCat("bucket label \"le\" is missing or has a malformed value of \"",
                                l.Get("le"), "\"");
      if (!l.MetricName().empty()) StrAppend(&what, " for metric name \"", l.MetricName(), "\"");
      ev.Warn(what, pos);
      continue;
    }
    Labels gl = LabelsBuilder(l).Del("le").Build();
    auto [it, inserted] = index.try_emplace(std::string(gl.Bytes()), g.m.size());
    if (inserted) {
      g.m.emplace_back();
      g.labels.push_back(std::move(gl));
    }
    g.m[it->second].emplace_back(le, k);
  }
  return g;
}

// The buckets of group `members` present at step i.
void BucketsAt(const EvalValue& in, const std::vector<std::pair<double, size_t>>& members, size_t i,
               std::vector<Bucket>* out) {
  out->clear();
  for (auto [le, k] : members) {
    if (in.series[k].has[i]) out->push_back(Bucket{le, in.series[k].v[i]});
  }
}

class Monotonicity {
 public:
  void Note(const Labels& group, int64_t t, const Forced& f) {
    if (!f.forced) return;
    auto [it, inserted] = notes_.try_emplace(std::string(group.MetricName()));
    MonotonicityNote& n = it->second;
    if (inserted) {
      n.min_ts = n.max_ts = t;
    } else {
      n.min_ts = std::min(n.min_ts, t);
      n.max_ts = std::max(n.max_ts, t);
      ++n.count;
    }
    n.min_bucket = std::min(n.min_bucket, f.min_bucket);
    n.max_bucket = std::max(n.max_bucket, f.max_bucket);
    n.max_diff = std::max(n.max_diff, f.max_diff);
  }

  void Report(const Evaluator& ev, PosRange pos) const {
    for (const auto& [name, n] : notes_) {
      std::string what =
          "input to histogram_quantile needed to be fixed for monotonicity (see "
          "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)";
      if (!name.empty()) StrAppend(&what, " for metric name \"", name, "\"");
      char diff[32];
      std::snprintf(diff, sizeof diff, "%.2g", n.max_diff);
      StrAppend(&what, ", from buckets ", FormatFloatG(n.min_bucket), " to ",
                FormatFloatG(n.max_bucket), ", with a max diff of ", diff, ", over ", n.count + 1,
                " samples from ", Rfc3339(n.min_ts), " to ", Rfc3339(n.max_ts));
      ev.Info(what, pos);
    }
  }

 private:
  std::map<std::string, MonotonicityNote> notes_;
};

// histogram_quantile(q, v) and histogram_quantiles(v, label, q...): one output series per
// (quantile, group); `label` empty for histogram_quantile.
absl::StatusOr<EvalValue> Quantiles(Evaluator& ev, const EvalValue& in, PosRange in_pos,
                                    const std::vector<EvalValue>& qs,
                                    const std::vector<PosRange>& q_pos, const std::string& label,
                                    PosRange info_pos) {
  const size_t n = ev.grid().n;
  for (size_t j = 0; j < qs.size(); ++j) {
    for (size_t i = 0; i < n; ++i) CheckQuantile(ev, qs[j].scalar[i], q_pos[j]);
  }
  ClassicGroups g = GroupBuckets(ev, in, in_pos);
  EvalValue out;
  out.type = ValueType::kVector;
  Monotonicity mono;
  std::vector<Bucket> buckets;
  for (size_t j = 0; j < qs.size(); ++j) {
    // Output labels per distinct quantile value; a range query can vary q over steps.
    std::map<std::string, size_t> by_label;  // label value -> output index for this j
    for (size_t gi = 0; gi < g.m.size(); ++gi) {
      by_label.clear();
      for (size_t i = 0; i < n; ++i) {
        BucketsAt(in, g.m[gi], i, &buckets);
        if (buckets.empty()) continue;
        const double q = qs[j].scalar[i];
        Forced forced;
        const double v = BucketQuantile(q, buckets, &forced);
        mono.Note(g.labels[gi], ev.grid().T(i), forced);
        std::string key = label.empty() ? "" : FormatOpenMetricsFloat(q);
        auto [it, inserted] = by_label.try_emplace(key, out.series.size());
        if (inserted) {
          Labels l =
              label.empty() ? g.labels[gi] : LabelsBuilder(g.labels[gi]).Set(label, key).Build();
          out.series.push_back(EmptyLike(l, n));
          out.series.back().drop_name = true;
        }
        StepSeries& s = out.series[it->second];
        s.v[i] = v;
        s.has[i] = 1;
      }
    }
  }
  mono.Report(ev, info_pos);
  return out;
}

}  // namespace

absl::StatusOr<EvalValue> CallHistogramFunction(Evaluator& ev, const Call& c) {
  const std::string_view name = c.func->name;
  const size_t n = ev.grid().n;
  if (name == "histogram_quantile") {
    ASSIGN_OR_RETURN(EvalValue phi, ev.Eval(*c.args[0]));
    ASSIGN_OR_RETURN(EvalValue in, ev.Eval(*c.args[1]));
    return Quantiles(ev, in, c.args[1]->pos, {phi}, {c.args[0]->pos}, "", c.args[1]->pos);
  }
  if (name == "histogram_quantiles") {
    ASSIGN_OR_RETURN(EvalValue in, ev.Eval(*c.args[0]));
    const Expr& lit = UnwrapParens(*c.args[1]);
    const std::string label = static_cast<const StringLiteral&>(lit).value;
    std::vector<EvalValue> qs;
    std::vector<PosRange> pos;
    for (size_t k = 2; k < c.args.size(); ++k) {
      ASSIGN_OR_RETURN(EvalValue q, ev.Eval(*c.args[k]));
      qs.push_back(std::move(q));
      pos.push_back(c.args[k]->pos);
    }
    return Quantiles(ev, in, c.args[0]->pos, qs, pos, label, c.args[0]->pos);
  }
  if (name == "histogram_fraction") {
    ASSIGN_OR_RETURN(EvalValue lower, ev.Eval(*c.args[0]));
    ASSIGN_OR_RETURN(EvalValue upper, ev.Eval(*c.args[1]));
    ASSIGN_OR_RETURN(EvalValue in, ev.Eval(*c.args[2]));
    ClassicGroups g = GroupBuckets(ev, in, c.args[2]->pos);
    EvalValue out;
    out.type = ValueType::kVector;
    std::vector<Bucket> buckets;
    for (size_t gi = 0; gi < g.m.size(); ++gi) {
      StepSeries s = EmptyLike(g.labels[gi], n);
      s.drop_name = true;
      bool any = false;
      for (size_t i = 0; i < n; ++i) {
        BucketsAt(in, g.m[gi], i, &buckets);
        if (buckets.empty()) continue;
        s.v[i] = BucketFraction(lower.scalar[i], upper.scalar[i], buckets);
        s.has[i] = 1;
        any = true;
      }
      if (any) out.series.push_back(std::move(s));
    }
    return out;
  }
  return absl::NotFoundError("");
}

}  // namespace sundial::promql
