#include "scrape/sample_labels.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/str_cat.h"
#include "base/strings.h"

namespace sundial::scrape {
namespace {

std::string_view Trunc50(std::string_view s) { return s.substr(0, std::min<size_t>(s.size(), 50)); }

}  // namespace

void MutateSampleLabels(const Labels& target_labels, bool honor_labels, LabelsBuilder* b) {
  if (honor_labels) {
    for (const Label& l : target_labels) {
      if (b->Get(l.name).empty()) b->Set(l.name, l.value);
    }
    return;
  }
  std::vector<std::pair<std::string, std::string>> conflicts;
  for (const Label& l : target_labels) {
    std::string_view exposed = b->Get(l.name);
    if (!exposed.empty()) conflicts.emplace_back(std::string(l.name), std::string(exposed));
    b->Set(l.name, l.value);
  }
  std::stable_sort(conflicts.begin(), conflicts.end(),
                   [](const auto& x, const auto& y) { return x.first.size() < y.first.size(); });
  for (auto& [name, value] : conflicts) {
    std::string candidate = name;
    do {
      candidate = StrCat("exported_", candidate);
    } while (!b->Get(candidate).empty());
    b->Set(candidate, value);
  }
}

absl::Status CheckLabelLimits(const Labels& labels, const config::ScrapeLimits& limits) {
  std::string_view metric = Trunc50(labels.MetricName());
  if (limits.label_limit > 0 && labels.size() > limits.label_limit) {
    return absl::ResourceExhaustedError(StrCat("label_limit exceeded (metric: ", metric,
                                               ", number of labels: ", labels.size(),
                                               ", limit: ", limits.label_limit, ")"));
  }
  if (limits.label_name_length_limit == 0 && limits.label_value_length_limit == 0) {
    return absl::OkStatus();
  }
  for (const Label& l : labels) {
    if (limits.label_name_length_limit > 0 && l.name.size() > limits.label_name_length_limit) {
      return absl::ResourceExhaustedError(StrCat(
          "label_name_length_limit exceeded (metric: ", metric, ", label name: ", Trunc50(l.name),
          ", length: ", l.name.size(), ", limit: ", limits.label_name_length_limit, ")"));
    }
    if (limits.label_value_length_limit > 0 && l.value.size() > limits.label_value_length_limit) {
      return absl::ResourceExhaustedError(
          StrCat("label_value_length_limit exceeded (metric: ", metric,
                 ", label name: ", Trunc50(l.name), ", value: ", GoQuote(Trunc50(l.value)),
                 ", length: ", l.value.size(), ", limit: ", limits.label_value_length_limit, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace sundial::scrape
