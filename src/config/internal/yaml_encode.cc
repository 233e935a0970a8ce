#include "config/internal/yaml_encode.h"

namespace sundial::config::internal {

void Encoder::String(std::string_view key, std::string_view value) {
  Key(key);
  out_ << std::string(value);
}

void Encoder::Bool(std::string_view key, bool value) {
  Key(key);
  out_ << YAML::TrueFalseBool << value;
}

void Encoder::Int(std::string_view key, int64_t value) {
  Key(key);
  out_ << value;
}

void Encoder::Dur(std::string_view key, Duration value) { String(key, FormatDuration(value)); }

void Encoder::OptString(std::string_view key, std::string_view value) {
  if (!value.empty()) String(key, value);
}

void Encoder::OptBool(std::string_view key, bool value) {
  if (value) Bool(key, value);
}

void Encoder::OptInt(std::string_view key, int64_t value) {
  if (value != 0) Int(key, value);
}

void Encoder::OptDur(std::string_view key, Duration value) {
  if (value != Duration::zero()) Dur(key, value);
}

void Encoder::OptSecret(std::string_view key, std::string_view value) {
  if (!value.empty()) String(key, Secret(value));
}

void Encoder::OptStrings(std::string_view key, const std::vector<std::string>& values, bool flow) {
  if (values.empty()) return;
  Key(key);
  if (flow) out_ << YAML::Flow;
  out_ << YAML::BeginSeq;
  for (const std::string& v : values) out_ << v;
  out_ << YAML::EndSeq;
}

void Encoder::OptMap(std::string_view key, const std::map<std::string, std::string>& values,
                     bool secret_values) {
  if (values.empty()) return;
  Key(key);
  BeginMap();
  for (const auto& [k, v] : values) String(k, secret_values ? Secret(v) : v);
  EndMap();
}

void Encoder::OptMultiMap(std::string_view key,
                          const std::map<std::string, std::vector<std::string>>& values,
                          bool secret_values) {
  if (values.empty()) return;
  Key(key);
  BeginMap();
  for (const auto& [k, vs] : values) {
    Key(k);
    out_ << YAML::BeginSeq;
    for (const std::string& v : vs) out_ << (secret_values ? Secret(v) : v);
    out_ << YAML::EndSeq;
  }
  EndMap();
}

std::string Encoder::Secret(std::string_view value) const {
  return secrets_ == Secrets::kHide ? "<secret>" : std::string(value);
}

}  // namespace sundial::config::internal
