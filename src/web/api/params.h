// Request parameters of the API v1 as Prometheus parses them (web/api/v1/api.go): times as float
// unix seconds or RFC 3339, durations as float seconds or Prometheus durations, with its error
// texts.
//
//   ASSIGN_OR_RETURN(int64_t t, ParseTimeParam(req, "time", now_ms));
//   // on error: `Invalid time value for 'time': cannot parse "x" to a valid timestamp`
#ifndef SUNDIAL_WEB_API_PARAMS_H_
#define SUNDIAL_WEB_API_PARAMS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "web/http_request.h"

namespace sundial::web::api {

// Prometheus' MinTime and MaxTime (the defaults of start/end for labels and series) in ms, and
// their RFC 3339 spellings that ParseTime accepts.
inline constexpr int64_t kMinTimeMs = -9223309901257974000;
inline constexpr int64_t kMaxTimeMs = 9223309901257974999;
inline constexpr std::string_view kMinTimeFormatted = "-292273086-05-16T16:47:06Z";
inline constexpr std::string_view kMaxTimeFormatted = "292277025-08-18T07:12:54.999999999Z";

// Go's %q of s: "..." with Go escapes.
std::string GoQuote(std::string_view s);

// Float seconds (rounded to ms) or RFC 3339 with optional fraction and zone.
// Error: `cannot parse "<s>" to a valid timestamp`.
absl::StatusOr<int64_t> ParseTime(std::string_view s);

// Float seconds or a Prometheus duration ("5m"), in nanoseconds.
// Errors: `cannot parse "<s>" to a valid duration`, `... It overflows int64`.
absl::StatusOr<int64_t> ParseDurationNs(std::string_view s);

// The parameter, or default_ms when absent or empty; errors are prefixed with
// `Invalid time value for '<name>': ` as Prometheus 2.42 does.
absl::StatusOr<int64_t> ParseTimeParam(const HttpRequest& req, std::string_view name,
                                       int64_t default_ms);

// `invalid parameter "<name>": <message>`.
std::string InvalidParam(std::string_view name, std::string_view message);

// ms since the epoch as Go's time.Time marshals to JSON (RFC 3339 with the fraction's trailing
// zeros trimmed, UTC "Z"): "2015-07-01T20:10:51.781Z".
std::string FormatRfc3339(int64_t ms);

// Milliseconds since the epoch now.
int64_t NowMs();

}  // namespace sundial::web::api

#endif  // SUNDIAL_WEB_API_PARAMS_H_
