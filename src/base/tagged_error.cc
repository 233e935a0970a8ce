#include "base/tagged_error.h"

#include "absl/strings/cord.h"
#include "base/str_cat.h"

namespace sundial {

absl::Status TaggedError(std::string_view domain, std::string_view message) {
  absl::Status status(absl::StatusCode::kInvalidArgument, AsAbsl(message));
  status.SetPayload(AsAbsl(domain), absl::Cord(AsAbsl(message)));
  return status;
}

bool HasTag(const absl::Status& status, std::string_view domain, std::string_view message) {
  auto payload = status.GetPayload(AsAbsl(domain));
  return payload.has_value() && *payload == AsAbsl(message);
}

}  // namespace sundial
