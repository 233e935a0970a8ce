// Internal to the metrics files: how they report programmer errors (an invalid or duplicate
// metric name, a wrong number of label values, unsorted buckets). These are bugs in the calling
// code, found by the first test that runs it, so the process aborts with a message on stderr
// instead of threading a Status through every increment.
#ifndef SUNDIAL_BASE_METRICS_FATAL_H_
#define SUNDIAL_BASE_METRICS_FATAL_H_

#include <string_view>

namespace sundial::metrics::internal {

// Writes "metrics: <message>" and a newline to stderr, then aborts.
[[noreturn]] void Fatal(std::string_view message);

}  // namespace sundial::metrics::internal

#endif  // SUNDIAL_BASE_METRICS_FATAL_H_
