#include "tsdb/db/tombstone_querier.h"

#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace sundial::tsdb {
namespace {

using block::Interval;

// ivs sorted and merged, with iv merged in (block::Tombstones' rules).
std::vector<Interval> Merged(const std::vector<Interval>& ivs, Interval iv) {
  block::Tombstones t;
  for (const Interval& i : ivs) t.Add(0, i);
  t.Add(0, iv);
  return t.Get(0);
}

bool IsDeleted(const std::vector<Interval>& ivs, Timestamp t) {
  for (const Interval& iv : ivs) {
    if (iv.min_time > t) return false;
    if (t <= iv.max_time) return true;
  }
  return false;
}

class FilterIterator final : public SampleIterator {
 public:
  FilterIterator(std::unique_ptr<SampleIterator> inner, const std::vector<Interval>* deleted)
      : inner_(std::move(inner)), deleted_(deleted) {}

  ValueType Next() override {
    while (true) {
      const ValueType vt = inner_->Next();
      if (vt == ValueType::kNone || !IsDeleted(*deleted_, inner_->AtT())) return vt;
    }
  }
  ValueType Seek(Timestamp t) override {
    // The inner iterator never rests on a deleted sample once we returned from Next, so
    // staying put there is right; a seek that lands on a deleted sample moves on.
    const ValueType vt = inner_->Seek(t);
    if (vt == ValueType::kNone || !IsDeleted(*deleted_, inner_->AtT())) return vt;
    return Next();
  }
  std::pair<Timestamp, double> At() const override { return inner_->At(); }
  Timestamp AtT() const override { return inner_->AtT(); }
  absl::Status Err() const override { return inner_->Err(); }

  // The inner iterator's batches without their deleted samples. Should a batch end on a
  // deleted sample, Next() moves the inner iterator off it, so it never rests on one.
  size_t NextFloats(Timestamp* t, double* v, size_t n) override {
    size_t k = 0;
    while (k < n) {
      const size_t got = inner_->NextFloats(t + k, v + k, n - k);
      if (got == 0) break;
      const bool last_deleted = IsDeleted(*deleted_, t[k + got - 1]);
      for (size_t i = k, end = k + got; i < end; ++i) {
        if (IsDeleted(*deleted_, t[i])) continue;
        t[k] = t[i];
        v[k] = v[i];
        ++k;
      }
      if (last_deleted) {
        if (Next() == ValueType::kNone) break;
        std::tie(t[k], v[k]) = inner_->At();
        ++k;
      }
    }
    return k;
  }

 private:
  std::unique_ptr<SampleIterator> inner_;
  const std::vector<Interval>* deleted_;
};

class FilteredSeries final : public Series {
 public:
  FilteredSeries(const Series* inner, const std::vector<Interval>* deleted)
      : inner_(inner), deleted_(deleted) {}
  const Labels& labels() const override { return inner_->labels(); }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<FilterIterator>(inner_->Iterator(), deleted_);
  }

 private:
  const Series* inner_;
  const std::vector<Interval>* deleted_;
};

class TombstoneSeriesSet final : public SeriesSet {
 public:
  TombstoneSeriesSet(std::unique_ptr<SeriesSet> inner,
                     std::shared_ptr<const HeadTombstones::View> view, bool keep_empty)
      : inner_(std::move(inner)), view_(std::move(view)), keep_empty_(keep_empty) {}

  bool Next() override {
    while (inner_->Next()) {
      const Series& s = inner_->At();
      const std::vector<Interval>* deleted = view_->Get(s.labels());
      if (deleted == nullptr) {
        current_ = &s;
        return true;
      }
      filtered_.emplace(&s, deleted);
      std::unique_ptr<SampleIterator> it = filtered_->Iterator();
      // A series with nothing left is skipped; an error is kept for the reader to see.
      if (!keep_empty_ && it->Next() == ValueType::kNone && it->Err().ok()) continue;
      current_ = &*filtered_;
      return true;
    }
    return false;
  }
  const Series& At() const override { return *current_; }
  absl::Status Err() const override { return inner_->Err(); }

 private:
  std::unique_ptr<SeriesSet> inner_;
  std::shared_ptr<const HeadTombstones::View> view_;
  const bool keep_empty_;
  std::optional<FilteredSeries> filtered_;
  const Series* current_ = nullptr;
};

class TombstoneQuerier final : public Querier {
 public:
  TombstoneQuerier(std::unique_ptr<Querier> inner, std::shared_ptr<const HeadTombstones::View> view)
      : inner_(std::move(inner)), view_(std::move(view)) {}

  std::unique_ptr<SeriesSet> Select(const SelectHints& hints,
                                    std::span<const Matcher> matchers) override {
    // Metadata lookups (the series API) list a head series whatever was deleted of it, as
    // Prometheus does: its open head chunk never lies wholly inside a deleted range.
    return std::make_unique<TombstoneSeriesSet>(inner_->Select(hints, matchers), view_,
                                                /*keep_empty=*/hints.func == "series");
  }
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    return inner_->LabelNames(matchers);
  }
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    return inner_->LabelValues(name, matchers);
  }

 private:
  std::unique_ptr<Querier> inner_;
  std::shared_ptr<const HeadTombstones::View> view_;
};

}  // namespace

const std::vector<Interval>* HeadTombstones::View::Get(const Labels& labels) const {
  auto it = by_hash_.find(labels.Hash());
  if (it == by_hash_.end()) return nullptr;
  for (const Entry& e : it->second) {
    if (e.labels == labels) return &e.intervals;
  }
  return nullptr;
}

uint64_t HeadTombstones::View::NumIntervals() const {
  uint64_t n = 0;
  for (const auto& [hash, entries] : by_hash_) {
    for (const Entry& e : entries) n += e.intervals.size();
  }
  return n;
}

std::vector<std::pair<Labels, std::vector<Interval>>> HeadTombstones::View::All() const {
  std::vector<std::pair<Labels, std::vector<Interval>>> out;
  for (const auto& [hash, entries] : by_hash_) {
    for (const Entry& e : entries) out.emplace_back(e.labels, e.intervals);
  }
  return out;
}

void HeadTombstones::Add(std::span<const std::pair<Labels, Interval>> stones) {
  if (stones.empty()) return;
  absl::MutexLock lock(&mu_);
  auto next = view_ != nullptr ? std::make_shared<View>(*view_) : std::make_shared<View>();
  for (const auto& [labels, iv] : stones) {
    std::vector<View::Entry>& entries = next->by_hash_[labels.Hash()];
    View::Entry* entry = nullptr;
    for (View::Entry& e : entries) {
      if (e.labels == labels) entry = &e;
    }
    if (entry == nullptr) entry = &entries.emplace_back(View::Entry{labels, {}});
    entry->intervals = Merged(entry->intervals, iv);
  }
  view_ = std::move(next);
}

void HeadTombstones::TruncateBefore(Timestamp mint) {
  absl::MutexLock lock(&mu_);
  if (view_ == nullptr) return;
  auto next = std::make_shared<View>();
  for (const auto& [hash, entries] : view_->by_hash_) {
    for (const View::Entry& e : entries) {
      View::Entry kept{e.labels, {}};
      for (const Interval& iv : e.intervals) {
        if (iv.max_time >= mint) kept.intervals.push_back(iv);
      }
      if (!kept.intervals.empty()) next->by_hash_[hash].push_back(std::move(kept));
    }
  }
  if (next->by_hash_.empty()) {
    view_.reset();
  } else {
    view_ = std::move(next);
  }
}

std::shared_ptr<const HeadTombstones::View> HeadTombstones::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return view_;
}

std::unique_ptr<Querier> NewTombstoneQuerier(std::unique_ptr<Querier> inner,
                                             std::shared_ptr<const HeadTombstones::View> view) {
  if (view == nullptr) return inner;
  return std::make_unique<TombstoneQuerier>(std::move(inner), std::move(view));
}

}  // namespace sundial::tsdb
