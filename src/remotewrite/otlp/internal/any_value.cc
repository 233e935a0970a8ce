#include "remotewrite/otlp/internal/any_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "base/str_cat.h"

namespace sundial::remotewrite::otlp {
namespace {

using sundial::otlp::AnyValue;
using sundial::otlp::KeyValue;

void AppendBase64(std::string_view in, std::string* out) {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out->push_back(kAlphabet[(n >> 18) & 63]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->push_back(kAlphabet[(n >> 6) & 63]);
    out->push_back(kAlphabet[n & 63]);
  }
  size_t rest = in.size() - i;
  if (rest == 0) return;
  uint32_t n = static_cast<uint8_t>(in[i]) << 16;
  if (rest == 2) n |= static_cast<uint8_t>(in[i + 1]) << 8;
  out->push_back(kAlphabet[(n >> 18) & 63]);
  out->push_back(kAlphabet[(n >> 12) & 63]);
  out->push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
  out->push_back('=');
}

// A JSON string as Go's encoding/json writes it (HTML-safe escapes for <, >, &).
void AppendJsonString(std::string_view s, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          *out += "\\u00";
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
          // U+2028 and U+2029, escaped by Go for JavaScript's sake.
          *out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
          i += 2;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendJson(const AnyValue& value, std::string* out);

void AppendJsonMap(const google::protobuf::RepeatedPtrField<KeyValue>& kvs, std::string* out) {
  std::vector<const KeyValue*> sorted;
  sorted.reserve(kvs.size());
  for (const KeyValue& kv : kvs) sorted.push_back(&kv);
  // A map holds one value per key: the last one given wins.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const KeyValue* a, const KeyValue* b) { return a->key() < b->key(); });
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + 1 < sorted.size() && sorted[i + 1]->key() == sorted[i]->key()) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(sorted[i]->key(), out);
    out->push_back(':');
    AppendJson(sorted[i]->value(), out);
  }
  out->push_back('}');
}

void AppendJson(const AnyValue& value, std::string* out) {
  switch (value.value_case()) {
    case AnyValue::kStringValue:
      AppendJsonString(value.string_value(), out);
      break;
    case AnyValue::kBoolValue:
    case AnyValue::kIntValue:
      AppendAnyValue(value, out);
      break;
    case AnyValue::kDoubleValue:
      if (std::isfinite(value.double_value())) {
        AppendJsonDouble(value.double_value(), out);
      } else {
        *out += "null";  // JSON has no NaN or infinities
      }
      break;
    case AnyValue::kBytesValue:
      out->push_back('"');
      AppendBase64(value.bytes_value(), out);
      out->push_back('"');
      break;
    case AnyValue::kArrayValue: {
      out->push_back('[');
      bool first = true;
      for (const AnyValue& v : value.array_value().values()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(v, out);
      }
      out->push_back(']');
      break;
    }
    case AnyValue::kKvlistValue:
      AppendJsonMap(value.kvlist_value().values(), out);
      break;
    case AnyValue::VALUE_NOT_SET:
      *out += "null";
      break;
  }
}

}  // namespace

void AppendJsonDouble(double v, std::string* out) {
  char buf[64];
  double abs = std::fabs(v);
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view s(buf, res.ptr - buf);
    // "1e-07" -> "1e-7", as JavaScript writes exponents.
    size_t e = s.find('e');
    out->append(s.substr(0, e + 2));
    std::string_view digits = s.substr(e + 2);
    while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
    out->append(digits);
    return;
  }
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (res.ec == std::errc()) {
    out->append(buf, res.ptr);
  } else {
    StrAppend(out, v);
  }
}

void AppendAnyValue(const AnyValue& value, std::string* out) {
  switch (value.value_case()) {
    case AnyValue::kStringValue:
      *out += value.string_value();
      break;
    case AnyValue::kBoolValue:
      *out += value.bool_value() ? "true" : "false";
      break;
    case AnyValue::kIntValue:
      StrAppend(out, value.int_value());
      break;
    case AnyValue::kDoubleValue: {
      double v = value.double_value();
      if (std::isnan(v)) {
        *out += "NaN";
      } else if (std::isinf(v)) {
        *out += v > 0 ? "+Inf" : "-Inf";
      } else {
        AppendJsonDouble(v, out);
      }
      break;
    }
    case AnyValue::kBytesValue:
      AppendBase64(value.bytes_value(), out);
      break;
    case AnyValue::kArrayValue:
    case AnyValue::kKvlistValue:
      AppendJson(value, out);
      break;
    case AnyValue::VALUE_NOT_SET:
      break;
  }
}

}  // namespace sundial::remotewrite::otlp
