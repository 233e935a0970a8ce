#include "integration/api/json.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "base/json.h"
#include "base/str_cat.h"

namespace sundial::testing::json {
namespace {

Value FromDocument(const Json& j) {
  Value v;
  switch (j.type()) {
    case Json::Type::kNull:
      break;
    case Json::Type::kBool:
      v.type = Value::Type::kBool;
      v.boolean = j.boolean();
      break;
    case Json::Type::kNumber:
      v.type = Value::Type::kNumber;
      v.number = j.number();
      v.text = j.literal();
      break;
    case Json::Type::kString:
      v.type = Value::Type::kString;
      v.text = j.str();
      break;
    case Json::Type::kArray:
      v.type = Value::Type::kArray;
      for (const Json& item : j.items()) v.items.push_back(FromDocument(item));
      break;
    case Json::Type::kObject:
      v.type = Value::Type::kObject;
      for (const auto& [name, value] : j.members()) {
        v.members.push_back(Member{name, FromDocument(value)});
      }
      break;
  }
  return v;
}

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
  absl::StatusOr<Json> doc = Json::Parse(text);
  if (!doc.ok()) {
    *error = std::string(AsStd(doc.status().message()));
    return false;
  }
  *out = FromDocument(*doc);
  return true;
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
