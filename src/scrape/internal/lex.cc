// Lexing helpers shared by the exposition parsers.
#include "scrape/internal/lex.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "base/str_cat.h"
#include "base/strings.h"

namespace sundial::scrape::internal {
namespace {

// Prometheus' value.NormalNaN.
constexpr uint64_t kNormalNaN = 0x7ff8000000000001ULL;

template <bool kQuote>
std::string_view Unescape(std::string_view raw, std::string* scratch) {
  size_t i = raw.find('\\');
  if (i == std::string_view::npos) return raw;
  scratch->assign(raw.data(), i);
  for (; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      char n = raw[i + 1];
      if (n == '\\' || n == 'n' || (kQuote && n == '"')) {
        scratch->push_back(n == 'n' ? '\n' : n);
        ++i;
        continue;
      }
    }
    scratch->push_back(c);
  }
  return *scratch;
}

bool EqualFoldPrefix(std::string_view s, std::string_view lower_word, size_t n) {
  if (s.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_word[i]) return false;
  }
  return true;
}

absl::Status FloatError(std::string_view s, std::string_view why) {
  return absl::InvalidArgumentError(StrCat("strconv.ParseFloat: parsing ", GoQuote(s), ": ", why));
}

// digits [ '.' digits ] [ ('e'|'E') [sign] digits ], at least one mantissa digit.
bool IsDecimalFloat(std::string_view s) {
  size_t i = 0, digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

}  // namespace

std::string_view UnescapeLabelValue(std::string_view raw, std::string* scratch) {
  return Unescape<true>(raw, scratch);
}

std::string_view UnescapeHelp(std::string_view raw, std::string* scratch) {
  return Unescape<false>(raw, scratch);
}

absl::StatusOr<double> ParseGoFloat(std::string_view s) {
  // Most values are small unsigned integers (counters, buckets): exact in a double.
  if (!s.empty() && s.size() <= 15) {
    int64_t n = 0;
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') n = n * 10 + (s[i++] - '0');
    if (i == s.size()) return static_cast<double>(n);
  }
  if (s.find_first_of("pP_") != std::string_view::npos) {
    return absl::InvalidArgumentError("unsupported character in float");
  }
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
    // Go accepts a sign before "inf"/"infinity" but not before "nan".
  } else if (EqualFoldPrefix(body, "nan", 3)) {
    return std::bit_cast<double>(kNormalNaN);
  }
  if (EqualFoldPrefix(body, "inf", 3) || EqualFoldPrefix(body, "infinity", 8)) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (!IsDecimalFloat(body)) return FloatError(s, "invalid syntax");
  double v = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error in Go, underflow rounds towards zero: let strtod tell them apart.
    std::string copy(body);
    v = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(v)) return FloatError(s, "value out of range");
  } else if (ec != std::errc() || ptr != body.data() + body.size()) {
    return FloatError(s, "invalid syntax");
  }
  return negative ? -v : v;
}

absl::StatusOr<int64_t> ParseGoInt(std::string_view digits) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec == std::errc::result_out_of_range) {
    return absl::InvalidArgumentError(
        StrCat("strconv.ParseInt: parsing ", GoQuote(digits), ": value out of range"));
  }
  if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) {
    return absl::InvalidArgumentError(
        StrCat("strconv.ParseInt: parsing ", GoQuote(digits), ": invalid syntax"));
  }
  return v;
}

absl::Status TokenError(std::string_view what, std::string_view token) {
  return absl::InvalidArgumentError(StrCat(what, ", got ", GoQuote(token)));
}

}  // namespace sundial::scrape::internal
