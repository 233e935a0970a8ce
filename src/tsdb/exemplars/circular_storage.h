// CircularExemplarStorage: the in-memory exemplar store of Prometheus'
// --enable-feature=exemplar-storage (tsdb/exemplar.go). One ring buffer of max_exemplars
// entries shared by all series: a new exemplar overwrites the oldest one of any series. The
// exemplars of one series are linked oldest to newest through the ring, so a query walks only
// the series it selects.
//
//   CircularExemplarStorage store(100000);
//   RETURN_IF_ERROR(store.Add(series_labels, exemplar));   // a duplicate of the newest is ignored
//   ASSIGN_OR_RETURN(auto results, store.Select(start, end, {matchers}));
//   store.Resize(config.max_exemplars);                     // on config reload
//
// A capacity of 0 disables the store: Add and Validate fail with ExemplarsDisabledError and
// Select answers nothing.
//
// Thread-safe: one writer at a time, any number of concurrent readers.
#ifndef SUNDIAL_TSDB_EXEMPLARS_CIRCULAR_STORAGE_H_
#define SUNDIAL_TSDB_EXEMPLARS_CIRCULAR_STORAGE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/exemplars/exemplar.h"

namespace sundial::tsdb {

// Figures for the prometheus_tsdb_exemplar_* self-metrics.
struct ExemplarStats {
  int64_t max_exemplars = 0;
  int64_t exemplars_in_storage = 0;
  int64_t series_with_exemplars = 0;
  // The oldest stored exemplar's timestamp in seconds (0 when empty).
  double oldest_timestamp_seconds = 0;
  uint64_t appended_total = 0;
  uint64_t out_of_order_total = 0;
};

class CircularExemplarStorage {
 public:
  // A negative capacity counts as 0 (disabled).
  explicit CircularExemplarStorage(int64_t max_exemplars);
  CircularExemplarStorage(const CircularExemplarStorage&) = delete;
  CircularExemplarStorage& operator=(const CircularExemplarStorage&) = delete;

  bool enabled() const;

  // Checks e for the series with series_labels without storing it (Prometheus'
  // ValidateExemplar): ExemplarsDisabledError, ExemplarLabelLengthError when the exemplar's
  // label names and values exceed kExemplarMaxLabelSetLength UTF-8 characters together,
  // DuplicateExemplarError when it equals the series' newest, OutOfOrderExemplarError when its
  // ts is not after the newest's.
  absl::Status Validate(const Labels& series_labels, const Exemplar& e) const;

  // Validates and stores e as the series' newest exemplar, overwriting the oldest entry of the
  // ring when it is full. A duplicate of the newest is ignored (OK); an out-of-order one is
  // counted and fails.
  absl::Status Add(const Labels& series_labels, const Exemplar& e);

  // The exemplars with start <= ts <= end of every series whose newest exemplar is not before
  // start and whose oldest is not after end, and which matches all matchers of at least one of
  // matcher_sets (a series without a label has it as ""). Sorted by series labels
  // (labels.Compare); each series' exemplars oldest first. Series without exemplars in range
  // are left out.
  std::vector<ExemplarQueryResult> Select(int64_t start, int64_t end,
                                          std::span<const std::vector<Matcher>> matcher_sets) const;

  // Changes the capacity, keeping the newest min(old, new) exemplars in their order. Returns
  // how many were kept. Resizing to the current capacity does nothing (returns 0).
  int64_t Resize(int64_t max_exemplars);

  ExemplarStats Stats() const;

 private:
  static constexpr int64_t kNone = -1;
  struct SeriesEntry {
    Labels series_labels;
    int64_t oldest = kNone;  // ring positions
    int64_t newest = kNone;
  };
  struct Slot {
    Exemplar exemplar;
    int64_t next = kNone;           // the series' next newer exemplar
    SeriesEntry* series = nullptr;  // null: never written
  };

  absl::Status ValidateLocked(const SeriesEntry* series, const Exemplar& e) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Stores e without validation.
  void AddLocked(const Labels& series_labels, const Exemplar& e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<Slot> ring_ ABSL_GUARDED_BY(mu_);
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;  // the slot the next exemplar goes to
  // By Labels::Bytes() of the series.
  absl::flat_hash_map<std::string, std::unique_ptr<SeriesEntry>> index_ ABSL_GUARDED_BY(mu_);
  uint64_t appended_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t out_of_order_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_EXEMPLARS_CIRCULAR_STORAGE_H_
