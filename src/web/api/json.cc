#include "web/api/json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace sundial::web::api {
namespace {

// Shortest round-trip digits in the given notation. For fixed notation std::to_chars would
// print large integers exactly ("1e23" as 99999999999999991611392); Go pads the shortest digits
// with zeros instead, so fixed notation is built from the scientific form.
void AppendDouble(std::string* out, double v, std::chars_format format) {
  char buf[64];
  // Integers below 10^15 have the same digits in every notation Go uses for fixed output.
  if (format == std::chars_format::fixed && std::fabs(v) < 1e15 && std::trunc(v) == v &&
      !(v == 0 && std::signbit(v))) {
    auto res = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
    out->append(buf, res.ptr);
    return;
  }
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  if (format == std::chars_format::scientific) {
    out->append(sci);
    return;
  }
  if (!sci.empty() && sci[0] == '-') {
    out->push_back('-');
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  char digits_buf[32];  // at most 17 significant digits
  size_t n = 0;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits_buf[n++] = c;
  }
  const std::string_view digits(digits_buf, n);
  int exp = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp);
  // value = 0.digits * 10^(exp+1): the decimal point goes after exp+1 digits.
  const int point = exp + 1;
  if (point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-point), '0');
    out->append(digits);
  } else if (static_cast<size_t>(point) >= n) {
    out->append(digits);
    out->append(static_cast<size_t>(point) - n, '0');
  } else {
    out->append(digits.substr(0, static_cast<size_t>(point)));
    out->push_back('.');
    out->append(digits.substr(static_cast<size_t>(point)));
  }
}

bool AppendNonFinite(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    return false;
  }
  return true;
}

bool UseExponent(double v) {
  double abs = std::fabs(v);
  return abs != 0 && (abs < 1e-6 || abs >= 1e21);
}

}  // namespace

void AppendTimestamp(std::string* out, int64_t ms) {
  uint64_t abs = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) out->push_back('-');
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, abs / 1000);
  out->append(buf, res.ptr);
  unsigned fraction = static_cast<unsigned>(abs % 1000);
  if (fraction != 0) {
    char frac[4] = {'.', static_cast<char>('0' + fraction / 100),
                    static_cast<char>('0' + fraction / 10 % 10),
                    static_cast<char>('0' + fraction % 10)};
    out->append(frac, sizeof frac);
  }
}

void AppendGoJsonNumber(std::string* out, double v) {
  if (!UseExponent(v)) {
    AppendDouble(out, v, std::chars_format::fixed);
    return;
  }
  size_t begin = out->size();
  AppendDouble(out, v, std::chars_format::scientific);
  // Go's encoding/json shortens a two-digit negative exponent: "e-07" -> "e-7".
  size_t n = out->size() - begin;
  if (n >= 4 && (*out)[out->size() - 4] == 'e' && (*out)[out->size() - 3] == '-' &&
      (*out)[out->size() - 2] == '0') {
    out->erase(out->size() - 2, 1);
  }
}

void AppendSampleValue(std::string* out, double v) {
  out->push_back('"');
  if (!AppendNonFinite(out, v)) {
    AppendDouble(out, v, UseExponent(v) ? std::chars_format::scientific : std::chars_format::fixed);
  }
  out->push_back('"');
}

void AppendFloatF(std::string* out, double v) {
  if (!AppendNonFinite(out, v)) AppendDouble(out, v, std::chars_format::fixed);
}

void AppendScalarValue(std::string* out, double v) {
  out->push_back('"');
  AppendFloatF(out, v);
  out->push_back('"');
}

void AppendLabels(std::string* out, const Labels& labels) {
  out->push_back('{');
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, l.name);
    out->push_back(':');
    AppendJsonString(out, l.value);
  }
  out->push_back('}');
}

}  // namespace sundial::web::api
