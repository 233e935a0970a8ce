#include "config/internal/yaml_decode.h"

#include <charconv>
#include <cstdlib>
#include <limits>

#include "base/str_cat.h"

namespace sundial::config::internal {
namespace {

// The YAML kind as yaml.v2 names it in errors.
std::string_view KindName(const YAML::Node& node) {
  if (node.IsSequence()) return "!!seq";
  if (node.IsMap()) return "!!map";
  return "!!str";
}

absl::Status CannotUnmarshal(const YAML::Node& node, DecodeContext& ctx, std::string_view into) {
  std::string shown = node.IsScalar() ? StrCat(" `", node.Scalar(), "`") : std::string();
  return ctx.FieldError(node, StrCat("cannot unmarshal ", KindName(node), shown, " into ", into));
}

// Plain scalars only: a quoted "true" is a string to yaml.v2, not a bool or a number.
bool IsPlainScalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() != "!"; }

}  // namespace

absl::Status DecodeContext::Error(const YAML::Node& node, std::string_view message) const {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return absl::InvalidArgumentError(StrCat(filename_, ": ", message));
  return absl::InvalidArgumentError(StrCat(filename_, ":", mark.line + 1, ": ", message));
}

absl::Status DecodeContext::FieldError(const YAML::Node& node, std::string_view message) const {
  if (field_.empty()) return Error(node, message);
  return Error(node, StrCat(field_, ": ", message));
}

MapDecoder::MapDecoder(const YAML::Node& node, DecodeContext& ctx, std::string_view type_name)
    : node_(node), ctx_(ctx), type_name_(type_name) {
  if (!node.IsNull() && !node.IsMap()) {
    status_ = CannotUnmarshal(node, ctx, StrCat("type ", type_name));
  }
}

bool MapDecoder::Has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node child = node_[std::string(key)];
  return child.IsDefined() && !child.IsNull();
}

absl::Status MapDecoder::Finish() {
  if (!status_.ok() || !node_.IsMap()) return status_;
  absl::flat_hash_set<std::string> seen;
  for (const auto& entry : node_) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) return ctx_.Error(key, "mapping keys must be strings");
    const std::string& name = key.Scalar();
    if (!known_.contains(name)) {
      return ctx_.Error(key, StrCat("field ", name, " not found in type ", type_name_));
    }
    if (!seen.insert(name).second) {
      return ctx_.Error(key, StrCat("field ", name, " already set in type ", type_name_));
    }
  }
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, std::string* out) {
  if (node.IsNull()) {
    out->clear();
    return absl::OkStatus();
  }
  if (!node.IsScalar()) return CannotUnmarshal(node, ctx, "string");
  *out = node.Scalar();
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, bool* out) {
  if (IsPlainScalar(node)) {
    const std::string& s = node.Scalar();
    for (std::string_view t :
         {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"}) {
      if (s == t) return *out = true, absl::OkStatus();
    }
    for (std::string_view f :
         {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"}) {
      if (s == f) return *out = false, absl::OkStatus();
    }
  }
  return CannotUnmarshal(node, ctx, "bool");
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, uint64_t* out) {
  if (IsPlainScalar(node)) {
    const std::string& s = node.Scalar();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return absl::OkStatus();
  }
  return CannotUnmarshal(node, ctx, "uint");
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, int64_t* out) {
  if (IsPlainScalar(node)) {
    const std::string& s = node.Scalar();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return absl::OkStatus();
  }
  return CannotUnmarshal(node, ctx, "int");
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, double* out) {
  if (IsPlainScalar(node)) {
    const std::string& s = node.Scalar();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return absl::OkStatus();
  }
  return CannotUnmarshal(node, ctx, "float64");
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, Duration* out) {
  if (!node.IsScalar()) return CannotUnmarshal(node, ctx, "model.Duration");
  absl::StatusOr<Duration> d = ParseDuration(node.Scalar());
  if (!d.ok()) return ctx.FieldError(node, AsStd(d.status().message()));
  *out = *d;
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx,
                        std::map<std::string, std::string>* out) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) return CannotUnmarshal(node, ctx, "map[string]string");
  out->clear();
  for (const auto& entry : node) {
    std::string key, value;
    absl::Status status = DecodeYaml(entry.first, ctx, &key);
    if (status.ok()) status = DecodeYaml(entry.second, ctx, &value);
    if (!status.ok()) return status;
    if (!out->emplace(std::move(key), std::move(value)).second) {
      return ctx.FieldError(entry.first, StrCat("duplicate key \"", entry.first.Scalar(), "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx,
                        std::map<std::string, std::vector<std::string>>* out) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) return CannotUnmarshal(node, ctx, "map[string][]string");
  out->clear();
  for (const auto& entry : node) {
    std::string key;
    std::vector<std::string> values;
    absl::Status status = DecodeYaml(entry.first, ctx, &key);
    if (status.ok()) status = DecodeYaml(entry.second, ctx, &values);
    if (!status.ok()) return status;
    (*out)[key] = std::move(values);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ParseByteSize(std::string_view text) {
  if (text == "0") return 0;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string_view unit = text.substr(digits);
  static constexpr struct {
    std::string_view name;
    int shift;
  } kUnits[] = {{"B", 0},    {"KB", 10},  {"KiB", 10}, {"MB", 20},  {"MiB", 20},
                {"GB", 30},  {"GiB", 30}, {"TB", 40},  {"TiB", 40}, {"PB", 50},
                {"PiB", 50}, {"EB", 60},  {"EiB", 60}};
  int shift = -1;
  for (const auto& u : kUnits) {
    if (u.name == unit) shift = u.shift;
  }
  if (shift < 0 || digits == 0) {
    return absl::InvalidArgumentError(StrCat("units: unknown unit ", unit, " in ", text));
  }
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + digits, value);
  if (value > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) >> shift)) {
    return absl::InvalidArgumentError(StrCat("units: overflow in ", text));
  }
  return static_cast<int64_t>(value << shift);
}

std::string FormatByteSize(int64_t bytes) {
  static constexpr std::string_view kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  size_t unit = 0;
  while (bytes != 0 && bytes % 1024 == 0 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  return StrCat(bytes, kUnits[unit]);
}

std::string JoinDir(std::string_view dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || dir.empty()) return path;
  if (dir.back() == '/') return StrCat(dir, path);
  return StrCat(dir, "/", path);
}

}  // namespace sundial::config::internal
