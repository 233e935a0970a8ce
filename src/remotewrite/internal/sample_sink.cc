#include "remotewrite/internal/sample_sink.h"

#include <utility>

#include "base/str_cat.h"
#include "tsdb/errors.h"

namespace sundial::remotewrite {
namespace {

bool IsSampleRejection(const absl::Status& status) {
  return tsdb::IsOutOfOrder(status) || tsdb::IsDuplicateSample(status) ||
         tsdb::IsOutOfBounds(status) || tsdb::IsTooOldSample(status);
}

}  // namespace

void SetError(WriteResponse* response, int status, std::string_view message) {
  response->status = status;
  response->headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  response->headers.emplace_back("X-Content-Type-Options", "nosniff");
  response->body = StrCat(message, "\n");
}

SampleSink::SampleSink(tsdb::Appendable* appendable, WriteStats* stats)
    : app_(appendable->NewAppender()), stats_(stats) {}

bool SampleSink::Append(const Labels& labels, tsdb::SeriesRef* ref, tsdb::Timestamp t, double v) {
  absl::StatusOr<tsdb::SeriesRef> appended = app_->Append(*ref, labels, t, v);
  if (!appended.ok()) return Refused(appended.status(), labels, t);
  *ref = *appended;
  ++stats_->samples_written;
  return true;
}

SampleSink::ByRef SampleSink::AppendByRef(std::span<const Label> pairs, tsdb::SeriesRef ref,
                                          tsdb::Timestamp t, double v) {
  static const Labels kNoLabels;
  absl::StatusOr<tsdb::SeriesRef> appended = app_->Append(ref, kNoLabels, t, v);
  if (appended.ok()) {
    ++stats_->samples_written;
    return ByRef::kDone;
  }
  if (absl::IsNotFound(appended.status())) return ByRef::kUnknownRef;
  return Refused(appended.status(), Labels::FromSorted(pairs), t) ? ByRef::kDone
                                                                  : ByRef::kStorageError;
}

bool SampleSink::Refused(const absl::Status& status, const Labels& labels, tsdb::Timestamp t) {
  if (IsSampleRejection(status)) {
    if (stats_->samples_rejected++ == 0) {
      first_rejection_ =
          StrCat(status.message(), " for series ", labels.ToString(), " at timestamp ", t);
    }
    return true;
  }
  storage_error_ = status;
  return false;
}

void SampleSink::AppendExemplar(const Labels& labels, tsdb::SeriesRef* ref, const tsdb::Exemplar& e,
                                bool out_of_order_fails) {
  absl::StatusOr<tsdb::SeriesRef> appended = app_->AppendExemplar(*ref, labels, e);
  if (appended.ok()) {
    if (*appended != 0) *ref = *appended;
    ++stats_->exemplars_written;
    return;
  }
  if (out_of_order_fails && tsdb::IsOutOfOrderExemplar(appended.status())) {
    if (stats_->samples_rejected + exemplars_rejected_++ == 0) {
      first_rejection_ = StrCat(appended.status().message(), " for series ", labels.ToString());
    }
  }
}

void SampleSink::Finish(WriteResponse* response) {
  if (!storage_error_.ok()) {
    app_->Rollback();
    stats_->samples_written = 0;
    stats_->exemplars_written = 0;
    SetError(response, 500, StrCat("appending samples: ", storage_error_.message()));
    return;
  }
  if (absl::Status committed = app_->Commit(); !committed.ok()) {
    stats_->samples_written = 0;
    stats_->exemplars_written = 0;
    SetError(response, 500, StrCat("committing samples: ", committed.message()));
    return;
  }
  if (stats_->samples_rejected > 0 || exemplars_rejected_ > 0) {
    std::string message = first_rejection_;
    if (stats_->samples_rejected > 1) {
      StrAppend(&message, " (", stats_->samples_rejected, " samples rejected, ",
                stats_->samples_written, " written)");
    }
    SetError(response, 400, message);
    return;
  }
  response->status = 204;
}

}  // namespace sundial::remotewrite
