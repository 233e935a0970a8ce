// OTLP/JSON request builders for the receiver tests and benchmark, in the shape the
// OpenTelemetry Collector sends. Attribute lists are written as `"key": "value", ...` (string
// values only, no escapes); every data point is at kT0Ns.
#ifndef SUNDIAL_TESTS_REMOTEWRITE_OTLP_OTLP_PAYLOADS_H_
#define SUNDIAL_TESTS_REMOTEWRITE_OTLP_OTLP_PAYLOADS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sundial::remotewrite::otlp::testing {

inline constexpr std::string_view kT0Ns = "1700000000000000000";
inline constexpr int64_t kT0Ms = 1700000000000;

// `"a": "1", "b": "2"` -> `{"key": "a", "value": {"stringValue": "1"}}, {...}`.
std::string Attributes(std::string_view pairs);
std::string Join(const std::vector<std::string>& parts);

// Metric objects. temporality: 0 unspecified, 1 delta, 2 cumulative.
std::string Gauge(std::string_view name, std::string_view unit, std::string_view attrs, double v);
std::string Sum(std::string_view name, std::string_view unit, bool monotonic, int temporality,
                std::string_view attrs, double v);
std::string Histogram(std::string_view name, std::string_view unit, int temporality,
                      std::string_view attrs, const std::vector<double>& bounds,
                      const std::vector<uint64_t>& counts, double sum);
std::string Summary(std::string_view name, std::string_view unit, std::string_view attrs,
                    uint64_t count, double sum,
                    const std::vector<std::pair<double, double>>& quantiles);

// One ResourceMetrics object with one scope holding `metrics` (comma-separated objects).
std::string ResourceMetrics(std::string_view resource_attrs, std::string_view metrics);
// {"resourceMetrics": [resource_metrics]}.
std::string Request(std::string_view resource_metrics);
// Request(ResourceMetrics(...)).
std::string Resource(std::string_view resource_attrs, std::string_view metrics);

// The same request in protobuf wire format. Aborts the test on invalid JSON.
std::string JsonToProtobuf(std::string_view json);
std::string Gzip(std::string_view data);

}  // namespace sundial::remotewrite::otlp::testing

#endif  // SUNDIAL_TESTS_REMOTEWRITE_OTLP_OTLP_PAYLOADS_H_
