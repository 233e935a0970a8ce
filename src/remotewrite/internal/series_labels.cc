#include "remotewrite/internal/series_labels.h"

#include <cstdint>
#include <cstring>

#include "base/str_cat.h"
#include "base/strings.h"

namespace sundial::remotewrite {
namespace {

constexpr size_t kMaxFormattedBytes = 1024;

// Label names and values are nearly always ASCII; check that first, eight bytes at a time.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ull) return IsValidUtf8(s);
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) & 0x80) return IsValidUtf8(s);
  }
  return true;
}

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
    if (!IsUtf8(l.name)) {
      return Invalid(pairs, StrCat("label name ", GoQuote(l.name), " is not valid UTF-8"));
    }
    if (!IsUtf8(l.value)) {
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
