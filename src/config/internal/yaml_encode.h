// Helpers for printing config structs as YAML (internal to src/config/). Keys with zero values
// are left out where Prometheus marks them omitempty; the callers decide which.
#ifndef SUNDIAL_CONFIG_INTERNAL_YAML_ENCODE_H_
#define SUNDIAL_CONFIG_INTERNAL_YAML_ENCODE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration.h"
#include "config/config.h"
#include "yaml-cpp/yaml.h"

namespace sundial::config::internal {

class Encoder {
 public:
  explicit Encoder(Secrets secrets) : secrets_(secrets) {}

  YAML::Emitter& out() { return out_; }
  std::string Text() const { return out_.c_str(); }

  void BeginMap() { out_ << YAML::BeginMap; }
  void EndMap() { out_ << YAML::EndMap; }
  void Key(std::string_view key) { out_ << YAML::Key << std::string(key) << YAML::Value; }

  // Always printed.
  void String(std::string_view key, std::string_view value);
  void Bool(std::string_view key, bool value);
  void Int(std::string_view key, int64_t value);
  void Dur(std::string_view key, Duration value);
  // Printed only when not empty / not zero / true.
  void OptString(std::string_view key, std::string_view value);
  void OptBool(std::string_view key, bool value);
  void OptInt(std::string_view key, int64_t value);
  void OptDur(std::string_view key, Duration value);
  void OptSecret(std::string_view key, std::string_view value);
  void OptStrings(std::string_view key, const std::vector<std::string>& values, bool flow = false);
  void OptMap(std::string_view key, const std::map<std::string, std::string>& values,
              bool secret_values = false);
  void OptMultiMap(std::string_view key,
                   const std::map<std::string, std::vector<std::string>>& values,
                   bool secret_values = false);

 private:
  std::string Secret(std::string_view value) const;

  Secrets secrets_;
  YAML::Emitter out_;
};

}  // namespace sundial::config::internal

#endif  // SUNDIAL_CONFIG_INTERNAL_YAML_ENCODE_H_
