// The values a PromQL query evaluates to: scalar, string, instant vector and range vector
// (matrix), as Prometheus' promql.Value. Native histograms will add a histogram point kind next
// to the float one (Sample::h / Series::histograms); today every point is a float.
//
//   const Vector& v = std::get<Vector>(result.value);
//   for (const Sample& s : v) { s.labels; s.t; s.v; }
#ifndef SUNDIAL_PROMQL_VALUE_H_
#define SUNDIAL_PROMQL_VALUE_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "model/labels.h"

namespace sundial::promql {

// One float point of a series. t in milliseconds since the epoch.
struct FPoint {
  int64_t t = 0;
  double v = 0;
};

// One element of an instant vector.
struct Sample {
  Labels labels;
  int64_t t = 0;
  double v = 0;
};
using Vector = std::vector<Sample>;

// One series of a range vector; points in increasing time order.
struct Series {
  Labels labels;
  std::vector<FPoint> points;
};
using Matrix = std::vector<Series>;

struct Scalar {
  int64_t t = 0;
  double v = 0;
};

struct String {
  int64_t t = 0;
  std::string s;
};

// std::monostate: no value (only while a query failed).
using Value = std::variant<std::monostate, Scalar, String, Vector, Matrix>;

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_VALUE_H_
