#include "tsdb/errors.h"

#include <string_view>

#include "absl/strings/cord.h"
#include "base/str_cat.h"

namespace sundial::tsdb {
namespace {

constexpr std::string_view kPayloadUrl = "sundial.tsdb/error";

absl::Status Make(std::string_view message) {
  absl::Status status(absl::StatusCode::kInvalidArgument, AsAbsl(message));
  status.SetPayload(AsAbsl(kPayloadUrl), absl::Cord(AsAbsl(message)));
  return status;
}

bool Is(const absl::Status& status, std::string_view message) {
  auto payload = status.GetPayload(AsAbsl(kPayloadUrl));
  return payload.has_value() && *payload == AsAbsl(message);
}

constexpr std::string_view kOutOfOrder = "out of order sample";
constexpr std::string_view kDuplicate = "duplicate sample for timestamp";
constexpr std::string_view kOutOfBounds = "out of bounds";
constexpr std::string_view kTooOld = "too old sample";

}  // namespace

absl::Status OutOfOrderSampleError() { return Make(kOutOfOrder); }
absl::Status DuplicateSampleError() { return Make(kDuplicate); }
absl::Status OutOfBoundsError() { return Make(kOutOfBounds); }
absl::Status TooOldSampleError() { return Make(kTooOld); }

bool IsOutOfOrder(const absl::Status& status) { return Is(status, kOutOfOrder); }
bool IsDuplicateSample(const absl::Status& status) { return Is(status, kDuplicate); }
bool IsOutOfBounds(const absl::Status& status) { return Is(status, kOutOfBounds); }
bool IsTooOldSample(const absl::Status& status) { return Is(status, kTooOld); }

}  // namespace sundial::tsdb
