// The head's Appender: buffers a batch, logs it at Commit and then applies it to the series.

#include <algorithm>
#include <vector>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/errors.h"
#include "tsdb/head.h"
#include "tsdb/pinned_series.h"

namespace sundial::tsdb {

class HeadAppender final : public PinningAppender {
 public:
  explicit HeadAppender(Head* head)
      : head_(head),
        min_valid_time_(head->AppendableMinValidTime()),
        ooo_enabled_(head->options_.out_of_order_window_ms > 0) {
    const Timestamp max = head->MaxTime();
    ooo_min_time_ = max == INT64_MIN ? INT64_MIN : max - head->options_.out_of_order_window_ms;
    // Out-of-order samples may still never go before a truncation.
    ooo_min_time_ = std::max(ooo_min_time_, head->min_valid_time_.load());
    head->active_appenders_.fetch_add(1, std::memory_order_relaxed);
  }

  ~HeadAppender() override {
    if (!done_) Rollback();
  }

  absl::Status Commit() override;
  void Rollback() override;
  PinnedSeries PinSeries(SeriesRef ref) override {
    return PinnedSeries(head_->series_.PinByRef(ref));
  }
  absl::StatusOr<SeriesRef> AppendPinned(const PinnedSeries& s, Timestamp t, double v) override;

 private:
  struct Pending {
    MemSeries* series;  // pinned until Commit/Rollback
    Timestamp t;
    double v;
    bool ooo;  // may go out of order
  };

  struct PendingExemplar {
    MemSeries* series;  // pinned until Commit/Rollback
    Exemplar exemplar;
  };

  absl::StatusOr<SeriesRef> AppendSample(SeriesRef ref, const Labels& labels, Timestamp t, double v,
                                         const AppendOptions& options) override;
  // Below the head's range, and also below the out-of-order window when ooo applies.
  bool TooOld(Timestamp t, bool ooo) const {
    return t < min_valid_time_ && (!ooo || t < ooo_min_time_);
  }
  // The end of both appends: checks the sample against s and buffers it. REQUIRES: s pinned for
  // the batch (the pin passes to the batch, or is dropped if the sample fails).
  absl::StatusOr<SeriesRef> Buffer(MemSeries* s, Timestamp t, double v, bool ooo);
  absl::StatusOr<SeriesRef> AppendExemplarImpl(SeriesRef ref, const Labels& labels,
                                               const Exemplar& e) override;
  // Logs the series records of the series the batch created, once.
  absl::Status LogCreatedSeries(HeadLog* log);
  // Logs the batch's exemplars (after its samples).
  absl::Status LogExemplars(HeadLog* log);
  // Counts a sample Append refused; returns status.
  absl::Status CountRefused(absl::Status status) {
    head_->refused_at_append_.Count(status);
    return status;
  }
  void Release();

  Head* const head_;
  const Timestamp min_valid_time_;
  const bool ooo_enabled_;
  Timestamp ooo_min_time_;
  std::vector<Pending> samples_;
  std::vector<PendingExemplar> exemplars_;
  std::vector<MemSeries*> created_;  // pinned until Commit/Rollback
  bool created_logged_ = false;      // their series records are in the log
  bool done_ = false;
};

std::unique_ptr<Appender> Head::NewAppender() { return std::make_unique<HeadAppender>(this); }

absl::StatusOr<SeriesRef> HeadAppender::AppendSample(SeriesRef ref, const Labels& labels,
                                                     Timestamp t, double v,
                                                     const AppendOptions& options) {
  if (done_) return absl::FailedPreconditionError("appender already committed or rolled back");
  const bool ooo = ooo_enabled_ && !options.discard_out_of_order;
  if (TooOld(t, ooo)) return CountRefused(OutOfBoundsError());

  MemSeries* s = ref != 0 ? head_->series_.PinByRef(ref) : nullptr;
  if (s == nullptr) {
    // Prometheus' wording either way; NotFound tells a caller holding a stale ref to retry with
    // the labels.
    if (labels.empty()) {
      return ref != 0 ? absl::NotFoundError("empty labelset")
                      : absl::InvalidArgumentError("empty labelset");
    }
    bool created;
    s = head_->series_.PinOrCreate(labels, &created);
    if (created) {
      head_->postings_.Add(s->ref(), s->labels());
      // A second pin keeps the series alive for its series record even if its sample fails.
      s->Pin();
      created_.push_back(s);
    }
  }
  return Buffer(s, t, v, ooo);
}

absl::StatusOr<SeriesRef> HeadAppender::AppendPinned(const PinnedSeries& series, Timestamp t,
                                                     double v) {
  if (done_) return absl::FailedPreconditionError("appender already committed or rolled back");
  if (TooOld(t, ooo_enabled_)) return CountRefused(OutOfBoundsError());
  MemSeries* s = series.get();
  // The caller's pin keeps s alive; the batch takes its own as for any other sample, so Commit
  // and Rollback need not tell them apart.
  s->Pin();
  return Buffer(s, t, v, ooo_enabled_);
}

absl::StatusOr<SeriesRef> HeadAppender::Buffer(MemSeries* s, Timestamp t, double v, bool ooo) {
  {
    absl::MutexLock lock(&s->mu());
    absl::StatusOr<MemSeries::Placement> placement =
        s->Appendable(t, v, min_valid_time_, ooo_min_time_, ooo);
    if (!placement.ok()) {
      s->Unpin();
      return CountRefused(placement.status());
    }
  }
  samples_.push_back({s, t, v, ooo});
  return s->ref();
}

absl::StatusOr<SeriesRef> HeadAppender::AppendExemplarImpl(SeriesRef ref, const Labels& labels,
                                                           const Exemplar& e) {
  if (done_) return absl::FailedPreconditionError("appender already committed or rolled back");
  CircularExemplarStorage* store = head_->options_.exemplars;
  if (store == nullptr) return SeriesRef{0};
  MemSeries* s = ref != 0 ? head_->series_.PinByRef(ref) : nullptr;
  if (s == nullptr && !labels.empty()) s = head_->series_.PinByLabels(labels);
  if (s == nullptr) {
    return absl::NotFoundError(StrCat("unknown HeadSeriesRef when trying to add exemplar: ", ref));
  }
  absl::Status valid = store->Validate(s->labels(), e);
  if (!valid.ok()) {
    s->Unpin();
    if (IsDuplicateExemplar(valid) || IsExemplarsDisabled(valid)) return SeriesRef{0};
    return valid;
  }
  exemplars_.push_back({s, e});
  return s->ref();
}

absl::Status HeadAppender::LogExemplars(HeadLog* log) {
  std::vector<RefExemplar> records;
  records.reserve(exemplars_.size());
  for (const PendingExemplar& p : exemplars_) records.push_back({p.series->ref(), &p.exemplar});
  return log->LogExemplars(records);
}

void Head::RefusedSamples::Count(const absl::Status& status) {
  std::atomic<uint64_t>* counter = IsOutOfOrder(status)        ? &out_of_order
                                   : IsDuplicateSample(status) ? &duplicate
                                   : IsOutOfBounds(status)     ? &out_of_bounds
                                   : IsTooOldSample(status)    ? &too_old
                                                               : nullptr;
  if (counter != nullptr) counter->fetch_add(1, std::memory_order_relaxed);
}

absl::Status HeadAppender::Commit() {
  if (done_) return absl::FailedPreconditionError("appender already committed or rolled back");
  if (HeadLog* log = head_->options_.log) {
    absl::Status status = LogCreatedSeries(log);
    if (status.ok() && !samples_.empty()) {
      std::vector<RefSample> records;
      records.reserve(samples_.size());
      for (const Pending& p : samples_) records.push_back({p.series->ref(), p.t, p.v});
      status = log->LogSamples(records);
    }
    if (status.ok() && !exemplars_.empty()) status = LogExemplars(log);
    if (!status.ok()) {
      Rollback();
      return status;
    }
  }

  Timestamp mint = INT64_MAX, maxt = INT64_MIN;
  for (const Pending& p : samples_) {
    absl::MutexLock lock(&p.series->mu());
    // Re-check: another appender may have committed to this series since Append.
    absl::StatusOr<MemSeries::Placement> placement =
        p.series->Appendable(p.t, p.v, min_valid_time_, ooo_min_time_, p.ooo);
    const absl::Status& status = placement.status();
    if (placement.ok() && *placement == MemSeries::Placement::kInOrder) {
      p.series->AppendInOrder(p.t, p.v, head_->options_.chunks);
      maxt = std::max(maxt, p.t);
    } else if (placement.ok() && *placement == MemSeries::Placement::kOutOfOrder) {
      p.series->InsertOutOfOrder(p.t, p.v);
      head_->out_of_order_appended_.fetch_add(1, std::memory_order_relaxed);
    }
    if (status.ok()) {
      mint = std::min(mint, p.t);
    } else {
      head_->dropped_at_commit_.Count(status);
    }
    p.series->Unpin();
  }
  samples_.clear();
  if (mint != INT64_MAX) head_->ExtendTimeRange(mint, maxt);
  for (const PendingExemplar& p : exemplars_) {
    // Errors (out of order since Append, capacity resized to 0) drop the exemplar; the storage
    // counts out-of-order ones.
    (void)head_->options_.exemplars->Add(p.series->labels(), p.exemplar).ok();
    p.series->Unpin();
  }
  exemplars_.clear();
  Release();
  return absl::OkStatus();
}

absl::Status HeadAppender::LogCreatedSeries(HeadLog* log) {
  if (created_.empty() || created_logged_) return absl::OkStatus();
  std::vector<RefSeries> records;
  records.reserve(created_.size());
  for (MemSeries* s : created_) records.push_back({s->ref(), &s->labels()});
  RETURN_IF_ERROR(log->LogSeries(records));
  created_logged_ = true;
  return absl::OkStatus();
}

void HeadAppender::Rollback() {
  if (done_) return;
  // The batch's new series stay in the head, where later appends find them by labels or ref
  // and log samples under their refs: their series records must be in the log too (as
  // Prometheus' Rollback does), or those samples would be lost on replay. A log that fails here
  // fails the next commit as well.
  if (HeadLog* log = head_->options_.log) (void)LogCreatedSeries(log).ok();
  for (const Pending& p : samples_) p.series->Unpin();
  samples_.clear();
  for (const PendingExemplar& p : exemplars_) p.series->Unpin();
  exemplars_.clear();
  Release();
}

void HeadAppender::Release() {
  for (MemSeries* s : created_) s->Unpin();
  created_.clear();
  done_ = true;
  head_->active_appenders_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace sundial::tsdb
