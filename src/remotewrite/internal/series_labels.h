// Validation and construction of one received series' label set, shared by 1.0 and 2.0.
#ifndef SUNDIAL_REMOTEWRITE_INTERNAL_SERIES_LABELS_H_
#define SUNDIAL_REMOTEWRITE_INTERNAL_SERIES_LABELS_H_

#include <span>
#include <string>

#include "absl/status/status.h"
#include "model/labels.h"

namespace sundial::remotewrite {

// OK iff the pairs, as received, form a valid series: every name non-empty and valid UTF-8,
// every value valid UTF-8, names strictly increasing (sorted, no repeats), and a non-empty
// __name__. Otherwise InvalidArgument "invalid labels for series {...}: <what is wrong>".
absl::Status ValidateSeriesLabels(std::span<const Label> pairs);

// The Labels of validated pairs (empty values dropped, as Labels never stores them). Reuses
// `builder`'s storage between calls. REQUIRES: ValidateSeriesLabels(pairs).ok().
Labels BuildSeriesLabels(std::span<const Label> pairs, LabelsBuilder* builder);

// {name="value", ...} with Go-quoted values (and names that are not valid UTF-8), cut after
// about 1 KiB, for error messages about pairs that may be invalid.
std::string FormatPairs(std::span<const Label> pairs);

}  // namespace sundial::remotewrite

#endif  // SUNDIAL_REMOTEWRITE_INTERNAL_SERIES_LABELS_H_
