// The TSDB's domain errors, worded as Prometheus' storage errors so users and tools see the same
// text. Each has a constructor and a predicate; predicates survive added context because they
// look at a payload, not at the message.
//
//   if (IsOutOfOrder(status)) ++out_of_order_total;
#ifndef SUNDIAL_TSDB_ERRORS_H_
#define SUNDIAL_TSDB_ERRORS_H_

#include "absl/status/status.h"

namespace sundial::tsdb {

// "out of order sample": older than the series' newest sample and outside the OOO window.
absl::Status OutOfOrderSampleError();
// "duplicate sample for timestamp": same timestamp as an existing sample, different value.
absl::Status DuplicateSampleError();
// "out of bounds": older than the head's minimum valid time (and the OOO window is off).
absl::Status OutOfBoundsError();
// "too old sample": the OOO window is on but the sample is older than it allows.
absl::Status TooOldSampleError();

bool IsOutOfOrder(const absl::Status& status);
bool IsDuplicateSample(const absl::Status& status);
bool IsOutOfBounds(const absl::Status& status);
bool IsTooOldSample(const absl::Status& status);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_ERRORS_H_
