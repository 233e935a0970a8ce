// RelabelConfig decoding, validation and printing.
#include "config/relabel_config.h"

#include "absl/strings/ascii.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "config/internal/codec.h"
#include "model/names.h"
#include "re2/re2.h"

namespace sundial::config {
namespace {

constexpr struct {
  RelabelAction action;
  std::string_view name;
} kActions[] = {
    {RelabelAction::kReplace, "replace"},     {RelabelAction::kKeep, "keep"},
    {RelabelAction::kDrop, "drop"},           {RelabelAction::kKeepEqual, "keepequal"},
    {RelabelAction::kDropEqual, "dropequal"}, {RelabelAction::kHashMod, "hashmod"},
    {RelabelAction::kLabelMap, "labelmap"},   {RelabelAction::kLabelDrop, "labeldrop"},
    {RelabelAction::kLabelKeep, "labelkeep"}, {RelabelAction::kLowercase, "lowercase"},
    {RelabelAction::kUppercase, "uppercase"},
};

}  // namespace

std::string_view RelabelActionName(RelabelAction action) {
  for (const auto& a : kActions) {
    if (a.action == action) return a.name;
  }
  return "replace";
}

absl::StatusOr<RelabelRegex> RelabelRegex::Create(std::string_view source) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_dot_nl(true);
  auto re = std::make_shared<const re2::RE2>(StrCat("^(?s:", source, ")$"), options);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        StrCat("error parsing regexp: ", re->error(), ": `", source, "`"));
  }
  RelabelRegex regex;
  regex.source_ = std::string(source);
  regex.re_ = std::move(re);
  return regex;
}

namespace internal {
namespace {

// Prometheus' relabelTarget: label names that may contain $1 / ${name} references.
bool IsValidRelabelTarget(std::string_view s) {
  static const re2::RE2 kTarget(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  return re2::RE2::FullMatch(s, kTarget);
}

absl::Status Validate(const RelabelConfig& c) {
  using A = RelabelAction;
  const RelabelConfig defaults;
  const std::string_view name = RelabelActionName(c.action);
  auto error = [](std::string message) { return absl::InvalidArgumentError(std::move(message)); };
  const A a = c.action;
  if (c.modulus == 0 && a == A::kHashMod) {
    return error("relabel configuration for hashmod requires non-zero modulus");
  }
  if ((a == A::kReplace || a == A::kHashMod || a == A::kLowercase || a == A::kUppercase ||
       a == A::kKeepEqual || a == A::kDropEqual) &&
      c.target_label.empty()) {
    return error(
        StrCat("relabel configuration for ", name, " action requires 'target_label' value"));
  }
  if ((a == A::kReplace || a == A::kLowercase || a == A::kUppercase) &&
      !IsValidRelabelTarget(c.target_label)) {
    return error(
        StrCat("\"", c.target_label, "\" is invalid 'target_label' for ", name, " action"));
  }
  if ((a == A::kLowercase || a == A::kUppercase || a == A::kKeepEqual || a == A::kDropEqual) &&
      c.replacement != defaults.replacement) {
    return error(StrCat("'replacement' can not be set for ", name, " action"));
  }
  if (a == A::kLabelMap && !IsValidRelabelTarget(c.replacement)) {
    return error(StrCat("\"", c.replacement, "\" is invalid 'replacement' for ", name, " action"));
  }
  if (a == A::kHashMod && !IsLegacyLabelName(c.target_label)) {
    return error(
        StrCat("\"", c.target_label, "\" is invalid 'target_label' for ", name, " action"));
  }
  if ((a == A::kKeepEqual || a == A::kDropEqual) &&
      (c.regex != defaults.regex || c.modulus != defaults.modulus ||
       c.separator != defaults.separator || c.replacement != defaults.replacement)) {
    return error(StrCat(name,
                        " action requires only 'source_labels' and `target_label`, and no other "
                        "fields"));
  }
  if ((a == A::kLabelDrop || a == A::kLabelKeep) &&
      (!c.source_labels.empty() || !c.target_label.empty() || c.modulus != defaults.modulus ||
       c.separator != defaults.separator || c.replacement != defaults.replacement)) {
    return error(StrCat(name, " action requires only 'regex', and no other fields"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, RelabelConfig* out) {
  if (node.IsNull()) return ctx.FieldError(node, "empty or null relabeling rule");
  std::string regex = std::string(kDefaultRelabelRegex);
  std::string action = "replace";
  MapDecoder d(node, ctx, "relabel_config");
  d.Field("source_labels", &out->source_labels)
      .Field("separator", &out->separator)
      .Field("regex", &regex)
      .Field("modulus", &out->modulus)
      .Field("target_label", &out->target_label)
      .Field("replacement", &out->replacement)
      .Field("action", &action);
  RETURN_IF_ERROR(d.Finish());
  for (const std::string& label : out->source_labels) {
    if (!IsLegacyLabelName(label)) {
      return ctx.Error(node, StrCat("\"", label, "\" is not a valid label name"));
    }
  }
  absl::StatusOr<RelabelRegex> compiled = RelabelRegex::Create(regex);
  if (!compiled.ok()) return ctx.Error(node, AsStd(compiled.status().message()));
  out->regex = *std::move(compiled);
  if (action.empty()) return ctx.Error(node, "relabel action cannot be empty");
  const std::string lower(AsStd(absl::AsciiStrToLower(AsAbsl(action))));
  bool known = false;
  for (const auto& a : kActions) {
    if (a.name == lower) {
      out->action = a.action;
      known = true;
    }
  }
  if (!known) return ctx.Error(node, StrCat("unknown relabel action \"", action, "\""));
  absl::Status status = Validate(*out);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

void EncodeRelabelConfigs(Encoder& e, std::string_view key, const std::vector<RelabelConfig>& rs) {
  if (rs.empty()) return;
  e.Key(key);
  e.out() << YAML::BeginSeq;
  for (const RelabelConfig& r : rs) {
    e.BeginMap();
    e.OptStrings("source_labels", r.source_labels, /*flow=*/true);
    e.String("separator", r.separator);
    e.String("regex", r.regex.source());
    e.OptInt("modulus", static_cast<int64_t>(r.modulus));
    e.OptString("target_label", r.target_label);
    e.String("replacement", r.replacement);
    e.String("action", RelabelActionName(r.action));
    e.EndMap();
  }
  e.out() << YAML::EndSeq;
}

}  // namespace internal
}  // namespace sundial::config
