// Strict YAML decoding helpers shared by the config parsers (internal to src/config/).
//
// Every error carries "<file>:<line>: ". Unknown keys and keys given twice are rejected, as
// Prometheus' strict unmarshalling does. Decoders of plain values are overloads of DecodeYaml;
// those of config structs live next to their struct and are found by argument-dependent lookup.
//
//   MapDecoder d(node, ctx, "scrape_config");
//   d.Field("job_name", &out->job_name).Field("scrape_interval", &out->scrape_interval);
//   RETURN_IF_ERROR(d.Finish());
#ifndef SUNDIAL_CONFIG_INTERNAL_YAML_DECODE_H_
#define SUNDIAL_CONFIG_INTERNAL_YAML_DECODE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "base/duration.h"
#include "yaml-cpp/yaml.h"

namespace sundial::config::internal {

class DecodeContext {
 public:
  explicit DecodeContext(std::string_view filename) : filename_(filename) {}

  // "<file>:<line>: <message>", the line taken from node (1-based); no line if node has none.
  absl::Status Error(const YAML::Node& node, std::string_view message) const;
  // As Error, with the name of the field being decoded: "<file>:<line>: <field>: <message>".
  absl::Status FieldError(const YAML::Node& node, std::string_view message) const;

  // The field whose value is being decoded; set by MapDecoder::Field.
  const std::string& field() const { return field_; }
  void set_field(std::string field) { field_ = std::move(field); }

 private:
  std::string filename_;
  std::string field_;
};

// Decodes the keys of one YAML mapping. Stops at the first error; Finish() returns it, or an
// error for the first key that no Field() call asked for.
class MapDecoder {
 public:
  // A null node decodes as an empty mapping. type_name names the section in errors.
  MapDecoder(const YAML::Node& node, DecodeContext& ctx, std::string_view type_name);

  // Decodes node[key] into *out if the key is present and not null; otherwise leaves *out.
  template <typename T>
  MapDecoder& Field(std::string_view key, T* out);
  // Whether key is present with a non-null value.
  bool Has(std::string_view key) const;

  absl::Status Finish();
  const absl::Status& status() const { return status_; }

 private:
  const YAML::Node node_;
  DecodeContext& ctx_;
  std::string type_name_;
  absl::flat_hash_set<std::string> known_;
  absl::Status status_;
};

// Scalars. Errors follow Prometheus: `cannot unmarshal !!str `abc` into uint`.
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, std::string* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, bool* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, uint64_t* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, int64_t* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, double* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, Duration* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx,
                        std::map<std::string, std::string>* out);
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx,
                        std::map<std::string, std::vector<std::string>>* out);

// A sequence; a null node is an empty one.
template <typename T>
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, std::vector<T>* out) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsSequence()) return ctx.FieldError(node, "expected a list");
  out->clear();
  for (const YAML::Node& item : node) {
    T value{};
    absl::Status status = DecodeYaml(item, ctx, &value);
    if (!status.ok()) return status;
    out->push_back(std::move(value));
  }
  return absl::OkStatus();
}

// An optional section: present (even if empty) means engaged.
template <typename T>
absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, std::optional<T>* out) {
  T value{};
  absl::Status status = DecodeYaml(node, ctx, &value);
  if (!status.ok()) return status;
  *out = std::move(value);
  return absl::OkStatus();
}

// Base-2 byte sizes as Prometheus' body_size_limit: "0", "512B", "10KB", "10MiB", ... (KB and KiB
// both mean 1024). Errors read `units: unknown unit XB in 10XB`.
absl::StatusOr<int64_t> ParseByteSize(std::string_view text);

// Base2Bytes printing: the largest unit that divides evenly, "10MiB", "1536KiB", "0B".
std::string FormatByteSize(int64_t bytes);

// path joined to dir unless it is empty or absolute (Prometheus' config.JoinDir).
std::string JoinDir(std::string_view dir, const std::string& path);

template <typename T>
MapDecoder& MapDecoder::Field(std::string_view key, T* out) {
  known_.insert(std::string(key));
  if (!status_.ok()) return *this;
  const YAML::Node child = node_[std::string(key)];
  if (!child.IsDefined() || child.IsNull()) return *this;
  std::string saved = ctx_.field();
  ctx_.set_field(std::string(key));
  status_ = DecodeYaml(child, ctx_, out);
  ctx_.set_field(std::move(saved));
  return *this;
}

}  // namespace sundial::config::internal

#endif  // SUNDIAL_CONFIG_INTERNAL_YAML_DECODE_H_
