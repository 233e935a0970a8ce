#include "tsdb/errors.h"

#include <string_view>

#include "base/tagged_error.h"

namespace sundial::tsdb {
namespace {

constexpr std::string_view kPayloadUrl = "sundial.tsdb/error";

absl::Status Make(std::string_view message) { return TaggedError(kPayloadUrl, message); }
bool Is(const absl::Status& status, std::string_view message) {
  return HasTag(status, kPayloadUrl, message);
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
