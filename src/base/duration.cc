#include "base/duration.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "base/str_cat.h"

namespace sundial {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ms;
};

// In the only order the syntax allows.
constexpr Unit kUnits[] = {
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
};

absl::Status Invalid(std::string_view text) {
  return absl::InvalidArgumentError(StrCat("not a valid duration string: \"", text, "\""));
}

}  // namespace

absl::StatusOr<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("empty duration string");
  if (text == "0") return Duration(0);
  size_t pos = 0;
  size_t next_unit = 0;  // index into kUnits of the smallest unit still allowed
  int64_t total = 0;
  while (pos < text.size()) {
    size_t digits_end = pos;
    while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') {
      ++digits_end;
    }
    if (digits_end == pos) return Invalid(text);
    size_t suffix_end = digits_end;
    while (suffix_end < text.size() && (text[suffix_end] < '0' || text[suffix_end] > '9')) {
      ++suffix_end;
    }
    std::string_view suffix = text.substr(digits_end, suffix_end - digits_end);
    size_t unit = next_unit;
    while (unit < std::size(kUnits) && kUnits[unit].suffix != suffix) ++unit;
    if (unit == std::size(kUnits)) return Invalid(text);
    int64_t value = 0;
    for (size_t i = pos; i < digits_end; ++i) {
      if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) {
        return absl::InvalidArgumentError("duration out of range");
      }
      value = value * 10 + (text[i] - '0');
    }
    if (value > std::numeric_limits<int64_t>::max() / kUnits[unit].ms ||
        total > std::numeric_limits<int64_t>::max() - value * kUnits[unit].ms) {
      return absl::InvalidArgumentError("duration out of range");
    }
    total += value * kUnits[unit].ms;
    next_unit = unit + 1;
    pos = suffix_end;
  }
  return Duration(total);
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (size_t i = 0; i < std::size(kUnits); ++i) {
    const Unit& u = kUnits[i];
    bool exact_only = i < 2;  // years and weeks
    if (exact_only && ms % u.ms != 0) continue;
    int64_t v = ms / u.ms;
    if (v > 0) {
      StrAppend(&out, v, u.suffix);
      ms -= v * u.ms;
    }
  }
  return out;
}

}  // namespace sundial
