#include "remotewrite/otlp/internal/names.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "base/str_cat.h"

namespace sundial::remotewrite::otlp {
namespace {

// OTel unit (UCUM) -> Prometheus unit word.
constexpr std::pair<std::string_view, std::string_view> kUnits[] = {
    {"d", "days"},
    {"h", "hours"},
    {"min", "minutes"},
    {"s", "seconds"},
    {"ms", "milliseconds"},
    {"us", "microseconds"},
    {"ns", "nanoseconds"},
    {"By", "bytes"},
    {"KiBy", "kibibytes"},
    {"MiBy", "mebibytes"},
    {"GiBy", "gibibytes"},
    {"TiBy", "tibibytes"},
    {"KBy", "kilobytes"},
    {"MBy", "megabytes"},
    {"GBy", "gigabytes"},
    {"TBy", "terabytes"},
    {"m", "meters"},
    {"V", "volts"},
    {"A", "amperes"},
    {"J", "joules"},
    {"W", "watts"},
    {"g", "grams"},
    {"Cel", "celsius"},
    {"Hz", "hertz"},
    {"1", ""},
    {"%", "percent"},
};

// The denominator of "X/Y" units.
constexpr std::pair<std::string_view, std::string_view> kPerUnits[] = {
    {"s", "second"}, {"m", "minute"}, {"h", "hour"}, {"d", "day"},
    {"w", "week"},   {"mo", "month"}, {"y", "year"},
};

template <size_t N>
std::string_view Lookup(const std::pair<std::string_view, std::string_view> (&table)[N],
                        std::string_view key) {
  for (const auto& [from, to] : table) {
    if (from == key) return to;
  }
  return key;
}

bool IsAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsMetricChar(unsigned char c) { return IsAlnum(c) || c == ':'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// A UTF-8 continuation byte: part of the character a lead byte started.
bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

std::string_view TrimSpace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

bool OnlyUnderscores(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '_'; });
}

// Splits on every character that is not a metric-name character (underscores included), so
// runs of separators and leading/trailing ones vanish.
std::vector<std::string> MetricTokens(std::string_view name) {
  std::vector<std::string> tokens;
  std::string current;
  for (unsigned char c : name) {
    if (IsMetricChar(c)) {
      current.push_back(static_cast<char>(c));
    } else if (!current.empty()) {
      tokens.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

// The unit's main and "per_" suffixes before clean-up. Annotations ("{requests}") yield none.
std::pair<std::string, std::string> UnitSuffixes(std::string_view unit) {
  std::string main, per;
  size_t slash = unit.find('/');
  std::string_view main_otel = TrimSpace(unit.substr(0, slash));
  if (!main_otel.empty() && main_otel.find_first_of("{}") == std::string_view::npos) {
    main = std::string(Lookup(kUnits, main_otel));
  }
  if (slash != std::string_view::npos && slash + 1 < unit.size()) {
    std::string_view per_otel = TrimSpace(unit.substr(slash + 1));
    if (!per_otel.empty() && per_otel.find_first_of("{}") == std::string_view::npos) {
      per = std::string(Lookup(kPerUnits, per_otel));
    }
    if (!per.empty()) per = StrCat("per_", per);
  }
  return {std::move(main), std::move(per)};
}

// Invalid characters to '_', runs of '_' collapsed, one leading '_' dropped.
std::string CleanUpUnit(std::string_view unit) {
  std::string out;
  for (unsigned char c : unit) {
    if (IsContinuation(c)) continue;  // the lead byte already became '_'
    char mapped = IsMetricChar(c) ? static_cast<char>(c) : '_';
    if (mapped == '_' && !out.empty() && out.back() == '_') continue;
    out.push_back(mapped);
  }
  if (!out.empty() && out.front() == '_') out.erase(0, 1);
  return out;
}

bool Contains(const std::vector<std::string>& tokens, std::string_view s) {
  return std::find(tokens.begin(), tokens.end(), s) != tokens.end();
}

void MoveToEnd(std::vector<std::string>* tokens, std::string_view word) {
  std::erase(*tokens, std::string(word));
  tokens->emplace_back(word);
}

std::string EscapedWithSuffixes(const MetricIdentity& metric) {
  std::vector<std::string> tokens = MetricTokens(metric.name);
  auto [main_raw, per_raw] = UnitSuffixes(metric.unit);
  std::string main = CleanUpUnit(main_raw);
  std::string per = CleanUpUnit(per_raw);
  if (Contains(tokens, main)) main.clear();
  if (per == "per_") {
    per.clear();
  } else {
    if (!per.empty() && per.back() == '_') per.pop_back();
    if (Contains(tokens, per)) per.clear();
  }
  if (!per.empty() && !main.empty() && main.back() == '_') main.pop_back();
  if (!main.empty()) tokens.push_back(main);
  if (!per.empty()) tokens.push_back(per);
  if (metric.kind == MetricKind::kMonotonicSum) MoveToEnd(&tokens, "total");
  if (metric.unit == "1" && metric.kind == MetricKind::kGauge) MoveToEnd(&tokens, "ratio");
  std::string out;
  for (const std::string& t : tokens) {
    if (!out.empty()) out.push_back('_');
    out += t;
  }
  if (!out.empty() && IsDigit(out[0])) out.insert(0, "_");
  return out;
}

std::string EscapedWithoutSuffixes(std::string_view name) {
  // Splits on invalid characters but keeps underscores, so only the invalid runs collapse.
  std::string out;
  bool pending_separator = false;
  for (unsigned char c : name) {
    if (IsMetricChar(c) || c == '_') {
      if (pending_separator && !out.empty()) out.push_back('_');
      pending_separator = false;
      out.push_back(static_cast<char>(c));
    } else {
      pending_separator = true;
    }
  }
  if (!out.empty() && IsDigit(out[0])) out.insert(0, "_");
  return out;
}

// "foo_total" minus "total" -> "foo" (the delimiter itself is not checked, as upstream).
std::string_view TrimSuffixAndDelimiter(std::string_view name, std::string_view suffix) {
  if (name.ends_with(suffix) && name.size() > suffix.size() + 1) {
    return name.substr(0, name.size() - suffix.size() - 1);
  }
  return name;
}

std::string Utf8WithSuffixes(const MetricIdentity& metric) {
  std::string_view name = metric.name;
  const bool ratio = metric.unit == "1" && metric.kind == MetricKind::kGauge;
  const bool total = metric.kind == MetricKind::kMonotonicSum;
  if (ratio) name = TrimSuffixAndDelimiter(name, "ratio");
  if (total) name = TrimSuffixAndDelimiter(name, "total");
  auto [main, per] = UnitSuffixes(metric.unit);
  if (!per.empty()) name = TrimSuffixAndDelimiter(name, per);
  std::string out(name);
  if (!main.empty() && !out.ends_with(main)) StrAppend(&out, "_", main);
  if (!per.empty()) StrAppend(&out, "_", per);
  if (total) out += "_total";
  if (ratio) out += "_ratio";
  return out;
}

std::string SanitizeLabel(std::string_view name, bool preserve_multiple_underscores) {
  std::string out;
  out.reserve(name.size() + 4);
  bool reserved = false;
  if (!preserve_multiple_underscores && name.size() >= 4 && name.starts_with("__") &&
      name.ends_with("__")) {
    reserved = true;
    name = name.substr(2, name.size() - 4);
    out = "__";
  }
  bool prev_underscore = false;
  for (unsigned char c : name) {
    if (IsContinuation(c)) continue;  // the lead byte already became '_'
    if (IsAlnum(c)) {
      out.push_back(static_cast<char>(c));
      prev_underscore = false;
    } else if (preserve_multiple_underscores || !prev_underscore) {
      out.push_back('_');
      prev_underscore = true;
    }
  }
  if (reserved) out += "__";
  return out;
}

}  // namespace

absl::StatusOr<std::string> BuildMetricName(const MetricIdentity& metric,
                                            const NamingOptions& options) {
  std::string out;
  if (!options.escape) {
    out = options.add_suffixes ? Utf8WithSuffixes(metric) : std::string(metric.name);
  } else if (options.add_suffixes) {
    out = EscapedWithSuffixes(metric);
  } else {
    out = EscapedWithoutSuffixes(metric.name);
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        StrCat("normalization for metric \"", metric.name, "\" resulted in empty name"));
  }
  if (options.escape && out != metric.name && OnlyUnderscores(out)) {
    return absl::InvalidArgumentError(StrCat("normalization for metric \"", metric.name,
                                             "\" resulted in invalid name \"", out, "\""));
  }
  return out;
}

absl::StatusOr<std::string> BuildLabelName(std::string_view key, const NamingOptions& options) {
  if (key.empty()) return absl::InvalidArgumentError("label name is empty");
  if (!options.escape) {
    if (OnlyUnderscores(key)) {
      return absl::InvalidArgumentError(
          StrCat("label name \"", key, "\" contains only underscores"));
    }
    return std::string(key);
  }
  std::string out = SanitizeLabel(key, options.preserve_multiple_underscores);
  if (IsDigit(out[0])) {
    out.insert(0, "key_");
  } else if (options.underscore_label_sanitization && out.starts_with("_") &&
             !out.starts_with("__")) {
    out.insert(0, "key");
  }
  if (OnlyUnderscores(out)) {
    return absl::InvalidArgumentError(StrCat("normalization for label name \"", key,
                                             "\" resulted in invalid name \"", out, "\""));
  }
  return out;
}

}  // namespace sundial::remotewrite::otlp
