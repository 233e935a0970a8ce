// Binary operators: arithmetic and comparisons with Go float semantics, vector matching
// (one-to-one, many-to-one, one-to-many) and the set operators.
#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "promql/evaluator.h"

namespace sundial::promql {
namespace {

// Returns the result of l op r and whether the element is kept (comparisons filter).
std::pair<double, bool> ElemOp(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd:
      return {l + r, true};
    case BinaryOp::kSub:
      return {l - r, true};
    case BinaryOp::kMul:
      return {l * r, true};
    case BinaryOp::kDiv:
      return {l / r, true};
    case BinaryOp::kMod:
      return {std::fmod(l, r), true};
    case BinaryOp::kPow:
      return {std::pow(l, r), true};
    case BinaryOp::kAtan2:
      return {std::atan2(l, r), true};
    case BinaryOp::kEql:
      return {l, l == r};
    case BinaryOp::kNeq:
      return {l, l != r};
    case BinaryOp::kLss:
      return {l, l < r};
    case BinaryOp::kLte:
      return {l, l <= r};
    case BinaryOp::kGtr:
      return {l, l > r};
    case BinaryOp::kGte:
      return {l, l >= r};
    default:
      return {0, false};
  }
}

bool DropsName(BinaryOp op) { return !IsComparison(op) && !IsSetOperator(op); }

// The labels two series are matched on.
Labels MatchLabels(const VectorMatching& m, const Labels& l) {
  auto listed = [&m](std::string_view name) {
    return std::find(m.labels.begin(), m.labels.end(), name) != m.labels.end();
  };
  if (m.on) return FilterLabels(l, listed);
  return FilterLabels(
      l, [&](std::string_view name) { return name != kMetricNameLabel && !listed(name); });
}

// ApplyScalar for one operator, so that the operation inlines into the loop.
template <BinaryOp kOp>
bool ApplyScalarOp(bool swap, bool return_bool, const std::vector<double>& sc,
                   std::span<double> vals, std::span<uint8_t> has) {
  constexpr bool kComparison = kOp >= BinaryOp::kEql && kOp <= BinaryOp::kGte;
  bool any = false;
  for (size_t i = 0; i < vals.size(); ++i) {
    if (!has[i]) continue;
    double l = vals[i], r = sc[i];
    if (swap) std::swap(l, r);
    auto [v, keep] = ElemOp(kOp, l, r);
    if (kComparison && swap) v = vals[i];
    if (return_bool) {
      v = keep ? 1 : 0;
    } else if (!keep) {
      has[i] = 0;
      continue;
    }
    vals[i] = v;
    any = true;
  }
  return any;
}

// Applies `vector op scalar` (or `scalar op vector` when swap) to one series' values in place;
// comparisons without bool clear has where they filter. Returns whether any value is left.
bool ApplyScalar(const BinaryExpr& b, bool swap, const std::vector<double>& sc,
                 std::span<double> vals, std::span<uint8_t> has) {
  const bool rb = b.return_bool;
  switch (b.op) {
    case BinaryOp::kAdd:
      return ApplyScalarOp<BinaryOp::kAdd>(swap, rb, sc, vals, has);
    case BinaryOp::kSub:
      return ApplyScalarOp<BinaryOp::kSub>(swap, rb, sc, vals, has);
    case BinaryOp::kMul:
      return ApplyScalarOp<BinaryOp::kMul>(swap, rb, sc, vals, has);
    case BinaryOp::kDiv:
      return ApplyScalarOp<BinaryOp::kDiv>(swap, rb, sc, vals, has);
    case BinaryOp::kMod:
      return ApplyScalarOp<BinaryOp::kMod>(swap, rb, sc, vals, has);
    case BinaryOp::kPow:
      return ApplyScalarOp<BinaryOp::kPow>(swap, rb, sc, vals, has);
    case BinaryOp::kAtan2:
      return ApplyScalarOp<BinaryOp::kAtan2>(swap, rb, sc, vals, has);
    case BinaryOp::kEql:
      return ApplyScalarOp<BinaryOp::kEql>(swap, rb, sc, vals, has);
    case BinaryOp::kNeq:
      return ApplyScalarOp<BinaryOp::kNeq>(swap, rb, sc, vals, has);
    case BinaryOp::kLss:
      return ApplyScalarOp<BinaryOp::kLss>(swap, rb, sc, vals, has);
    case BinaryOp::kLte:
      return ApplyScalarOp<BinaryOp::kLte>(swap, rb, sc, vals, has);
    case BinaryOp::kGtr:
      return ApplyScalarOp<BinaryOp::kGtr>(swap, rb, sc, vals, has);
    case BinaryOp::kGte:
      return ApplyScalarOp<BinaryOp::kGte>(swap, rb, sc, vals, has);
    default:  // set operators and trims never reach here (IsVectorScalar)
      std::fill(has.begin(), has.end(), 0);
      return false;
  }
}

// Whether b combines a vector with a scalar using an operator ApplyScalar handles.
bool IsVectorScalar(const BinaryExpr& b) {
  if (IsSetOperator(b.op) || b.op == BinaryOp::kTrimUpper || b.op == BinaryOp::kTrimLower) {
    return false;
  }
  return (b.lhs->Type() == ValueType::kScalar) != (b.rhs->Type() == ValueType::kScalar);
}

}  // namespace

absl::Status Evaluator::StreamBinary(const BinaryExpr& b, SeriesSink sink) {
  if (!IsVectorScalar(b)) {
    ASSIGN_OR_RETURN(EvalValue v, EvalBinary(b));
    for (const StepSeries& s : v.series) {
      RETURN_IF_ERROR(sink(StepSeriesView{s.labels, s.drop_name, s.v, s.has}));
    }
    return absl::OkStatus();
  }
  const bool swap = b.lhs->Type() == ValueType::kScalar;
  ASSIGN_OR_RETURN(EvalValue scalar, Eval(swap ? *b.lhs : *b.rhs));
  std::vector<double> v(grid_.n);
  std::vector<uint8_t> has(grid_.n);
  const bool drop = b.return_bool || DropsName(b.op);
  return StreamSeries(swap ? *b.rhs : *b.lhs, [&](const StepSeriesView& s) {
    std::copy(s.v.begin(), s.v.end(), v.begin());
    std::copy(s.has.begin(), s.has.end(), has.begin());
    if (!ApplyScalar(b, swap, scalar.scalar, v, has)) return absl::OkStatus();
    return sink(StepSeriesView{s.labels, s.drop_name || drop, v, has});
  });
}

absl::StatusOr<EvalValue> Evaluator::EvalBinary(const BinaryExpr& b) {
  ASSIGN_OR_RETURN(EvalValue lhs, Eval(*b.lhs));
  ASSIGN_OR_RETURN(EvalValue rhs, Eval(*b.rhs));
  const size_t n = grid_.n;
  const BinaryOp op = b.op;
  if (op == BinaryOp::kTrimUpper || op == BinaryOp::kTrimLower) {
    return absl::UnimplementedError("native histogram trimming is not supported");
  }

  if (lhs.type == ValueType::kScalar && rhs.type == ValueType::kScalar) {
    for (size_t i = 0; i < n; ++i) {
      auto [v, keep] = ElemOp(op, lhs.scalar[i], rhs.scalar[i]);
      lhs.scalar[i] = IsComparison(op) ? (keep ? 1 : 0) : v;
    }
    return lhs;
  }

  if (lhs.type == ValueType::kScalar || rhs.type == ValueType::kScalar) {
    const bool swap = lhs.type == ValueType::kScalar;
    EvalValue& vec = swap ? rhs : lhs;
    const std::vector<double>& sc = swap ? lhs.scalar : rhs.scalar;
    std::erase_if(vec.series, [&](StepSeries& s) {
      if (b.return_bool || DropsName(op)) s.drop_name = true;
      return !ApplyScalar(b, swap, sc, s.v, s.has);
    });
    return std::move(vec);
  }

  const VectorMatching matching = b.matching.value_or(VectorMatching{});
  std::vector<std::string> lsig(lhs.series.size()), rsig(rhs.series.size());
  for (size_t k = 0; k < lhs.series.size(); ++k) {
    lsig[k] = std::string(MatchLabels(matching, lhs.series[k].labels).Bytes());
  }
  for (size_t k = 0; k < rhs.series.size(); ++k) {
    rsig[k] = std::string(MatchLabels(matching, rhs.series[k].labels).Bytes());
  }

  EvalValue out;
  out.type = ValueType::kVector;
  if (IsSetOperator(op)) {
    absl::flat_hash_set<std::string_view> present;
    std::vector<StepSeries> l = std::move(lhs.series);
    for (size_t i = 0; i < n; ++i) {
      present.clear();
      const auto& side_sig = op == BinaryOp::kOr ? lsig : rsig;
      const auto& side = op == BinaryOp::kOr ? l : rhs.series;
      for (size_t k = 0; k < side.size(); ++k) {
        if (side[k].has[i]) present.insert(side_sig[k]);
      }
      if (op == BinaryOp::kOr) {
        for (size_t k = 0; k < rhs.series.size(); ++k) {
          if (rhs.series[k].has[i] && present.contains(rsig[k])) rhs.series[k].has[i] = 0;
        }
      } else {
        for (size_t k = 0; k < l.size(); ++k) {
          bool found = present.contains(lsig[k]);
          if (l[k].has[i] && found != (op == BinaryOp::kAnd)) l[k].has[i] = 0;
        }
      }
    }
    auto keep = [&](std::vector<StepSeries>& v) {
      for (StepSeries& s : v) {
        if (std::find(s.has.begin(), s.has.end(), 1) != s.has.end()) {
          out.series.push_back(std::move(s));
        }
      }
    };
    keep(l);
    if (op == BinaryOp::kOr) keep(rhs.series);
    return out;
  }

  // Arithmetic and comparisons. "one" is the side whose signatures must be unique.
  const bool swap = matching.card == VectorMatching::Card::kOneToMany;
  std::vector<StepSeries>& many = swap ? rhs.series : lhs.series;
  std::vector<StepSeries>& one = swap ? lhs.series : rhs.series;
  const std::vector<std::string>& many_sig = swap ? rsig : lsig;
  const std::vector<std::string>& one_sig = swap ? lsig : rsig;
  const bool one_to_one = matching.card == VectorMatching::Card::kOneToOne;

  // Values for a missing side (fill modifiers). As in Prometheus they apply after group_right
  // swapped the sides: fill_left stands in for the many side, fill_right for the one side.
  const std::optional<double> fill_many = matching.fill_lhs;
  const std::optional<double> fill_one = matching.fill_rhs;
  constexpr size_t kNone = static_cast<size_t>(-1);
  absl::flat_hash_map<std::pair<size_t, size_t>, size_t> pair_out;
  absl::flat_hash_map<std::string, size_t> out_by_labels;
  absl::flat_hash_map<std::string_view, size_t> one_at;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> matched;
  for (size_t i = 0; i < n; ++i) {
    RETURN_IF_ERROR(CheckInterrupt());
    one_at.clear();
    matched.clear();
    for (size_t k = 0; k < one.size(); ++k) {
      if (!one[k].has[i]) continue;
      auto [it, inserted] = one_at.try_emplace(one_sig[k], k);
      if (!inserted) {
        Labels group = MatchLabels(matching, one[k].labels);
        std::string d1 = one[k].labels.ToString(), d2 = one[it->second].labels.ToString();
        if (d1 > d2) std::swap(d1, d2);
        return absl::InvalidArgumentError(StrCat(
            "found duplicate series for the match group ", group.ToString(), " on the ",
            swap ? "left" : "right", " hand-side of the operation: [", d1, ", ", d2,
            "];many-to-many matching not allowed: matching labels must be unique on one side"));
      }
    }
    // One result element from a many-side and a one-side value; k or r is kNone for a side
    // supplied by a fill modifier (its labels are then the match labels of the other side).
    auto emit = [&](size_t k, size_t r, const Labels& many_labels, const Labels& one_labels,
                    bool many_drop, const std::string& sig, double vm, double vo) -> absl::Status {
      double fl = vm, fr = vo;
      if (swap) std::swap(fl, fr);
      auto [v, keep] = ElemOp(op, fl, fr);
      if (b.return_bool) {
        v = keep ? 1 : 0;
        keep = true;
      }
      // The matching checks below run before filtering, as in Prometheus: a comparison that
      // drops every duplicate still fails.
      auto [pit, fresh] = pair_out.try_emplace(std::make_pair(k, r), 0);
      if (fresh) {
        LabelsBuilder lb(many_labels);
        if (one_to_one) {
          if (matching.on) {
            lb.Keep(matching.labels);
          } else {
            lb.Drop(matching.labels);
          }
        }
        for (const std::string& name : matching.include) lb.Set(name, one_labels.Get(name));
        Labels ol = lb.Build();
        bool drop = b.return_bool || DropsName(op) || (IsComparison(op) && many_drop);
        std::string key = StrCat(ol.Bytes(), drop ? "\x01" : "\x00");
        auto [oit, created] = out_by_labels.try_emplace(key, out.series.size());
        if (created) {
          out.series.push_back(EmptyLike(ol, n));
          out.series.back().drop_name = drop;
        }
        pit->second = oit->second;
      }
      StepSeries& o = out.series[pit->second];
      auto& seen = matched[sig];
      if (one_to_one) {
        if (!seen.empty()) {
          return absl::InvalidArgumentError(
              "multiple matches for labels: many-to-one matching must be explicit "
              "(group_left/group_right)");
        }
        seen.insert("");
      } else if (!seen.insert(std::string(o.labels.Bytes())).second) {
        return absl::InvalidArgumentError(
            "multiple matches for labels: grouping labels must ensure unique matches");
      }
      if (keep) {
        o.v[i] = v;
        o.has[i] = 1;
      }
      return absl::OkStatus();
    };
    for (size_t k = 0; k < many.size(); ++k) {
      if (!many[k].has[i]) continue;
      auto it = one_at.find(many_sig[k]);
      if (it != one_at.end()) {
        const size_t r = it->second;
        RETURN_IF_ERROR(emit(k, r, many[k].labels, one[r].labels, many[k].drop_name, many_sig[k],
                             many[k].v[i], one[r].v[i]));
      } else if (fill_one.has_value()) {
        RETURN_IF_ERROR(emit(k, kNone, many[k].labels, Labels(), many[k].drop_name, many_sig[k],
                             many[k].v[i], *fill_one));
      }
    }
    if (fill_many.has_value()) {
      for (size_t r = 0; r < one.size(); ++r) {
        if (!one[r].has[i] || matched.contains(one_sig[r])) continue;
        RETURN_IF_ERROR(emit(kNone, r, MatchLabels(matching, one[r].labels), one[r].labels, false,
                             one_sig[r], *fill_many, one[r].v[i]));
      }
    }
  }
  // Series created for matches that the comparison filtered out at every step.
  std::erase_if(out.series, [](const StepSeries& s) {
    return std::find(s.has.begin(), s.has.end(), 1) == s.has.end();
  });
  return out;
}

}  // namespace sundial::promql
