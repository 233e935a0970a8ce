// The storage interfaces, the spine every reader and writer goes through. They mirror
// Prometheus' storage package (storage/interface.go) so behaviour compares one to one.
//
//   std::unique_ptr<Appender> app = head.NewAppender();
//   ASSIGN_OR_RETURN(SeriesRef ref, app->Append(0, labels, t, v));   // keep ref as a hint
//   RETURN_IF_ERROR(app->Commit());
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, head.NewQuerier(mint, maxt));
//   std::unique_ptr<SeriesSet> set = q->Select(SelectHints{}, matchers);
//   while (set->Next()) {
//     std::unique_ptr<SampleIterator> it = set->At().Iterator();
//     while (it->Next() == ValueType::kFloat) { auto [t, v] = it->At(); ... }
//     RETURN_IF_ERROR(it->Err());
//   }
//   RETURN_IF_ERROR(set->Err());
#ifndef SUNDIAL_TSDB_STORAGE_H_
#define SUNDIAL_TSDB_STORAGE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/exemplars/exemplar.h"
#include "tsdb/value.h"

namespace sundial::tsdb {

// Identifies a series inside one storage (head or DB). 0 means "unknown". Refs of a head are
// never reused while the process lives.
using SeriesRef = uint64_t;

// Per-sample options. New kinds of per-sample data (metadata, histograms) become fields here
// instead of side-interfaces on Appender. Exemplars have their own method (AppendExemplar)
// because they belong to a series, not to one sample, and may come without one.
struct AppendOptions {
  // Reject a sample older than the series' newest one even when an out-of-order window is
  // configured (it fails with "out of order sample" as if the window were off).
  bool discard_out_of_order = false;
};

// One batch of samples. Single use: after Commit() or Rollback() the appender is spent.
// Not thread-safe; cheap to create, so create one per batch (per scrape, per request).
class Appender {
 public:
  virtual ~Appender() = default;

  // Buffers one sample. `ref` is a hint from an earlier Append (e.g. a scrape cache); 0 or a
  // ref the storage no longer knows makes it look the series up by `labels`. Returns the series'
  // ref. Fails with the errors of tsdb/errors.h (out of order, duplicate, out of bounds, too
  // old); a failed sample is not buffered and the batch stays usable. A sample equal in
  // timestamp and value (bit-exact) to the newest one is accepted and ignored.
  // Empty labels with a ref the storage no longer knows fail with NotFound (the caller can retry
  // with the labels); empty labels with ref 0 are InvalidArgument.
  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, Timestamp t, double v,
                                   const AppendOptions& options = {}) {
    return AppendSample(ref, labels, t, v, options);
  }

  // Buffers an exemplar of the series `ref` (or, when ref is 0 or unknown, of the existing
  // series with `labels`; exemplars never create a series). Returns the series' ref, or 0 with
  // OK when the storage keeps no exemplars (disabled) or e duplicates the series' newest.
  // Fails with the errors of tsdb/exemplars/exemplar.h (out of order, label set too long) or
  // NotFound for an unknown series; a failed exemplar is not buffered and the batch stays
  // usable.
  absl::StatusOr<SeriesRef> AppendExemplar(SeriesRef ref, const Labels& labels, const Exemplar& e) {
    return AppendExemplarImpl(ref, labels, e);
  }

  // Writes the batch to the commit log (series first, then samples, then exemplars), then makes
  // it visible to queriers. Samples that became invalid because another appender committed first
  // are dropped and counted, as Prometheus does. On a log error nothing becomes visible.
  virtual absl::Status Commit() = 0;
  // Discards the batch.
  virtual void Rollback() = 0;

 private:
  virtual absl::StatusOr<SeriesRef> AppendSample(SeriesRef ref, const Labels& labels, Timestamp t,
                                                 double v, const AppendOptions& options) = 0;
  // By default exemplars are accepted and dropped, as by a storage with exemplars disabled.
  virtual absl::StatusOr<SeriesRef> AppendExemplarImpl(SeriesRef ref, const Labels& labels,
                                                       const Exemplar& e) {
    return SeriesRef{0};
  }
};

class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

// Iterates the samples of one series in increasing timestamp order. Reusable: a fresh
// iterator is positioned before the first sample.
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;

  // Advances to the next sample and returns its type; kNone at the end or on error (Err()).
  virtual ValueType Next() = 0;
  // Advances to the first sample with timestamp >= t and returns its type, or kNone if there is
  // none. Stays put if the current sample already has timestamp >= t: it never moves backwards.
  // On a fresh iterator it behaves like Next() followed by seeking.
  virtual ValueType Seek(Timestamp t) = 0;
  // The current float sample. REQUIRES: the last Next()/Seek() returned kFloat.
  virtual std::pair<Timestamp, double> At() const = 0;
  // The current timestamp, whatever the value type. REQUIRES: last Next()/Seek() != kNone.
  virtual Timestamp AtT() const = 0;
  virtual absl::Status Err() const = 0;
  // Reads up to n further float samples into t[] and v[] as repeated Next()/At() would, skipping
  // samples of other types; returns how many, 0 only at the end or on an error (Err()). The
  // iterator stays on the last sample read, so Next() and Seek() continue after it. Iterators
  // that can decode whole runs at once (the head's) override it.
  virtual size_t NextFloats(Timestamp* t, double* v, size_t n) {
    size_t k = 0;
    while (k < n) {
      const ValueType vt = Next();
      if (vt == ValueType::kNone) break;
      if (vt != ValueType::kFloat) continue;
      const std::pair<Timestamp, double> s = At();
      t[k] = s.first;
      v[k] = s.second;
      ++k;
    }
    return k;
  }
  // The newest float sample with mint <= timestamp <= maxt from the current position on, or
  // nullopt if there is none; the iterator is used up (or past maxt) afterwards. Iterators that
  // know their newest sample without decoding the older ones (the head's) override it.
  virtual std::optional<std::pair<Timestamp, double>> LastFloatIn(Timestamp mint, Timestamp maxt) {
    std::optional<std::pair<Timestamp, double>> last;
    ReadFloatsIn(mint, maxt, [&last](const Timestamp* t, const double* v, size_t n) {
      last = std::make_pair(t[n - 1], v[n - 1]);
    });
    return last;
  }
  // Seeks to mint and calls f(t, v, n) with the float samples up to maxt (inclusive) in
  // ascending batches of n >= 1, decoded by NextFloats; samples of other types are skipped. The
  // iterator is used up (or past maxt) afterwards.
  template <typename F>
  void ReadFloatsIn(Timestamp mint, Timestamp maxt, F f) {
    const ValueType first = Seek(mint);
    if (first == ValueType::kNone || AtT() > maxt) return;
    if (first == ValueType::kFloat) {
      const auto [t, v] = At();
      f(&t, &v, size_t{1});
    }
    constexpr size_t kBatch = 256;
    Timestamp t[kBatch];
    double v[kBatch];
    for (size_t n; (n = NextFloats(t, v, kBatch)) > 0;) {
      const size_t keep = static_cast<size_t>(std::upper_bound(t, t + n, maxt) - t);
      if (keep > 0) f(t, v, keep);
      if (keep < n) break;
    }
  }
};

// One series of a SeriesSet: labels and a way to read its samples.
class Series {
 public:
  virtual ~Series() = default;
  virtual const Labels& labels() const = 0;
  // A new iterator over the samples in the querier's range. It may outlive neither this Series
  // nor its SeriesSet.
  virtual std::unique_ptr<SampleIterator> Iterator() const = 0;
  // Iterator(), made by resetting `reuse` (null, or any iterator of the caller's that it no
  // longer needs) where the implementation can: a caller reading the series of a set one after
  // the other passes the previous series' iterator back and saves an allocation per series:
  //   std::unique_ptr<SampleIterator> it;
  //   while (set->Next()) { it = set->At().IteratorReusing(std::move(it)); ... }
  // The default drops `reuse` and returns Iterator().
  virtual std::unique_ptr<SampleIterator> IteratorReusing(
      std::unique_ptr<SampleIterator> reuse) const {
    return Iterator();
  }
};

// A forward-only sequence of series, sorted by labels (Prometheus' labels.Compare order).
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // REQUIRES: the last Next() returned true. Valid until the next call to Next().
  virtual const Series& At() const = 0;
  virtual absl::Status Err() const = 0;
};

// Hints for Select. A querier may ignore all of them, but never returns samples outside [start,
// end] within its own range; the series of a func "series" (metadata) Select may yield none.
struct SelectHints {
  Timestamp start = INT64_MIN;        // inclusive
  Timestamp end = INT64_MAX;          // inclusive
  int64_t step_ms = 0;                // query step; 0 for instant queries
  int64_t range_ms = 0;               // range of the selector's subquery window (e.g. 5m of rate)
  std::string func;                   // the surrounding function ("rate", "series" for metadata)
  std::vector<std::string> grouping;  // aggregation labels
  bool by = false;                    // grouping is by (true) or without (false)
};

// A consistent view of [mint, maxt]. Thread-compatible: one user at a time. Results (series
// sets, label names) stay valid after the storage changes; they do not block appenders.
class Querier {
 public:
  virtual ~Querier() = default;

  // The series matching all matchers (Prometheus semantics: a matcher that matches "" also
  // selects series without the label) that have samples in range, sorted by labels.
  virtual std::unique_ptr<SeriesSet> Select(const SelectHints& hints,
                                            std::span<const Matcher> matchers) = 0;
  // Sorted, unique label names of the series matching matchers (all series if none).
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(
      std::span<const Matcher> matchers) = 0;
  // Sorted, unique values of label `name` over the series matching matchers (all if none).
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(
      std::string_view name, std::span<const Matcher> matchers) = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  // A querier over [mint, maxt] (both inclusive).
  virtual absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) = 0;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_STORAGE_H_
