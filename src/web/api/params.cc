#include "web/api/params.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "base/duration.h"
#include "base/str_cat.h"

namespace sundial::web::api {
namespace {

// strconv.ParseFloat for the inputs that matter: decimal and exponent forms, an optional sign,
// "Inf"/"Infinity"/"NaN" in any case.
bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  bool negative = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
    if (body.empty() || body[0] == '+' || body[0] == '-') return false;
  }
  auto lower_equals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != b[i]) return false;
    }
    return true;
  };
  if (lower_equals(body, "inf") || lower_equals(body, "infinity")) {
    *out = negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower_equals(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  for (char c : body) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
      return false;
  }
  double v = 0;
  auto res = std::from_chars(body.data(), body.data() + body.size(), v);
  if (res.ptr != body.data() + body.size()) return false;
  if (res.ec == std::errc::result_out_of_range) {
    // Go returns ±Inf or 0 with an error; both make ParseFloat fail.
    return false;
  }
  if (res.ec != std::errc()) return false;
  *out = negative ? -v : v;
  return true;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// time.Parse(time.RFC3339Nano, s): "2006-01-02T15:04:05.999999999Z07:00" (fraction optional).
bool ParseRfc3339(std::string_view s, int64_t* ms) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || s[10] != 'T' || !Digits(s, 11, 2, &hour) ||
      s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' || !Digits(s, 17, 2, &second)) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || day < 1) return false;
  if (day > kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0)) return false;
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
    for (size_t i = start; i < start + 3; ++i) {
      frac_ms = frac_ms * 10 + (i < pos ? s[i] - '0' : 0);
    }
  }
  int64_t offset_s = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    offset_s = (oh * 60 + om) * 60 * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  int64_t secs =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      hour * 3600 + minute * 60 + second - offset_s;
  *ms = secs * 1000 + frac_ms;
  return true;
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

absl::StatusOr<int64_t> ParseTime(std::string_view s) {
  double f = 0;
  if (ParseGoFloat(s, &f)) {
    double whole = 0;
    double frac = std::modf(f, &whole);
    if (std::isfinite(f) && std::fabs(whole) < 9.2e15) {
      return static_cast<int64_t>(whole) * 1000 + static_cast<int64_t>(std::round(frac * 1000));
    }
    return absl::InvalidArgumentError(StrCat("cannot parse ", GoQuote(s), " to a valid timestamp"));
  }
  int64_t ms = 0;
  if (ParseRfc3339(s, &ms)) return ms;
  if (s == kMinTimeFormatted) return kMinTimeMs;
  if (s == kMaxTimeFormatted) return kMaxTimeMs;
  return absl::InvalidArgumentError(StrCat("cannot parse ", GoQuote(s), " to a valid timestamp"));
}

absl::StatusOr<int64_t> ParseDurationNs(std::string_view s) {
  double f = 0;
  if (ParseGoFloat(s, &f)) {
    double ns = f * 1e9;
    if (ns > 9.223372036854775807e18 || ns < -9.223372036854775808e18) {
      return absl::InvalidArgumentError(
          StrCat("cannot parse ", GoQuote(s), " to a valid duration. It overflows int64"));
    }
    if (std::isnan(ns)) return int64_t{std::numeric_limits<int64_t>::min()};
    return static_cast<int64_t>(ns);
  }
  absl::StatusOr<Duration> d = ParseDuration(s);
  if (d.ok() && d->count() <= std::numeric_limits<int64_t>::max() / 1000000) {
    return static_cast<int64_t>(d->count()) * 1000000;
  }
  return absl::InvalidArgumentError(StrCat("cannot parse ", GoQuote(s), " to a valid duration"));
}

absl::StatusOr<int64_t> ParseTimeParam(const HttpRequest& req, std::string_view name,
                                       int64_t default_ms) {
  std::string_view value = req.Param(name);
  if (value.empty()) return default_ms;
  absl::StatusOr<int64_t> t = ParseTime(value);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        StrCat("Invalid time value for '", name, "': ", t.status().message()));
  }
  return t;
}

std::string InvalidParam(std::string_view name, std::string_view message) {
  return StrCat("invalid parameter \"", name, "\": ", message);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sundial::web::api
