// A small JSON document model (Kubernetes API objects, block meta.json, test answers): parse once,
// read with lookups that never fail (a missing member or a value of another type reads as
// null / "" / 0).
//
//   absl::StatusOr<Json> pod = Json::Parse(text);
//   std::string_view ip = (*pod)["status"]["podIP"].str();
//   for (const Json& c : (*pod)["spec"]["containers"].items()) { ... }
//   for (const auto& [k, v] : (*pod)["metadata"]["labels"].members()) { ... }
//
// Immutable after parsing, so const access is safe from any thread.
#ifndef SUNDIAL_BASE_JSON_H_
#define SUNDIAL_BASE_JSON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace sundial {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Json() = default;
  // Strict RFC 8259 parsing of one value (surrounding whitespace allowed).
  static absl::StatusOr<Json> Parse(std::string_view text);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }

  // The member `key` of an object, or a null value.
  const Json& operator[](std::string_view key) const;
  bool Has(std::string_view key) const;
  // "" unless a string.
  const std::string& str() const { return type_ == Type::kString ? text_ : Empty(); }
  bool boolean() const { return type_ == Type::kBool && bool_; }
  // The number as an integer (0 unless a number). See literal() for strict conversions.
  int64_t integer() const;
  // The number as a double (0 unless a number).
  double number() const;
  // A number's text as written in the document ("" unless a number).
  const std::string& literal() const { return type_ == Type::kNumber ? text_ : Empty(); }
  // Array elements (empty unless an array) and object members in document order.
  const std::vector<Json>& items() const;
  const std::vector<std::pair<std::string, Json>>& members() const;

 private:
  friend class JsonParser;
  static const std::string& Empty();

  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string text_;  // string value, or the number's text
  std::shared_ptr<const std::vector<Json>> items_;
  std::shared_ptr<const std::vector<std::pair<std::string, Json>>> members_;
};

}  // namespace sundial

#endif  // SUNDIAL_BASE_JSON_H_
