// Lexing helpers shared by the exposition parsers: character classes, escapes, Go-compatible
// number parsing and Prometheus' error wording.
#ifndef SUNDIAL_SCRAPE_INTERNAL_LEX_H_
#define SUNDIAL_SCRAPE_INTERNAL_LEX_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sundial::scrape::internal {

// [a-zA-Z_:] and [a-zA-Z0-9_:]: metric name characters.
inline bool IsMetricNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
inline bool IsMetricNameChar(char c) { return IsMetricNameStart(c) || (c >= '0' && c <= '9'); }
// [a-zA-Z_] and [a-zA-Z0-9_]: label name characters.
inline bool IsLabelNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool IsLabelNameChar(char c) { return IsLabelNameStart(c) || (c >= '0' && c <= '9'); }

// Resolves \\ \" \n in a label value (other backslashes stay as written). Returns raw itself
// when it has no backslash, otherwise a view of *scratch.
std::string_view UnescapeLabelValue(std::string_view raw, std::string* scratch);
// Resolves \\ and \n in text-format help text, as UnescapeLabelValue.
std::string_view UnescapeHelp(std::string_view raw, std::string* scratch);

// Go's strconv.ParseFloat(s, 64) restricted as Prometheus does: '_', 'p' and 'P' are refused
// ("unsupported character in float"); other errors read `strconv.ParseFloat: parsing "x": invalid
// syntax` or `... value out of range`. NaN comes back as Prometheus' canonical NaN.
absl::StatusOr<double> ParseGoFloat(std::string_view s);
// strconv.ParseInt(s, 10, 64) for a string of ASCII digits.
absl::StatusOr<int64_t> ParseGoInt(std::string_view digits);

// "<what>, got \"<token>\"", the wording of Prometheus' parseError.
absl::Status TokenError(std::string_view what, std::string_view token);

}  // namespace sundial::scrape::internal

#endif  // SUNDIAL_SCRAPE_INTERNAL_LEX_H_
