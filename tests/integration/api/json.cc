#include "integration/api/json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace sundial::testing::json {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool Document(Value* out, std::string* error) {
    bool ok = ParseValue(out, 0);
    SkipSpace();
    if (ok && pos_ != text_.size()) ok = Fail("trailing characters");
    if (!ok) *error = "offset " + std::to_string(pos_) + ": " + error_;
    return ok;
  }

 private:
  static constexpr int kMaxDepth = 256;

  bool Fail(const std::string& why) {
    if (error_.empty()) error_ = why;
    return false;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return Fail("bad literal");
    pos_ += word.size();
    return true;
  }

  bool ParseValue(Value* out, int depth) {
    if (depth > kMaxDepth) return Fail("nesting too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Fail("unexpected end");
    char c = text_[pos_];
    if (c == '{') return ParseObject(out, depth);
    if (c == '[') return ParseArray(out, depth);
    if (c == '"') {
      out->type = Value::Type::kString;
      return ParseString(&out->text);
    }
    if (c == 't' || c == 'f') {
      out->type = Value::Type::kBool;
      out->boolean = c == 't';
      return Literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      out->type = Value::Type::kNull;
      return Literal("null");
    }
    return ParseNumber(out);
  }

  bool ParseNumber(Value* out) {
    size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    size_t digits = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (pos_ == digits) return Fail("bad number");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      size_t frac = pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      if (pos_ == frac) return Fail("bad fraction");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      size_t exp = pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      if (pos_ == exp) return Fail("bad exponent");
    }
    out->type = Value::Type::kNumber;
    out->text = std::string(text_.substr(start, pos_ - start));
    out->number = std::strtod(out->text.c_str(), nullptr);
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return Fail("short \\u escape");
    *out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      *out <<= 4;
      if (c >= '0' && c <= '9') {
        *out |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        *out |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        *out |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Fail("bad \\u escape");
      }
    }
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool ParseString(std::string* out) {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            uint32_t low = 0;
            if (!Hex4(&low)) return false;
            if (low < 0xDC00 || low >= 0xE000) return Fail("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Fail("bad escape");
      }
    }
    return Fail("unterminated string");
  }

  bool ParseArray(Value* out, int depth) {
    out->type = Value::Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      out->items.emplace_back();
      if (!ParseValue(&out->items.back(), depth + 1)) return false;
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("unterminated array");
      char c = text_[pos_++];
      if (c == ']') return true;
      if (c != ',') return Fail("expected ',' or ']'");
    }
  }

  bool ParseObject(Value* out, int depth) {
    out->type = Value::Type::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected member name");
      out->members.emplace_back();
      if (!ParseString(&out->members.back().first)) return false;
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_++] != ':') return Fail("expected ':'");
      if (!ParseValue(&out->members.back().second, depth + 1)) return false;
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("unterminated object");
      char c = text_[pos_++];
      if (c == '}') return true;
      if (c != ',') return Fail("expected ',' or '}'");
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

void Quote(const std::string& s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out->append("\\u00");
      out->push_back(kHex[(c >> 4) & 0xF]);
      out->push_back(kHex[c & 0xF]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendCanonical(const Value& v, std::string* out) {
  switch (v.type) {
    case Value::Type::kNull:
      out->append("null");
      break;
    case Value::Type::kBool:
      out->append(v.boolean ? "true" : "false");
      break;
    case Value::Type::kNumber:
      out->append(v.text);
      break;
    case Value::Type::kString:
      Quote(v.text, out);
      break;
    case Value::Type::kArray:
      out->push_back('[');
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendCanonical(v.items[i], out);
      }
      out->push_back(']');
      break;
    case Value::Type::kObject: {
      std::vector<const Member*> sorted;
      for (const auto& m : v.members) sorted.push_back(&m);
      std::sort(sorted.begin(), sorted.end(),
                [](const auto* a, const auto* b) { return a->first < b->first; });
      out->push_back('{');
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0) out->push_back(',');
        Quote(sorted[i]->first, out);
        out->push_back(':');
        AppendCanonical(sorted[i]->second, out);
      }
      out->push_back('}');
      break;
    }
  }
}

// Parses the whole of s as a float the way Go's strconv.ParseFloat spells them in the API.
bool AsNumber(const std::string& s, double* out) {
  if (s == "NaN") {
    *out = std::nan("");
    return true;
  }
  if (s == "+Inf" || s == "Inf") {
    *out = HUGE_VAL;
    return true;
  }
  if (s == "-Inf") {
    *out = -HUGE_VAL;
    return true;
  }
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

bool Close(double a, double b, double tolerance) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  if (std::isinf(a) || std::isinf(b)) return false;
  return std::fabs(a - b) <= tolerance * std::max(std::fabs(a), std::fabs(b));
}

const char* TypeName(Value::Type t) {
  switch (t) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return "bool";
    case Value::Type::kNumber:
      return "number";
    case Value::Type::kString:
      return "string";
    case Value::Type::kArray:
      return "array";
    case Value::Type::kObject:
      return "object";
  }
  return "?";
}

}  // namespace

const Value* Value::Find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::vector<std::string> Value::Keys() const {
  std::vector<std::string> keys;
  for (const auto& m : members) keys.push_back(m.first);
  return keys;
}

bool Parse(std::string_view text, Value* out, std::string* error) {
  *out = Value();
  return Parser(text).Document(out, error);
}

std::string Canonical(const Value& v) {
  std::string out;
  AppendCanonical(v, &out);
  return out;
}

std::string Diff(const Value& want, const Value& got, const DiffOptions& options,
                 const std::string& path) {
  auto mismatch = [&](const std::string& what) {
    return path + ": " + what + "\n  want: " + Canonical(want) + "\n  got:  " + Canonical(got);
  };
  if (want.type == Value::Type::kString && got.type == Value::Type::kString) {
    double a = 0, b = 0;
    if (want.text == got.text) return "";
    if (AsNumber(want.text, &a) && AsNumber(got.text, &b) &&
        Close(a, b, options.relative_tolerance)) {
      return "";
    }
    return mismatch("strings differ");
  }
  if (want.type != got.type) {
    return mismatch(std::string("type ") + TypeName(want.type) + " vs " + TypeName(got.type));
  }
  switch (want.type) {
    case Value::Type::kNull:
      return "";
    case Value::Type::kBool:
      return want.boolean == got.boolean ? "" : mismatch("booleans differ");
    case Value::Type::kNumber:
      return Close(want.number, got.number, 0) ? "" : mismatch("numbers differ");
    case Value::Type::kString:
      return "";  // handled above
    case Value::Type::kArray: {
      if (want.items.size() != got.items.size()) {
        return mismatch("array lengths " + std::to_string(want.items.size()) + " vs " +
                        std::to_string(got.items.size()));
      }
      std::vector<const Value*> a, b;
      for (const Value& v : want.items) a.push_back(&v);
      for (const Value& v : got.items) b.push_back(&v);
      if (options.unordered(path)) {
        // Elements are ordered by their canonical text; equal-within-tolerance floats only
        // ever differ after the identifying part (metric labels come first in a sample).
        auto by_text = [](const Value* x, const Value* y) { return Canonical(*x) < Canonical(*y); };
        std::sort(a.begin(), a.end(), by_text);
        std::sort(b.begin(), b.end(), by_text);
      }
      for (size_t i = 0; i < a.size(); ++i) {
        std::string d = Diff(*a[i], *b[i], options, path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case Value::Type::kObject: {
      std::set<std::string> want_keys, got_keys;
      size_t want_count = 0, got_count = 0;
      for (const auto& m : want.members) {
        if (options.ignored_keys.count(m.first)) continue;
        want_keys.insert(m.first);
        ++want_count;
      }
      for (const auto& m : got.members) {
        if (options.ignored_keys.count(m.first)) continue;
        got_keys.insert(m.first);
        ++got_count;
      }
      if (want_keys != got_keys) return mismatch("member names differ");
      if (want_count != want_keys.size() || got_count != got_keys.size()) {
        return mismatch("duplicate member names");
      }
      for (const std::string& key : want_keys) {
        std::string d = Diff(*want.Find(key), *got.Find(key), options, path + "." + key);
        if (!d.empty()) return d;
      }
      return "";
    }
  }
  return "";
}

}  // namespace sundial::testing::json
