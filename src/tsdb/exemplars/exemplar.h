// Exemplar: one traced observation attached to a series (a trace id and the value and time it
// was seen), and the domain errors of storing one, worded as Prometheus' storage errors.
//
//   Exemplar e{.labels = Labels{{"trace_id", "abc"}}, .value = 0.42, .ts = 1700000000123};
//   if (IsOutOfOrderExemplar(status)) ++out_of_order;
#ifndef SUNDIAL_TSDB_EXEMPLARS_EXEMPLAR_H_
#define SUNDIAL_TSDB_EXEMPLARS_EXEMPLAR_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "model/labels.h"

namespace sundial::tsdb {

// Prometheus' exemplar.ExemplarMaxLabelSetLength: the UTF-8 characters of all label names and
// values of one exemplar together (quotes, '=' and ',' not counted).
inline constexpr int kExemplarMaxLabelSetLength = 128;

struct Exemplar {
  Labels labels;
  double value = 0;
  int64_t ts = 0;  // ms
  // Whether ts came with the exemplar. A scraped exemplar without one takes the sample's time;
  // two such exemplars compare equal whatever their ts (Prometheus' Exemplar.Equals).
  bool has_ts = true;

  // Prometheus' Exemplar.Equals: same labels and value (NaN never equal), and the same ts if
  // either has one.
  bool Equals(const Exemplar& other) const;
};

// The exemplars of one series, oldest first.
struct ExemplarQueryResult {
  Labels series_labels;
  std::vector<Exemplar> exemplars;
};

// "out of order exemplar": not newer than the series' newest stored exemplar.
absl::Status OutOfOrderExemplarError();
// "duplicate exemplar": equal to the series' newest stored exemplar (ignored by appenders).
absl::Status DuplicateExemplarError();
// "label length for exemplar exceeds maximum of 128 UTF-8 characters".
absl::Status ExemplarLabelLengthError();
// "exemplar storage is disabled or max exemplars is less than or equal to 0".
absl::Status ExemplarsDisabledError();

bool IsOutOfOrderExemplar(const absl::Status& status);
bool IsDuplicateExemplar(const absl::Status& status);
bool IsExemplarLabelLength(const absl::Status& status);
bool IsExemplarsDisabled(const absl::Status& status);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_EXEMPLARS_EXEMPLAR_H_
