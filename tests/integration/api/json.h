// A JSON value for the API tests (parsed with base/json.h), and a comparison that knows which
// differences between two Prometheus-compatible answers do not matter (array order where the API
// leaves it unspecified, float noise below a relative tolerance).
//
//   absl::StatusOr<json::Value> v = json::Parse(body);
//   std::string diff = json::Diff(*want, *got, options);  // "" when equivalent
#ifndef SUNDIAL_TESTS_INTEGRATION_API_JSON_H_
#define SUNDIAL_TESTS_INTEGRATION_API_JSON_H_

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sundial::testing::json {

struct Member;

struct Value {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;             // kString: the decoded string; kNumber: the literal as written
  std::vector<Value> items;     // kArray
  std::vector<Member> members;  // kObject, in document order

  bool is_object() const { return type == Type::kObject; }
  bool is_array() const { return type == Type::kArray; }
  bool is_string() const { return type == Type::kString; }
  bool is_number() const { return type == Type::kNumber; }
  // The member named key, or nullptr (also when this is not an object).
  const Value* Find(std::string_view key) const;
  // Member names in document order.
  std::vector<std::string> Keys() const;
};

struct Member {
  std::string first;  // the name
  Value second;
};

// Parses one JSON document (RFC 8259; surrogate pairs in \u escapes are decoded). On failure
// returns false and sets *error to the reason and its offset.
bool Parse(std::string_view text, Value* out, std::string* error);

// A compact canonical form: object members sorted by name, numbers as written.
std::string Canonical(const Value& v);

struct DiffOptions {
  // Arrays at these paths are compared as multisets (paths look like "$.data.result").
  std::function<bool(const std::string& path)> unordered = [](const std::string&) { return false; };
  // Object members ignored on both sides, by name.
  std::set<std::string> ignored_keys;
  // Strings that both parse fully as floats ("1.5", "+Inf", "NaN": sample values) are equal
  // within this relative tolerance (NaN equals NaN, infinities only themselves). JSON numbers
  // (timestamps) must be equal in value: 4.250 equals 4.25.
  double relative_tolerance = 1e-9;
};

// "" when want and got are equivalent, else the first difference with its path.
std::string Diff(const Value& want, const Value& got, const DiffOptions& options,
                 const std::string& path = "$");

}  // namespace sundial::testing::json

#endif  // SUNDIAL_TESTS_INTEGRATION_API_JSON_H_
