#include "base/byte_size.h"

#include <limits>

#include "absl/status/status.h"
#include "base/str_cat.h"

namespace sundial {
namespace {

struct Unit {
  std::string_view name;
  std::string_view iec_name;
  int shift;
};

constexpr Unit kUnits[] = {{"B", "B", 0},     {"KB", "KiB", 10}, {"MB", "MiB", 20},
                           {"GB", "GiB", 30}, {"TB", "TiB", 40}, {"PB", "PiB", 50},
                           {"EB", "EiB", 60}};

}  // namespace

absl::StatusOr<int64_t> ParseByteSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string_view unit = text.substr(digits);
  if (digits == 0) {
    return absl::InvalidArgumentError(StrCat("units: invalid size \"", text, "\""));
  }
  for (const Unit& u : kUnits) {
    if (unit != u.name && unit != u.iec_name) continue;
    int64_t value = 0;
    for (size_t i = 0; i < digits; ++i) {
      if (value > (std::numeric_limits<int64_t>::max() >> u.shift) / 10) {
        return absl::InvalidArgumentError(StrCat("units: size out of range \"", text, "\""));
      }
      value = value * 10 + (text[i] - '0');
    }
    if (value > (std::numeric_limits<int64_t>::max() >> u.shift)) {
      return absl::InvalidArgumentError(StrCat("units: size out of range \"", text, "\""));
    }
    return value << u.shift;
  }
  return absl::InvalidArgumentError(StrCat("units: unknown unit ", unit, " in ", text));
}

std::string FormatByteSize(int64_t bytes) {
  for (int i = static_cast<int>(std::size(kUnits)) - 1; i > 0; --i) {
    int64_t mult = int64_t{1} << kUnits[i].shift;
    if (bytes != 0 && bytes % mult == 0) return StrCat(bytes / mult, kUnits[i].name);
  }
  return StrCat(bytes, "B");
}

}  // namespace sundial
