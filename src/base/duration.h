// Durations in Prometheus syntax: "1y2w3d4h5m6s7ms", units in that order, each at most once.
// A year is 365 days, a week 7 days. "0" alone is zero.
//
//   ASSIGN_OR_RETURN(Duration d, ParseDuration("1h30m"));   // 5400000 ms
//   FormatDuration(d) == "1h30m"
#ifndef SUNDIAL_BASE_DURATION_H_
#define SUNDIAL_BASE_DURATION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sundial {

using Duration = std::chrono::milliseconds;

// Errors read like Prometheus': `not a valid duration string: "1x"`, `empty duration string`,
// `duration out of range`.
absl::StatusOr<Duration> ParseDuration(std::string_view text);

// The canonical Prometheus spelling: years and weeks only when exact ("90d", not "12w6d"),
// then d, h, m, s, ms; zero is "0s". Negative durations get a leading '-'.
std::string FormatDuration(Duration d);

}  // namespace sundial

#endif  // SUNDIAL_BASE_DURATION_H_
