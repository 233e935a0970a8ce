// Errors that callers recognise by identity rather than by message text: the message is also
// attached as a payload under a domain URL, so an error of another origin that happens to have
// the same text is not mistaken for it.
//
//   constexpr std::string_view kDomain = "sundial.tsdb/error";
//   absl::Status s = TaggedError(kDomain, "out of bounds");
//   HasTag(s, kDomain, "out of bounds");  // true
#ifndef SUNDIAL_BASE_TAGGED_ERROR_H_
#define SUNDIAL_BASE_TAGGED_ERROR_H_

#include <string_view>

#include "absl/status/status.h"

namespace sundial {

// InvalidArgument with `message`, tagged with it under `domain`.
absl::Status TaggedError(std::string_view domain, std::string_view message);
// Whether status carries the tag `message` under `domain`.
bool HasTag(const absl::Status& status, std::string_view domain, std::string_view message);

}  // namespace sundial

#endif  // SUNDIAL_BASE_TAGGED_ERROR_H_
