// HeadLog: where a committing head appender writes its batch before making it visible. The WAL
// implements it (series records, then sample records, then exemplar records); tests use a recording
// fake; a head without a log keeps samples in memory only.
#ifndef SUNDIAL_TSDB_HEAD_LOG_H_
#define SUNDIAL_TSDB_HEAD_LOG_H_

#include <span>

#include "absl/status/status.h"
#include "model/labels.h"
#include "tsdb/storage.h"

namespace sundial::tsdb {

// A series created by the batch. `labels` is owned by the head and valid during the call.
struct RefSeries {
  SeriesRef ref;
  const Labels* labels;
};

struct RefSample {
  SeriesRef ref;
  Timestamp t;
  double v;
};

// An exemplar of the batch. `exemplar` is valid during the call.
struct RefExemplar {
  SeriesRef ref;
  const Exemplar* exemplar;
};

// Called by one committing appender at a time per log call, but by several appenders
// concurrently: implementations must be thread-safe. For one batch LogSeries (if the batch
// created series) comes before LogSamples. An error aborts the commit: nothing becomes visible.
class HeadLog {
 public:
  virtual ~HeadLog() = default;
  virtual absl::Status LogSeries(std::span<const RefSeries> series) = 0;
  virtual absl::Status LogSamples(std::span<const RefSample> samples) = 0;
  // After LogSamples, when the batch has exemplars. By default logs nothing.
  virtual absl::Status LogExemplars(std::span<const RefExemplar> exemplars) {
    return absl::OkStatus();
  }
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_HEAD_LOG_H_
