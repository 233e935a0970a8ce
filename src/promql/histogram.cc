// histogram_quantile over classic (le-bucketed) histograms.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "base/status_macros.h"
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

// Prometheus' BucketQuantile for classic buckets.
double BucketQuantile(double q, std::vector<Bucket>& b) {
  if (std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  std::sort(b.begin(), b.end(), [](const Bucket& x, const Bucket& y) { return x.upper < y.upper; });
  if (b.empty() || !std::isinf(b.back().upper) || b.back().upper < 0) return std::nan("");
  // Merge buckets with the same upper bound.
  std::vector<Bucket> m;
  for (const Bucket& x : b) {
    if (!m.empty() && m.back().upper == x.upper) {
      m.back().count += x.count;
    } else {
      m.push_back(x);
    }
  }
  double prev = m[0].count;
  for (size_t i = 1; i < m.size(); ++i) {
    double cur = m[i].count;
    if (cur == prev) continue;
    if (AlmostEqual(prev, cur, 1e-12) || cur < prev) {
      m[i].count = prev;
      continue;
    }
    prev = cur;
  }
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

bool ParseLe(std::string_view s, double* out) {
  std::string str(s);
  if (str.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(str.c_str(), &end);
  return end == str.c_str() + str.size() && !std::isnan(*out);
}

}  // namespace

absl::StatusOr<EvalValue> CallHistogramFunction(Evaluator& ev, const Call& c) {
  if (c.func->name != "histogram_quantile") return absl::NotFoundError("");
  const size_t n = ev.grid().n;
  ASSIGN_OR_RETURN(EvalValue phi, ev.Eval(*c.args[0]));
  ASSIGN_OR_RETURN(EvalValue in, ev.Eval(*c.args[1]));
  struct Group {
    std::vector<std::pair<double, size_t>> members;  // (le, series index)
  };
  std::vector<Group> groups;
  std::vector<Labels> group_labels;
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t k = 0; k < in.series.size(); ++k) {
    double le = 0;
    if (!ParseLe(in.series[k].labels.Get("le"), &le)) continue;
    Labels gl = LabelsBuilder(in.series[k].labels).Del("le").Build();
    auto [it, inserted] = index.try_emplace(std::string(gl.Bytes()), groups.size());
    if (inserted) {
      groups.emplace_back();
      group_labels.push_back(std::move(gl));
    }
    groups[it->second].members.emplace_back(le, k);
  }
  EvalValue out;
  out.type = ValueType::kVector;
  std::vector<Bucket> buckets;
  for (size_t g = 0; g < groups.size(); ++g) {
    StepSeries s = EmptyLike(group_labels[g], n);
    s.drop_name = true;
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      buckets.clear();
      for (auto [le, k] : groups[g].members) {
        if (in.series[k].has[i]) buckets.push_back(Bucket{le, in.series[k].v[i]});
      }
      if (buckets.empty()) continue;
      s.v[i] = BucketQuantile(phi.scalar[i], buckets);
      s.has[i] = 1;
      any = true;
    }
    if (any) out.series.push_back(std::move(s));
  }
  return out;
}

}  // namespace sundial::promql
