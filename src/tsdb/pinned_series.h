// A head series kept pinned by its holder, and the head appender's way to append through one
// without looking the series up by ref (a lock, a hash probe and a pin per sample): the scrape
// cache keeps one per cached series.
//
//   auto* pinning = dynamic_cast<tsdb::PinningAppender*>(app.get());  // null: not the head's
//   tsdb::PinnedSeries s = pinning->PinSeries(ref);                     // empty: no such series
//   absl::StatusOr<tsdb::SeriesRef> r = pinning->AppendPinned(s, t, v);  // as Append(ref, ...)
//
// Safety: the head's garbage collection (StripeSeries::TruncateAndCollect) never removes a
// pinned series, and PinSeries pins under the ref stripe lock that the collection holds from its
// pinned() check to the removal, so the pointer stays valid until the PinnedSeries is reset or
// destroyed. The cost: a pinned series stays in the head and its index even when truncation
// empties it, until it is unpinned and the next truncation collects it. A PinnedSeries must not
// outlive its head.
#ifndef SUNDIAL_TSDB_PINNED_SERIES_H_
#define SUNDIAL_TSDB_PINNED_SERIES_H_

#include <utility>

#include "absl/status/statusor.h"
#include "tsdb/storage.h"

namespace sundial::tsdb {

class MemSeries;

// Owns one pin of a head series (or nothing). Move-only.
class PinnedSeries {
 public:
  PinnedSeries() = default;
  // Takes over one pin of s; null makes an empty PinnedSeries.
  explicit PinnedSeries(MemSeries* s) : s_(s) {}
  PinnedSeries(PinnedSeries&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
  PinnedSeries& operator=(PinnedSeries&& other) noexcept {
    if (this != &other) {
      Reset();
      s_ = std::exchange(other.s_, nullptr);
    }
    return *this;
  }
  ~PinnedSeries() { Reset(); }

  // Drops the pin (the series becomes collectable) and empties this.
  void Reset();
  MemSeries* get() const { return s_; }
  explicit operator bool() const { return s_ != nullptr; }

 private:
  MemSeries* s_ = nullptr;
};

// An Appender of the head (Head::NewAppender) that also appends through pinned series.
class PinningAppender : public Appender {
 public:
  // The head's series with this ref, pinned for the caller; empty if the head has none.
  virtual PinnedSeries PinSeries(SeriesRef ref) = 0;
  // Does what Append(ref of s, {}, t, v) does, without looking the series up. REQUIRES: s is
  // non-empty and was pinned from this appender's head.
  virtual absl::StatusOr<SeriesRef> AppendPinned(const PinnedSeries& s, Timestamp t, double v) = 0;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_PINNED_SERIES_H_
