// Relabeling rules (relabel_configs, metric_relabel_configs, write_relabel_configs,
// alert_relabel_configs), validated as Prometheus 2.42 does.
#ifndef SUNDIAL_CONFIG_RELABEL_CONFIG_H_
#define SUNDIAL_CONFIG_RELABEL_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace sundial::config {

enum class RelabelAction {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

// The config spelling: "replace", "keepequal", "hashmod", ...
std::string_view RelabelActionName(RelabelAction action);

// A relabel regex: the source text plus RE2 compiled as ^(?s:<source>)$. Cheap to copy; the
// compiled form is shared and immutable.
class RelabelRegex {
 public:
  // Fails with `error parsing regexp: ...` for a regex RE2 rejects.
  static absl::StatusOr<RelabelRegex> Create(std::string_view source);

  const std::string& source() const { return source_; }
  // The anchored matcher; never null.
  const re2::RE2& re() const { return *re_; }

  friend bool operator==(const RelabelRegex& a, const RelabelRegex& b) {
    return a.source_ == b.source_;
  }

 private:
  RelabelRegex() = default;
  std::string source_;
  std::shared_ptr<const re2::RE2> re_;
};

inline constexpr std::string_view kDefaultRelabelRegex = "(.*)";

struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  RelabelRegex regex = RelabelRegex::Create(kDefaultRelabelRegex).value();
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;

  friend bool operator==(const RelabelConfig&, const RelabelConfig&) = default;
};

}  // namespace sundial::config

#endif  // SUNDIAL_CONFIG_RELABEL_CONFIG_H_
