#include "remotewrite/internal/content_type.h"

#include <cctype>

#include "absl/status/status.h"
#include "base/str_cat.h"

namespace sundial::remotewrite {
namespace {

constexpr std::string_view kMediaType = "application/x-protobuf";
constexpr std::string_view kProtoV1 = "prometheus.WriteRequest";
constexpr std::string_view kProtoV2 = "io.prometheus.write.v2.Request";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

absl::Status Unsupported(std::string_view content_type, std::string_view why) {
  return absl::InvalidArgumentError(
      AsAbsl(StrCat("unsupported Content-Type \"", content_type, "\": ", why)));
}

}  // namespace

absl::StatusOr<ProtoMessage> ParseContentType(std::string_view content_type) {
  const std::string_view full = Trim(content_type);
  if (full.empty()) return ProtoMessage::kV1;
  std::string_view rest = full;
  size_t semi = rest.find(';');
  if (!EqualsIgnoreCase(Trim(rest.substr(0, semi)), kMediaType)) {
    return Unsupported(full, StrCat("expected ", kMediaType));
  }
  while (semi != std::string_view::npos) {
    rest.remove_prefix(semi + 1);
    semi = rest.find(';');
    const std::string_view param = Trim(rest.substr(0, semi));
    if (param.empty()) continue;
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) {
      return Unsupported(full, StrCat("parameter \"", param, "\" is not key=value"));
    }
    if (!EqualsIgnoreCase(Trim(param.substr(0, eq)), "proto")) continue;
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (value == kProtoV1) return ProtoMessage::kV1;
    if (value == kProtoV2) return ProtoMessage::kV2;
    return Unsupported(full, StrCat("unknown proto message \"", value, "\"; accepted are ",
                                    kProtoV1, " and ", kProtoV2));
  }
  return ProtoMessage::kV1;
}

bool IsSnappyEncoding(std::string_view content_encoding) {
  const std::string_view e = Trim(content_encoding);
  return e.empty() || EqualsIgnoreCase(e, "snappy");
}

}  // namespace sundial::remotewrite
