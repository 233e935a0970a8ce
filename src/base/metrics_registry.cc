#include "base/metrics_registry.h"

#include <algorithm>
#include <utility>

#include "base/metrics_fatal.h"
#include "base/metrics_text_format.h"
#include "base/str_cat.h"

namespace sundial::metrics {
namespace {

bool IsLetterOrUnderscore(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view s) {
  if (s.empty() || IsDigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsLetterOrUnderscore(c) || IsDigit(c) || c == ':'; });
}

// [a-zA-Z_][a-zA-Z0-9_]*
bool IsValidLabelName(std::string_view s) {
  if (s.empty() || IsDigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsLetterOrUnderscore(c) || IsDigit(c); });
}

void ValidateNames(std::string_view name, const std::vector<std::string>& label_names) {
  if (!IsValidMetricName(name)) internal::Fatal(StrCat("invalid metric name \"", name, "\""));
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& l = label_names[i];
    if (!IsValidLabelName(l) || l.starts_with("__")) {
      internal::Fatal(StrCat(name, ": invalid label name \"", l, "\""));
    }
    if (l == "le") internal::Fatal(StrCat(name, ": label name \"le\" is reserved"));
    if (std::find(label_names.begin(), label_names.begin() + static_cast<ptrdiff_t>(i), l) !=
        label_names.begin() + static_cast<ptrdiff_t>(i)) {
      internal::Fatal(StrCat(name, ": duplicate label name \"", l, "\""));
    }
  }
}

// An unlabelled counter or gauge read from a callback at scrape time.
class FuncFamily final : public FamilyBase {
 public:
  FuncFamily(std::string_view name, std::string_view help, MetricType type,
             std::function<double()> fn)
      : FamilyBase(name, help, type, {}), fn_(std::move(fn)) {}

  FamilySnapshot Collect() const override {
    FamilySnapshot out = EmptySnapshot();
    out.metrics.emplace_back().value = fn_();
    return out;
  }

 private:
  std::function<double()> fn_;
};

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

Registry& Registry::Default() {
  static Registry* const registry = new Registry;
  return *registry;
}

template <typename F>
F& Registry::Add(std::unique_ptr<F> family) {
  ValidateNames(family->name(), family->label_names());
  F& ref = *family;
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = families_.try_emplace(family->name(), std::move(family));
  if (!inserted) internal::Fatal(StrCat("duplicate metric family \"", it->first, "\""));
  return ref;
}

CounterFamily& Registry::NewCounterFamily(std::string_view name, std::string_view help,
                                          std::vector<std::string> label_names) {
  return Add(std::make_unique<CounterFamily>(name, help, MetricType::kCounter,
                                             std::move(label_names),
                                             [] { return std::make_unique<Counter>(); }));
}

GaugeFamily& Registry::NewGaugeFamily(std::string_view name, std::string_view help,
                                      std::vector<std::string> label_names) {
  return Add(std::make_unique<GaugeFamily>(name, help, MetricType::kGauge, std::move(label_names),
                                           [] { return std::make_unique<Gauge>(); }));
}

HistogramFamily& Registry::NewHistogramFamily(std::string_view name, std::string_view help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> buckets) {
  Histogram check(buckets);  // validates the layout now rather than at the first child
  return Add(std::make_unique<HistogramFamily>(
      name, help, MetricType::kHistogram, std::move(label_names),
      [buckets = std::move(buckets)] { return std::make_unique<Histogram>(buckets); }));
}

SummaryFamily& Registry::NewSummaryFamily(std::string_view name, std::string_view help,
                                          std::vector<std::string> label_names,
                                          SummaryOptions options) {
  if (std::find(label_names.begin(), label_names.end(), "quantile") != label_names.end()) {
    internal::Fatal(StrCat(name, ": label name \"quantile\" is reserved in a summary"));
  }
  Summary check(options);  // validates the options now rather than at the first child
  return Add(std::make_unique<SummaryFamily>(
      name, help, MetricType::kSummary, std::move(label_names),
      [options = std::move(options)] { return std::make_unique<Summary>(options); }));
}

Counter& Registry::NewCounter(std::string_view name, std::string_view help) {
  return NewCounterFamily(name, help, {}).WithLabelValues({});
}

Gauge& Registry::NewGauge(std::string_view name, std::string_view help) {
  return NewGaugeFamily(name, help, {}).WithLabelValues({});
}

Histogram& Registry::NewHistogram(std::string_view name, std::string_view help,
                                  std::vector<double> buckets) {
  return NewHistogramFamily(name, help, {}, std::move(buckets)).WithLabelValues({});
}

Summary& Registry::NewSummary(std::string_view name, std::string_view help,
                              SummaryOptions options) {
  return NewSummaryFamily(name, help, {}, std::move(options)).WithLabelValues({});
}

void Registry::NewCounterFunc(std::string_view name, std::string_view help,
                              std::function<double()> fn) {
  Add(std::make_unique<FuncFamily>(name, help, MetricType::kCounter, std::move(fn)));
}

void Registry::NewGaugeFunc(std::string_view name, std::string_view help,
                            std::function<double()> fn) {
  Add(std::make_unique<FuncFamily>(name, help, MetricType::kGauge, std::move(fn)));
}

Collector* Registry::AddCollector(std::unique_ptr<Collector> collector) {
  Collector* handle = collector.get();
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collector));
  return handle;
}

void Registry::RemoveCollector(Collector* collector) {
  std::unique_ptr<Collector> removed;
  {
    absl::MutexLock lock(&mu_);
    auto it =
        std::find_if(collectors_.begin(), collectors_.end(),
                     [&](const std::unique_ptr<Collector>& c) { return c.get() == collector; });
    if (it == collectors_.end()) internal::Fatal("RemoveCollector: unknown collector");
    removed = std::move(*it);
    collectors_.erase(it);
  }
  // Destroyed outside the lock: a collector's destructor may do anything.
}

std::vector<FamilySnapshot> Registry::Gather() const {
  std::vector<FamilySnapshot> out;
  {
    absl::MutexLock lock(&mu_);
    out.reserve(families_.size());
    for (const auto& [name, family] : families_) out.push_back(family->Collect());
    for (const auto& c : collectors_) c->Collect(&out);
  }
  // Registered families come first, so on a name clash the stable sort keeps them, then the
  // first collector's.
  std::stable_sort(out.begin(), out.end(), [](const FamilySnapshot& a, const FamilySnapshot& b) {
    return a.name < b.name;
  });
  out.erase(std::unique(
                out.begin(), out.end(),
                [](const FamilySnapshot& a, const FamilySnapshot& b) { return a.name == b.name; }),
            out.end());
  std::erase_if(out, [](const FamilySnapshot& f) { return f.metrics.empty(); });
  return out;
}

std::string Registry::Expose() const {
  std::vector<FamilySnapshot> families = Gather();
  std::string out;
  AppendTextFormat(&families, &out);
  return out;
}

}  // namespace sundial::metrics
