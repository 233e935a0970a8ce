// Sample values as the TSDB stores them: timestamps, the kinds of values a sample can carry, and
// the stale marker.
//
//   if (IsStaleNaN(v)) { ... }      // bit-exact: an ordinary NaN is not a stale marker
//   Append(ref, labels, t, StaleNaN());
#ifndef SUNDIAL_TSDB_VALUE_H_
#define SUNDIAL_TSDB_VALUE_H_

#include <bit>
#include <cstdint>

namespace sundial::tsdb {

// Milliseconds since the Unix epoch.
using Timestamp = int64_t;

// What an iterator is positioned on, as Prometheus' chunkenc.ValueType. Native histograms will
// add kHistogram and kFloatHistogram (with their own At...() accessors); code that switches on
// ValueType must treat unknown kinds as unsupported rather than as floats.
enum class ValueType : uint8_t {
  kNone,   // exhausted (or failed: check Err())
  kFloat,  // At() is valid
};

// The NaN Prometheus writes to mark a series as stale. Any arithmetic on it may turn it into an
// ordinary NaN, so compare bits, never values.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_VALUE_H_
