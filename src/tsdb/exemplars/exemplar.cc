#include "tsdb/exemplars/exemplar.h"

#include <string>
#include <string_view>

#include "base/str_cat.h"
#include "base/tagged_error.h"

namespace sundial::tsdb {
namespace {

constexpr std::string_view kPayloadUrl = "sundial.tsdb/exemplar-error";

absl::Status Make(std::string_view message) { return TaggedError(kPayloadUrl, message); }
bool Is(const absl::Status& status, std::string_view message) {
  return HasTag(status, kPayloadUrl, message);
}

constexpr std::string_view kOutOfOrder = "out of order exemplar";
constexpr std::string_view kDuplicate = "duplicate exemplar";
constexpr std::string_view kDisabled =
    "exemplar storage is disabled or max exemplars is less than or equal to 0";

const std::string& LabelLengthMessage() {
  static const std::string* message =
      new std::string(StrCat("label length for exemplar exceeds maximum of ",
                             kExemplarMaxLabelSetLength, " UTF-8 characters"));
  return *message;
}

}  // namespace

bool Exemplar::Equals(const Exemplar& other) const {
  if (labels != other.labels) return false;
  if ((has_ts || other.has_ts) && ts != other.ts) return false;
  return value == other.value;
}

absl::Status OutOfOrderExemplarError() { return Make(kOutOfOrder); }
absl::Status DuplicateExemplarError() { return Make(kDuplicate); }
absl::Status ExemplarLabelLengthError() { return Make(LabelLengthMessage()); }
absl::Status ExemplarsDisabledError() { return Make(kDisabled); }

bool IsOutOfOrderExemplar(const absl::Status& status) { return Is(status, kOutOfOrder); }
bool IsDuplicateExemplar(const absl::Status& status) { return Is(status, kDuplicate); }
bool IsExemplarLabelLength(const absl::Status& status) { return Is(status, LabelLengthMessage()); }
bool IsExemplarsDisabled(const absl::Status& status) { return Is(status, kDisabled); }

}  // namespace sundial::tsdb
