#include "promql/group_stream.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/status_macros.h"
#include "promql/aggregate_fold.h"
#include "promql/series_stream.h"

namespace sundial::promql {
namespace {

// A querier that adds matchers to every Select, so an expression evaluated through it sees only
// the series of one group.
class NarrowedQuerier : public tsdb::Querier {
 public:
  NarrowedQuerier(tsdb::Querier* base, std::vector<Matcher> extra)
      : base_(base), extra_(std::move(extra)) {}

  std::unique_ptr<tsdb::SeriesSet> Select(const tsdb::SelectHints& hints,
                                          std::span<const Matcher> matchers) override {
    // Kept for the querier's lifetime: a series set may refer to its matchers.
    auto& all = kept_.emplace_back(
        std::make_unique<std::vector<Matcher>>(matchers.begin(), matchers.end()));
    all->insert(all->end(), extra_.begin(), extra_.end());
    return base_->Select(hints, *all);
  }
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    return base_->LabelNames(matchers);
  }
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    return base_->LabelValues(name, matchers);
  }

 private:
  tsdb::Querier* base_;
  std::vector<Matcher> extra_;
  std::vector<std::unique_ptr<std::vector<Matcher>>> kept_;
};

// Points ev's query at `narrowed` while alive.
class QuerierSwap {
 public:
  QuerierSwap(Evaluator& ev, tsdb::Querier* narrowed) : ctx_(ev.ctx()), saved_(ctx_->querier) {
    ctx_->querier = narrowed;
  }
  ~QuerierSwap() { ctx_->querier = saved_; }
  QuerierSwap(const QuerierSwap&) = delete;
  QuerierSwap& operator=(const QuerierSwap&) = delete;

 private:
  QueryContext* ctx_;
  tsdb::Querier* saved_;
};

// Up to this many groups (or as many as the query has steps) are selected one by one.
constexpr size_t kFewGroups = 64;

// The groups of agg's input: their labels, and the label names that tell groups apart (with
// `without`, every name some input series has besides the dropped ones).
struct Groups {
  std::vector<Labels> labels;
  std::vector<std::string> names;
};

absl::StatusOr<Groups> ReadGroups(const AggregateExpr& agg, const VectorSelector& vs,
                                  Evaluator& ev) {
  Groups out;
  absl::flat_hash_map<std::string, size_t> index;
  std::set<std::string> names;
  std::string key;
  tsdb::SelectHints hints;
  hints.func = "series";
  std::unique_ptr<tsdb::SeriesSet> set = ev.ctx()->querier->Select(hints, vs.matchers);
  for (size_t k = 0; set->Next(); ++k) {
    if (k % 256 == 0) RETURN_IF_ERROR(ev.CheckInterrupt());
    const Labels& labels = set->At().labels();
    GroupKey(agg, labels, &key);
    auto [it, inserted] = index.try_emplace(key, out.labels.size());
    if (!inserted) continue;
    out.labels.push_back(GroupLabels(agg, labels));
    if (agg.without) {
      for (const Label& l : out.labels.back()) names.emplace(l.name);
    }
  }
  RETURN_IF_ERROR(set->Err());
  if (agg.without) {
    out.names.assign(names.begin(), names.end());
  } else {
    out.names = agg.grouping;
  }
  return out;
}

}  // namespace

bool StreamsByGroup(const AggregateExpr& agg) {
  if (!FoldsStepwise(agg.op) || agg.param != nullptr) return false;
  if (!agg.without &&
      std::find(agg.grouping.begin(), agg.grouping.end(), kMetricNameLabel) != agg.grouping.end()) {
    return false;  // the group keeps __name__ unless a member drops it: not known from labels
  }
  bool drops_name = false;
  return agg.expr->Type() == ValueType::kVector &&
         PerSeriesSource(*agg.expr, &drops_name) != nullptr;
}

absl::Status StreamGroups(const AggregateExpr& agg, Evaluator& ev, SeriesSink sink) {
  bool drops_name = false;
  const VectorSelector& vs = *PerSeriesSource(*agg.expr, &drops_name);
  ASSIGN_OR_RETURN(Groups groups, ReadGroups(agg, vs, ev));
  if (groups.labels.size() > std::max(kFewGroups, ev.grid().n)) {
    // A narrowed Select per group walks the selector's postings each time: once the groups
    // outnumber the steps that costs more than evaluating every step of every series, while
    // the answer held whole is no larger than the input already was. Evaluate it at once.
    ASSIGN_OR_RETURN(EvalValue whole, ev.Eval(agg));
    std::sort(whole.series.begin(), whole.series.end(),
              [](const StepSeries& a, const StepSeries& b) { return a.labels < b.labels; });
    for (const StepSeries& s : whole.series) {
      RETURN_IF_ERROR(sink(StepSeriesView{s.labels, s.drop_name, s.v, s.has}));
    }
    return absl::OkStatus();
  }
  std::vector<size_t> order(groups.labels.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return groups.labels[a] < groups.labels[b]; });

  const size_t n = ev.grid().n;
  const AggregateOp op = agg.op;
  const int64_t held_before = ev.ctx()->held_samples;
  int64_t output_points = 0;
  std::vector<StepFold> folds(n);
  std::vector<double> v(n);
  std::vector<uint8_t> has(n);
  for (size_t g : order) {
    const Labels& labels = groups.labels[g];
    std::vector<Matcher> narrow;
    narrow.reserve(groups.names.size());
    for (const std::string& name : groups.names) {
      ASSIGN_OR_RETURN(Matcher m, Matcher::Create(MatchType::kEqual, name, labels.Get(name)));
      narrow.push_back(std::move(m));
    }
    NarrowedQuerier narrowed(ev.ctx()->querier, std::move(narrow));
    std::fill(folds.begin(), folds.end(), StepFold{});
    {
      QuerierSwap swap(ev, &narrowed);
      RETURN_IF_ERROR(StreamPerSeries(*agg.expr, ev, [&](const StepSeriesView& s) {
        for (size_t i = 0; i < n; ++i) {
          if (s.has[i]) folds[i].Add(op, s.v[i]);
        }
        return absl::OkStatus();
      }));
    }
    int64_t present = 0;
    for (size_t i = 0; i < n; ++i) {
      has[i] = folds[i].count > 0;
      v[i] = has[i] ? folds[i].Result(op) : 0;
      present += has[i];
    }
    output_points += present;
    if (present > 0) RETURN_IF_ERROR(sink(StepSeriesView{labels, false, v, has}));
  }
  // As whole evaluation: the inputs counted while they were read, then only the groups.
  ev.ReleaseAggregated(held_before, output_points);
  return absl::OkStatus();
}

}  // namespace sundial::promql
