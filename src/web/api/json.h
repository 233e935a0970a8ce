// JSON output for the Prometheus HTTP API, appended straight into a std::string (no DOM), with
// the exact spelling Prometheus' Go code produces so responses compare byte for byte.
//
//   std::string out;
//   AppendJsonString(&out, "a<b");          // "a\u003cb"   (Go's HTML-safe escaping)
//   AppendTimestamp(&out, 1435781451100);   // 1435781451.100
//   AppendSampleValue(&out, 1e-7);          // "1e-07"
//   AppendScalarValue(&out, 1e-7);          // "0.0000001"
//
// All functions are pure and thread-safe.
#ifndef SUNDIAL_WEB_API_JSON_H_
#define SUNDIAL_WEB_API_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/json_string.h"  // AppendJsonString, used with everything here
#include "model/labels.h"

namespace sundial::web::api {

// A timestamp in ms as Prometheus writes sample timestamps: unix seconds, then '.' and exactly
// three fraction digits when the millisecond part is not zero ("1435781451.100", "1435781451",
// "-1.500").
void AppendTimestamp(std::string* out, int64_t ms);

// The same at p, which has kMaxTimestampChars of room; returns the end. For loops that write
// many points into a buffer they sized once.
inline constexpr size_t kMaxTimestampChars = 24;
char* WriteTimestamp(char* p, int64_t ms);

// A float64 as Go's encoding/json writes a number: shortest round-trip digits, fixed notation
// unless |v| < 1e-6 or |v| >= 1e21 (then "1e-7", "1e+21"). REQUIRES: v is finite.
void AppendGoJsonNumber(std::string* out, double v);

// A sample value of a vector or matrix as a quoted string (Prometheus' jsonutil.MarshalValue):
// shortest round-trip digits, exponent form outside [1e-6, 1e21) ("1e-07"), "+Inf", "-Inf",
// "NaN".
void AppendSampleValue(std::string* out, double v);

// The same at p, which has kMaxSampleValueChars of room; returns the end.
inline constexpr size_t kMaxSampleValueChars = 32;
char* WriteSampleValue(char* p, double v);

// A value formatted with Go's strconv.FormatFloat(v, 'f', -1, 64), quoted: never an exponent
// ("0.0000001", "1000000000000000000000"), "+Inf", "-Inf", "NaN". Used for scalar results.
void AppendScalarValue(std::string* out, double v);

// FormatFloat(v, 'f', -1, 64) without quotes.
void AppendFloatF(std::string* out, double v);

// {"name":"value",...} in label order.
void AppendLabels(std::string* out, const Labels& labels);

}  // namespace sundial::web::api

#endif  // SUNDIAL_WEB_API_JSON_H_
