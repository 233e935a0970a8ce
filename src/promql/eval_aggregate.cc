// Aggregation operators: groups are computed once per series for the whole grid, then every
// step folds the group members present at that step.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "promql/aggregate_fold.h"
#include "promql/evaluator.h"

namespace sundial::promql {
namespace {

struct Group {
  Labels labels;
  std::vector<size_t> members;  // indices into the input series, in input order
};

}  // namespace

double Quantile(double phi, std::vector<double>& vals) {
  if (vals.empty() || std::isnan(phi)) return std::nan("");
  if (phi < 0) return -INFINITY;
  if (phi > 1) return INFINITY;
  double n = static_cast<double>(vals.size());
  double rank = phi * (n - 1);
  size_t lower = static_cast<size_t>(std::max(0.0, std::floor(rank)));
  size_t upper = std::min(vals.size() - 1, lower + 1);
  double weight = rank - std::floor(rank);
  // The values at positions lower and upper of the sorted order, NaN sorting as the smallest
  // value as in Prometheus, without sorting the rest.
  auto less = [](double a, double b) { return std::isnan(a) ? !std::isnan(b) : a < b; };
  const auto at_lower = vals.begin() + static_cast<std::ptrdiff_t>(lower);
  std::nth_element(vals.begin(), at_lower, vals.end(), less);
  const double lo = *at_lower;
  const double hi = upper == lower ? lo : *std::min_element(at_lower + 1, vals.end(), less);
  return lo * (1 - weight) + hi * weight;
}

double AggregateFold(AggregateOp op, const std::vector<double>& vals, double param) {
  if (op == AggregateOp::kQuantile) {
    std::vector<double> copy = vals;
    return Quantile(param, copy);
  }
  if (!FoldsStepwise(op)) return 0;
  StepFold fold;
  for (double v : vals) fold.Add(op, v);
  return fold.Result(op);
}

namespace {

// Whether a sorts before b in topk (descending, NaN last) or bottomk (ascending, NaN last).
bool KBefore(bool top, double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return top ? a > b : a < b;
}

}  // namespace

absl::StatusOr<bool> Evaluator::CheckAggregateParam(const AggregateExpr& agg,
                                                    const EvalValue& param) const {
  const AggregateOp op = agg.op;
  const bool k_op =
      op == AggregateOp::kTopk || op == AggregateOp::kBottomk || op == AggregateOp::kLimitk;
  if (!k_op && op != AggregateOp::kLimitRatio && op != AggregateOp::kQuantile) return false;
  bool any_nan = false;
  double lo = INFINITY, hi = -INFINITY;  // over the non-NaN values
  for (double p : param.scalar) {
    if (std::isnan(p)) {
      any_nan = true;
    } else {
      lo = std::min(lo, p);
      hi = std::max(hi, p);
    }
  }
  // Prometheus' Min/Max of the parameter series see NaN as NaN only when every value is.
  if (hi == -INFINITY && any_nan) lo = hi = std::nan("");
  const PosRange pos = agg.param->pos;
  if (k_op) {
    if (hi < 1) return true;
    if (any_nan) return absl::InvalidArgumentError("Parameter value is NaN");
    if (lo <= -9.223372036854775808e18) {
      return absl::InvalidArgumentError(
          StrCat("Scalar value ", FormatFloatG(lo), " underflows int64"));
    }
    if (hi >= 9.223372036854775808e18) {
      return absl::InvalidArgumentError(
          StrCat("Scalar value ", FormatFloatG(hi), " overflows int64"));
    }
  } else if (op == AggregateOp::kLimitRatio) {
    if (hi == 0 && lo == 0) return true;
    if (any_nan) return absl::InvalidArgumentError("Ratio value is NaN");
    if (hi > 1) {
      Warn(StrCat("ratio value should be between -1 and 1, got ", FormatFloatG(hi),
                  ", capping to 1"),
           pos);
    }
    if (lo < -1) {
      Warn(StrCat("ratio value should be between -1 and 1, got ", FormatFloatG(lo),
                  ", capping to -1"),
           pos);
    }
  } else {
    if (any_nan) CheckQuantile(*this, std::nan(""), pos);
    if (hi > 1) CheckQuantile(*this, hi, pos);
    if (lo < 0) CheckQuantile(*this, lo, pos);
  }
  return false;
}

namespace {

// sum, count, group, min and max over a stream of series: each member is folded into its
// group over all steps as it arrives (each step still sees the members in input order).
absl::StatusOr<EvalValue> FoldStream(Evaluator& ev, const AggregateExpr& agg) {
  const size_t n = ev.grid().n;
  const AggregateOp op = agg.op;
  EvalValue out;
  out.type = ValueType::kVector;
  std::vector<std::vector<double>> comps;  // Kahan compensation per group (sum)
  absl::flat_hash_map<std::string, size_t> index;
  std::string key;
  RETURN_IF_ERROR(ev.StreamSeries(*agg.expr, [&](const StepSeriesView& s) {
    GroupKey(agg, s.labels, &key);
    auto [it, inserted] = index.try_emplace(key, out.series.size());
    if (inserted) {
      out.series.push_back(EmptyLike(GroupLabels(agg, s.labels), n));
      if (op == AggregateOp::kSum) comps.emplace_back(n, 0.0);
    }
    StepSeries& o = out.series[it->second];
    double* comp = op == AggregateOp::kSum ? comps[it->second].data() : nullptr;
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      if (!s.has[i]) continue;
      any = true;
      const double v = s.v[i];
      const bool first = !o.has[i];
      o.has[i] = 1;
      switch (op) {
        case AggregateOp::kSum:
          if (first) o.v[i] = 0;
          KahanAdd(v, &o.v[i], &comp[i]);
          break;
        case AggregateOp::kCount:
          o.v[i] = first ? 1 : o.v[i] + 1;
          break;
        case AggregateOp::kGroup:
          o.v[i] = 1;
          break;
        default: {  // min, max
          double& r = o.v[i];
          if (first) {
            r = v;
          } else if ((op == AggregateOp::kMax ? r < v : r > v) || std::isnan(r)) {
            r = v;
          }
          break;
        }
      }
    }
    // Delayed name removal: a group keeps a to-be-dropped __name__ (by (__name__)) only if
    // none of its members drops it.
    if (any) o.drop_name = o.drop_name || s.drop_name;
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(ev.CheckInterrupt());
  if (op == AggregateOp::kSum) {
    for (size_t g = 0; g < out.series.size(); ++g) {
      StepSeries& o = out.series[g];
      for (size_t i = 0; i < n; ++i) {
        if (o.has[i] && !std::isinf(o.v[i])) o.v[i] += comps[g][i];
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<EvalValue> Evaluator::EvalAggregate(const AggregateExpr& agg) {
  const AggregateOp op = agg.op;
  if (op == AggregateOp::kSum || op == AggregateOp::kCount || op == AggregateOp::kGroup ||
      op == AggregateOp::kMin || op == AggregateOp::kMax) {
    return FoldStream(*this, agg);
  }
  EvalValue param;
  if (agg.param != nullptr) {
    ASSIGN_OR_RETURN(param, Eval(*agg.param));
  }
  ASSIGN_OR_RETURN(EvalValue in, Eval(*agg.expr));
  const size_t n = grid_.n;
  EvalValue out;
  out.type = ValueType::kVector;
  ASSIGN_OR_RETURN(bool empty, CheckAggregateParam(agg, param));
  if (empty) return out;

  std::vector<Group> groups;
  absl::flat_hash_map<std::string, size_t> index;
  std::string key;  // the kept name/value pairs, each length-prefixed
  for (size_t i = 0; i < in.series.size(); ++i) {
    GroupKey(agg, in.series[i].labels, &key);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, groups.size()).first;
      groups.push_back(Group{GroupLabels(agg, in.series[i].labels), {}});
    }
    groups[it->second].members.push_back(i);
  }

  if (op == AggregateOp::kCountValues) {
    const std::string& label = param.str;
    if (!Labels({{label, "x"}}).Has(label) || label.empty()) {
      return absl::InvalidArgumentError(StrCat("invalid label name \"", label, "\""));
    }
    for (const Group& g : groups) {
      absl::flat_hash_map<std::string, size_t> by_value;
      std::vector<StepSeries> made;
      for (size_t i = 0; i < n; ++i) {
        for (size_t m : g.members) {
          const StepSeries& s = in.series[m];
          if (!s.has[i]) continue;
          std::string value = FormatFloat(s.v[i]);
          auto [it, inserted] = by_value.try_emplace(value, made.size());
          if (inserted) {
            made.push_back(EmptyLike(LabelsBuilder(g.labels).Set(label, value).Build(), n));
          }
          StepSeries& o = made[it->second];
          o.v[i] = o.has[i] ? o.v[i] + 1 : 1;
          o.has[i] = 1;
        }
      }
      for (StepSeries& s : made) out.series.push_back(std::move(s));
    }
    return out;
  }

  if (op == AggregateOp::kTopk || op == AggregateOp::kBottomk || op == AggregateOp::kLimitk ||
      op == AggregateOp::kLimitRatio) {
    // Output keeps the input series; a series is present at the steps where it was selected.
    std::vector<StepSeries> selected(in.series.size());
    std::vector<std::vector<size_t>> order;  // instant queries: output order per group
    for (size_t k = 0; k < in.series.size(); ++k) {
      selected[k] = EmptyLike(in.series[k].labels, n);
      selected[k].drop_name = in.series[k].drop_name;
    }
    std::vector<size_t> picked;
    for (const Group& g : groups) {
      for (size_t i = 0; i < n; ++i) {
        double p = param.scalar[i];
        picked.clear();
        for (size_t m : g.members) {
          if (in.series[m].has[i]) picked.push_back(m);
        }
        if (op == AggregateOp::kLimitRatio) {
          p = std::clamp(p, -1.0, 1.0);
          std::erase_if(picked, [&](size_t m) {
            double off = static_cast<double>(in.series[m].labels.Hash()) /
                         static_cast<double>(std::numeric_limits<uint64_t>::max());
            return !((p >= 0 && off < p) || (p < 0 && off >= 1.0 + p));
          });
        } else {
          double kf = std::min(p, 9.2e18);
          int64_t k = kf < 1 ? 0 : static_cast<int64_t>(kf);
          const size_t keep =
              static_cast<int64_t>(picked.size()) > k ? static_cast<size_t>(k) : picked.size();
          if (op != AggregateOp::kLimitk) {
            // The first `keep` of a stable sort (picked is in input order, so ties go to the
            // earlier series), in O(members log k).
            bool top = op == AggregateOp::kTopk;
            std::partial_sort(picked.begin(), picked.begin() + static_cast<std::ptrdiff_t>(keep),
                              picked.end(), [&](size_t a, size_t b) {
                                const double va = in.series[a].v[i], vb = in.series[b].v[i];
                                if (KBefore(top, va, vb)) return true;
                                return !KBefore(top, vb, va) && a < b;
                              });
          }
          picked.resize(keep);
        }
        for (size_t m : picked) {
          selected[m].v[i] = in.series[m].v[i];
          selected[m].has[i] = 1;
        }
        if (n == 1) order.push_back(picked);
      }
    }
    if (n == 1) {
      for (const std::vector<size_t>& grp : order) {
        for (size_t m : grp) out.series.push_back(std::move(selected[m]));
      }
    } else {
      for (StepSeries& s : selected) {
        if (std::find(s.has.begin(), s.has.end(), 1) != s.has.end()) {
          out.series.push_back(std::move(s));
        }
      }
    }
    return out;
  }

  std::vector<double> vals;
  for (const Group& g : groups) {
    RETURN_IF_ERROR(CheckInterrupt());
    StepSeries o = EmptyLike(g.labels, n);
    for (size_t i = 0; i < n; ++i) {
      vals.clear();
      for (size_t m : g.members) {
        if (!in.series[m].has[i]) continue;
        vals.push_back(in.series[m].v[i]);
        // Delayed name removal: a group keeps a to-be-dropped __name__ (by (__name__)) only if
        // none of its members drops it.
        o.drop_name = o.drop_name || in.series[m].drop_name;
      }
      if (vals.empty()) continue;
      o.v[i] = AggregateFold(op, vals, op == AggregateOp::kQuantile ? param.scalar[i] : 0);
      o.has[i] = 1;
    }
    out.series.push_back(std::move(o));
  }
  return out;
}

}  // namespace sundial::promql
