#include "web/api/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace sundial::web::api {
namespace {

// Room for any FormatFloat(v, 'f', -1, 64): "-0." + 323 zeros + "5" for the smallest
// subnormal, or 309 integer digits for the largest double.
constexpr size_t kMaxFixedChars = 400;

// Go's FormatFloat(v, 'f', -1, 64) of a finite v at p, which has kMaxFixedChars of room;
// returns the end. Go writes the shortest round-trip digits padded with zeros, so "1e23" is
// 100000000000000000000000. std::to_chars' fixed form is the shortest fixed string that
// round-trips, which is the same below 1e15 (there a double's integer part is exact, so only
// the fraction can be shortened); above it std::to_chars would print large integers exactly
// (99999999999999991611392), so the fixed form is built from the scientific one.
char* WriteFixed(char* p, double v) {
  if (std::fabs(v) < 1e15) {
    if (std::trunc(v) == v && !(v == 0 && std::signbit(v))) {
      return std::to_chars(p, p + kMaxFixedChars, static_cast<int64_t>(v)).ptr;
    }
    return std::to_chars(p, p + kMaxFixedChars, v, std::chars_format::fixed).ptr;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  if (sci[0] == '-') {
    *p++ = '-';
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  char digits_buf[32];  // at most 17 significant digits
  size_t n = 0;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits_buf[n++] = c;
  }
  int exp = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp);
  // value = 0.digits * 10^(exp+1), exp >= 15: the decimal point goes after exp+1 digits.
  const size_t point = static_cast<size_t>(exp + 1);
  if (point >= n) {
    p = std::copy_n(digits_buf, n, p);
    return std::fill_n(p, point - n, '0');
  }
  p = std::copy_n(digits_buf, point, p);
  *p++ = '.';
  return std::copy_n(digits_buf + point, n - point, p);
}

// Shortest round-trip digits in exponent form ("1e-07", "1.5e+300") at p, which has 32
// bytes of room; returns the end.
char* WriteScientific(char* p, double v) {
  return std::to_chars(p, p + 32, v, std::chars_format::scientific).ptr;
}

// "NaN", "+Inf" or "-Inf" at p (4 bytes of room) and the end, or nullptr if v is finite.
char* WriteNonFinite(char* p, double v) {
  if (std::isnan(v)) return std::copy_n("NaN", 3, p);
  if (std::isinf(v)) return std::copy_n(v > 0 ? "+Inf" : "-Inf", 4, p);
  return nullptr;
}

bool UseExponent(double v) {
  double abs = std::fabs(v);
  return abs != 0 && (abs < 1e-6 || abs >= 1e21);
}

}  // namespace

char* WriteTimestamp(char* p, int64_t ms) {
  uint64_t abs = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) *p++ = '-';
  p = std::to_chars(p, p + 20, abs / 1000).ptr;
  unsigned fraction = static_cast<unsigned>(abs % 1000);
  if (fraction != 0) {
    p[0] = '.';
    p[1] = static_cast<char>('0' + fraction / 100);
    p[2] = static_cast<char>('0' + fraction / 10 % 10);
    p[3] = static_cast<char>('0' + fraction % 10);
    p += 4;
  }
  return p;
}

char* WriteSampleValue(char* p, double v) {
  *p++ = '"';
  if (char* end = WriteNonFinite(p, v)) {
    p = end;
  } else {
    // Below 1e21 the fixed form has at most 22 characters.
    p = UseExponent(v) ? WriteScientific(p, v) : WriteFixed(p, v);
  }
  *p++ = '"';
  return p;
}

void AppendTimestamp(std::string* out, int64_t ms) {
  char buf[kMaxTimestampChars];
  out->append(buf, WriteTimestamp(buf, ms));
}

void AppendGoJsonNumber(std::string* out, double v) {
  char buf[kMaxFixedChars];
  if (!UseExponent(v)) {
    out->append(buf, WriteFixed(buf, v));
    return;
  }
  char* end = WriteScientific(buf, v);
  // Go's encoding/json shortens a two-digit negative exponent: "e-07" -> "e-7".
  if (end - buf >= 4 && end[-4] == 'e' && end[-3] == '-' && end[-2] == '0') {
    end[-2] = end[-1];
    --end;
  }
  out->append(buf, end);
}

void AppendSampleValue(std::string* out, double v) {
  char buf[kMaxSampleValueChars];
  out->append(buf, WriteSampleValue(buf, v));
}

void AppendFloatF(std::string* out, double v) {
  char buf[kMaxFixedChars];
  char* end = WriteNonFinite(buf, v);
  out->append(buf, end != nullptr ? end : WriteFixed(buf, v));
}

void AppendScalarValue(std::string* out, double v) {
  out->push_back('"');
  AppendFloatF(out, v);
  out->push_back('"');
}

void AppendLabels(std::string* out, const Labels& labels) {
  // Usually no name or value needs escaping: then the object's size is known up front and it
  // is written in place.
  size_t size = 2;  // {}
  bool plain = true;
  for (const Label& l : labels) {
    size += (size > 2 ? 1 : 0) + l.name.size() + l.value.size() + 5;  // ,"name":"value"
    plain = plain && IsPlainJsonString(l.name) && IsPlainJsonString(l.value);
  }
  if (plain) {
    const size_t at = out->size();
    out->resize(at + size);
    char* p = out->data() + at;
    *p++ = '{';
    auto quoted = [&p](std::string_view s) {
      *p++ = '"';
      p = std::copy(s.begin(), s.end(), p);
      *p++ = '"';
    };
    for (const Label& l : labels) {
      if (p != out->data() + at + 1) *p++ = ',';
      quoted(l.name);
      *p++ = ':';
      quoted(l.value);
    }
    *p = '}';
    return;
  }
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
