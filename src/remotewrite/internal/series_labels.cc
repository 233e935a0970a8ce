#include "remotewrite/internal/series_labels.h"

#include "base/str_cat.h"
#include "base/strings.h"

namespace sundial::remotewrite {
namespace {

constexpr size_t kMaxFormattedBytes = 1024;

absl::Status Invalid(std::span<const Label> pairs, std::string_view what) {
  return absl::InvalidArgumentError(
      AsAbsl(StrCat("invalid labels for series ", FormatPairs(pairs), ": ", what)));
}

}  // namespace

absl::Status ValidateSeriesLabels(std::span<const Label> pairs) {
  bool has_metric_name = false;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const Label& l = pairs[i];
    if (l.name.empty()) return Invalid(pairs, "empty label name");
    if (!IsValidUtf8(l.name)) {
      return Invalid(pairs, StrCat("label name ", GoQuote(l.name), " is not valid UTF-8"));
    }
    if (!IsValidUtf8(l.value)) {
      return Invalid(pairs, StrCat("value of label ", GoQuote(l.name), " is not valid UTF-8"));
    }
    if (i > 0 && l.name == pairs[i - 1].name) {
      return Invalid(pairs, StrCat("duplicate label name ", GoQuote(l.name)));
    }
    if (i > 0 && l.name < pairs[i - 1].name) {
      return Invalid(pairs, StrCat("label names not sorted: ", GoQuote(l.name), " after ",
                                   GoQuote(pairs[i - 1].name)));
    }
    if (l.name == kMetricNameLabel && !l.value.empty()) has_metric_name = true;
  }
  if (!has_metric_name) return Invalid(pairs, "missing metric name (__name__)");
  return absl::OkStatus();
}

Labels BuildSeriesLabels(std::span<const Label> pairs, LabelsBuilder* builder) {
  static const Labels kEmpty;
  builder->Reset(kEmpty);
  // Sorted input: every Set appends at the end.
  for (const Label& l : pairs) builder->Set(l.name, l.value);
  return builder->Build();
}

std::string FormatPairs(std::span<const Label> pairs) {
  std::string out = "{";
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (out.size() > kMaxFormattedBytes) {
      out += "...";
      break;
    }
    if (i > 0) out += ", ";
    if (IsValidUtf8(pairs[i].name)) {
      out += pairs[i].name;
    } else {
      AppendGoQuoted(&out, pairs[i].name);
    }
    out += '=';
    AppendGoQuoted(&out, pairs[i].value);
  }
  if (out.size() > 2 * kMaxFormattedBytes) {  // one huge label
    out.resize(kMaxFormattedBytes);
    out += "...";
  }
  out += '}';
  return out;
}

}  // namespace sundial::remotewrite
