// SampleSink: appends the samples of one validated request through one Appender and turns the
// outcome into the response status, keeping the rest of the batch when the storage refuses
// single samples (Prometheus' write handler semantics).
#ifndef SUNDIAL_REMOTEWRITE_INTERNAL_SAMPLE_SINK_H_
#define SUNDIAL_REMOTEWRITE_INTERNAL_SAMPLE_SINK_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "model/labels.h"
#include "remotewrite/write_handler.h"
#include "tsdb/storage.h"

namespace sundial::remotewrite {

// Sets an error answer: status, a text/plain body ending in a newline (as Go's http.Error).
void SetError(WriteResponse* response, int status, std::string_view message);

class SampleSink {
 public:
  // Counts into stats (not owned; must outlive the sink).
  SampleSink(tsdb::Appendable* appendable, WriteStats* stats);
  SampleSink(const SampleSink&) = delete;
  SampleSink& operator=(const SampleSink&) = delete;

  // Appends one sample of the series `labels`. `*ref` is the series' hint within the request:
  // 0 before its first sample, then updated, so later samples skip the label lookup. A sample
  // the storage refuses on its own (out of order, duplicate, out of bounds, too old) is counted,
  // remembered if first, and skipped. Returns false after any other storage error: the caller
  // stops appending and calls Finish().
  bool Append(const Labels& labels, tsdb::SeriesRef* ref, tsdb::Timestamp t, double v);

  // kDone: appended, or refused on its own (counted as by Append).
  enum class ByRef { kDone, kUnknownRef, kStorageError };
  // As Append, for a series known only by a ref from a SeriesCache and its validated `pairs`
  // (only built into labels for an error message). kUnknownRef when the storage no longer knows
  // the ref (the Appender's NotFound): nothing was appended and the caller appends with the
  // labels instead.
  ByRef AppendByRef(std::span<const Label> pairs, tsdb::SeriesRef ref, tsdb::Timestamp t, double v);

  // Appends one exemplar of the series `labels` (after its samples; `*ref` as for Append, or 0
  // to look the series up). Counted as written when the storage accepts it. A refused one is
  // dropped; with out_of_order_fails an out-of-order one also makes the answer 400 like a
  // refused sample (remote write 2.0).
  void AppendExemplar(const Labels& labels, tsdb::SeriesRef* ref, const tsdb::Exemplar& e,
                      bool out_of_order_fails);

  // Commits (or, after a storage error, rolls back) and sets the response status and body:
  // 204, 400 naming the first refused sample, or 500. Call once.
  void Finish(WriteResponse* response);

 private:
  // Counts a refused sample; false (and remembered) on a storage error.
  bool Refused(const absl::Status& status, const Labels& labels, tsdb::Timestamp t);

  std::unique_ptr<tsdb::Appender> app_;
  WriteStats* const stats_;
  std::string first_rejection_;
  uint64_t exemplars_rejected_ = 0;  // out of order, when they fail the request
  absl::Status storage_error_;
};

}  // namespace sundial::remotewrite

#endif  // SUNDIAL_REMOTEWRITE_INTERNAL_SAMPLE_SINK_H_
