// info(v [, {data-label selector}]): adds the data labels of info series (target_info by
// default) that share v's identifying labels (instance, job), as Prometheus' experimental info().
#include <algorithm>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "promql/evaluator.h"
#include "promql/functions.h"
#include "re2/re2.h"

namespace sundial::promql {
namespace {

constexpr std::string_view kTargetInfo = "target_info";
constexpr std::string_view kIdentifying[] = {"instance", "job"};

// The first vector selector of e, depth first (its @ and offset apply to the info series), with
// the subqueries enclosing it, outermost first, in *path.
const VectorSelector* FirstSelector(const Expr& e, std::vector<const SubqueryExpr*>* path) {
  if (e.kind == Kind::kVectorSelector) return static_cast<const VectorSelector*>(&e);
  const bool subquery = e.kind == Kind::kSubquery;
  if (subquery) path->push_back(static_cast<const SubqueryExpr*>(&e));
  const VectorSelector* found = nullptr;
  ForEachChild(e, [&](const Expr& child) {
    if (found == nullptr) found = FirstSelector(child, path);
  });
  if (subquery && found == nullptr) path->pop_back();
  return found;
}

// Name matchers restricting which info metrics are used: as written when one of them is = or
// =~; otherwise the written ones plus __name__=~".+_info"; target_info when none is written.
absl::StatusOr<std::vector<Matcher>> EffectiveNameMatchers(std::vector<Matcher> written) {
  for (const Matcher& m : written) {
    if (m.type() == MatchType::kEqual || m.type() == MatchType::kRegexp) return written;
  }
  if (written.empty()) {
    ASSIGN_OR_RETURN(Matcher m, Matcher::Create(MatchType::kEqual, kMetricNameLabel, kTargetInfo));
    return std::vector<Matcher>{std::move(m)};
  }
  ASSIGN_OR_RETURN(Matcher m, Matcher::Create(MatchType::kRegexp, kMetricNameLabel, ".+_info"));
  written.insert(written.begin(), std::move(m));
  return written;
}

// The identity of a series towards info metric `name`: name plus its instance and job.
std::string Signature(std::string_view name, const Labels& l) {
  std::string sig(name);
  for (std::string_view id : kIdentifying) StrAppend(&sig, "\xff", l.Get(id));
  return sig;
}

}  // namespace

absl::StatusOr<EvalValue> CallInfoFunction(Evaluator& ev, const Call& c) {
  if (c.func->name != "info") return absl::NotFoundError("");
  const size_t n = ev.grid().n;
  ASSIGN_OR_RETURN(EvalValue base, ev.Eval(*c.args[0]));

  // Data-label matchers by label name; __name__ matchers choose the info metrics.
  std::map<std::string, std::vector<Matcher>> data_matchers;
  std::vector<Matcher> name_matchers;
  if (c.args.size() > 1) {
    const auto& sel = static_cast<const VectorSelector&>(UnwrapParens(*c.args[1]));
    for (const Matcher& m : sel.matchers) {
      if (m.name() == kMetricNameLabel) {
        name_matchers.push_back(m);
      } else {
        data_matchers[m.name()].push_back(m);
      }
    }
  }
  ASSIGN_OR_RETURN(std::vector<Matcher> effective, EffectiveNameMatchers(name_matchers));

  // Base series that are themselves info series pass through unchanged.
  std::vector<uint8_t> ignore(base.series.size(), 0);
  std::map<std::string, std::set<std::string>> id_values;
  for (size_t k = 0; k < base.series.size(); ++k) {
    const Labels& l = base.series[k].labels;
    ignore[k] = std::all_of(effective.begin(), effective.end(),
                            [&](const Matcher& m) { return m.Matches(l.MetricName()); });
    if (ignore[k]) continue;
    for (std::string_view id : kIdentifying) {
      if (!l.Get(id).empty()) id_values[std::string(id)].insert(std::string(l.Get(id)));
    }
  }

  EvalValue info;  // values are the timestamps (s) of the info samples
  if (!id_values.empty()) {
    VectorSelector vs(c.pos);
    for (const auto& [name, values] : id_values) {
      std::string re;
      for (const std::string& v : values) {
        if (!re.empty()) re += '|';
        re += RE2::QuoteMeta(v);
      }
      ASSIGN_OR_RETURN(Matcher m, Matcher::Create(MatchType::kRegexp, name, re));
      vs.matchers.push_back(std::move(m));
    }
    for (const auto& [name, ms] : data_matchers) {
      for (const Matcher& m : ms) vs.matchers.push_back(m);
    }
    for (const Matcher& m : effective) vs.matchers.push_back(m);
    std::vector<const SubqueryExpr*> path;
    if (const VectorSelector* first = FirstSelector(*c.args[0], &path)) {
      // The selector's @ and offset; without @, those of the enclosing subqueries (innermost
      // first) until one has an @.
      auto apply = [&](const TimeModifiers& m) -> absl::Status {
        int64_t off = m.offset_ms;
        if (m.offset_expr != nullptr) {
          ASSIGN_OR_RETURN(off, EvalDuration(*m.offset_expr, *ev.ctx()));
        }
        vs.mods.offset_ms += off;
        vs.mods.timestamp_ms = m.timestamp_ms;
        vs.mods.at = m.at;
        return absl::OkStatus();
      };
      RETURN_IF_ERROR(apply(first->mods));
      for (auto it = path.rbegin(); it != path.rend() && !vs.mods.HasAt(); ++it) {
        RETURN_IF_ERROR(apply((*it)->mods));
      }
    }
    ASSIGN_OR_RETURN(info, ev.EvalVectorSelector(vs, /*timestamps=*/true));
  }

  std::set<std::string> info_names;
  std::vector<std::string> info_sigs;
  for (const StepSeries& s : info.series) {
    info_names.insert(std::string(s.labels.MetricName()));
    info_sigs.push_back(Signature(s.labels.MetricName(), s.labels));
  }

  const bool all_match_empty =
      std::all_of(data_matchers.begin(), data_matchers.end(), [](const auto& kv) {
        return std::all_of(kv.second.begin(), kv.second.end(),
                           [](const Matcher& m) { return m.Matches(""); });
      });

  EvalValue out;
  out.type = ValueType::kVector;
  absl::flat_hash_map<std::string, size_t> out_index;
  absl::flat_hash_map<std::string, size_t> latest;  // signature -> info series at this step
  for (size_t i = 0; i < n; ++i) {
    RETURN_IF_ERROR(ev.CheckInterrupt());
    latest.clear();
    for (size_t k = 0; k < info.series.size(); ++k) {
      const StepSeries& s = info.series[k];
      if (!s.has[i]) continue;
      auto [it, inserted] = latest.try_emplace(info_sigs[k], k);
      if (inserted) continue;
      const StepSeries& prev = info.series[it->second];
      const int64_t t_prev = static_cast<int64_t>(prev.v[i] * 1000);
      const int64_t t_new = static_cast<int64_t>(s.v[i] * 1000);
      if (t_new > t_prev) {
        it->second = k;
      } else if (t_new == t_prev) {
        return absl::InvalidArgumentError(
            StrCat("found duplicate series for info metric: existing ", prev.labels.ToString(),
                   " @ ", t_prev / 1000, ", new ", s.labels.ToString(), " @ ", t_new / 1000));
      }
    }
    for (size_t k = 0; k < base.series.size(); ++k) {
      const StepSeries& bs = base.series[k];
      if (!bs.has[i]) continue;
      Labels result = bs.labels;
      if (!ignore[k]) {
        LabelsBuilder add;
        bool seen_any = false;
        for (const std::string& name : info_names) {
          auto it = latest.find(Signature(name, bs.labels));
          if (it == latest.end()) continue;
          seen_any = true;
          for (const Label& l : info.series[it->second].labels) {
            if (l.name == kMetricNameLabel) continue;
            if (!data_matchers.empty() && !data_matchers.count(std::string(l.name))) continue;
            std::string_view have = add.Get(l.name);
            if (!have.empty() && have != l.value) {
              return absl::InvalidArgumentError(StrCat("conflicting label: ", l.name));
            }
            if (bs.labels.Has(l.name)) continue;
            add.Set(l.name, l.value);
          }
        }
        if (!seen_any && !all_match_empty) continue;
        LabelsBuilder b(bs.labels);
        for (const Label& l : add.Build()) b.Set(l.name, l.value);
        result = b.Build();
      }
      std::string key(result.Bytes());
      auto [it, inserted] = out_index.try_emplace(key, out.series.size());
      if (inserted) {
        out.series.push_back(EmptyLike(result, n));
        out.series.back().drop_name = bs.drop_name;
      }
      StepSeries& o = out.series[it->second];
      if (o.has[i]) {
        return absl::InvalidArgumentError("vector cannot contain metrics with the same labelset");
      }
      o.v[i] = bs.v[i];
      o.has[i] = 1;
    }
  }
  return out;
}

}  // namespace sundial::promql
