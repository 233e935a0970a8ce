// The merging querier: a heap of series sets ordered by labels, and a heap of sample iterators
// ordered by timestamp, both with the source's position as the tie breaker.

#include "tsdb/compact/merge_querier.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sundial::tsdb {
namespace {

class MergeSampleIterator final : public SampleIterator {
 public:
  explicit MergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its)
      : its_(std::move(its)) {
    heap_.reserve(its_.size());
  }

  ValueType Next() override {
    if (state_ == State::kDone) return ValueType::kNone;
    if (state_ == State::kFresh) {
      state_ = State::kAt;
      for (size_t i = 0; i < its_.size() && err_.ok(); ++i) Push(i, its_[i]->Next());
      std::make_heap(heap_.begin(), heap_.end(), After);
      return Current();
    }
    // Moves every source at the current timestamp past it: the first yielded it, the others
    // hold duplicates.
    const Timestamp t = heap_.front().t;
    do {
      Entry& top = heap_.front();
      top.type = its_[top.index]->Next();
      if (top.type == ValueType::kNone) {
        if (!CheckErr(top.index)) return Finish();
        top = heap_.back();
        heap_.pop_back();
      } else {
        top.t = its_[top.index]->AtT();
      }
      SiftDown();
    } while (!heap_.empty() && heap_.front().t == t);
    return Current();
  }

  ValueType Seek(Timestamp t) override {
    if (state_ == State::kDone) return ValueType::kNone;
    if (state_ == State::kAt && heap_.front().t >= t) return heap_.front().type;
    if (state_ == State::kFresh) {
      state_ = State::kAt;
      for (size_t i = 0; i < its_.size() && err_.ok(); ++i) Push(i, its_[i]->Seek(t));
    } else {
      std::vector<Entry> old;
      old.swap(heap_);
      for (const Entry& e : old) {
        if (e.t >= t) {
          heap_.push_back(e);
        } else if (err_.ok()) {
          Push(e.index, its_[e.index]->Seek(t));
        }
      }
    }
    std::make_heap(heap_.begin(), heap_.end(), After);
    return Current();
  }

  std::pair<Timestamp, double> At() const override { return its_[heap_.front().index]->At(); }
  Timestamp AtT() const override { return heap_.front().t; }
  absl::Status Err() const override { return err_; }

 private:
  enum class State { kFresh, kAt, kDone };
  struct Entry {
    Timestamp t;
    uint32_t index;
    ValueType type;
  };

  // Heap order: a min-heap on (t, index), so the earliest source wins equal timestamps.
  static bool After(const Entry& a, const Entry& b) {
    return a.t != b.t ? a.t > b.t : a.index > b.index;
  }

  // Adds source i if it is positioned on a sample; records its error otherwise.
  void Push(size_t i, ValueType type) {
    if (type != ValueType::kNone) {
      heap_.push_back(Entry{its_[i]->AtT(), static_cast<uint32_t>(i), type});
    } else {
      CheckErr(i);
    }
  }

  bool CheckErr(size_t i) {
    absl::Status s = its_[i]->Err();
    if (s.ok()) return true;
    err_ = std::move(s);
    return false;
  }

  // Restores the heap after the top entry changed (one comparison when it stays on top).
  void SiftDown() {
    const size_t n = heap_.size();
    size_t i = 0;
    while (true) {
      size_t smallest = i;
      const size_t l = 2 * i + 1;
      const size_t r = l + 1;
      if (l < n && After(heap_[smallest], heap_[l])) smallest = l;
      if (r < n && After(heap_[smallest], heap_[r])) smallest = r;
      if (smallest == i) return;
      std::swap(heap_[i], heap_[smallest]);
      i = smallest;
    }
  }

  ValueType Current() {
    if (!err_.ok() || heap_.empty()) return Finish();
    return heap_.front().type;
  }

  ValueType Finish() {
    state_ = State::kDone;
    heap_.clear();
    return ValueType::kNone;
  }

  std::vector<std::unique_ptr<SampleIterator>> its_;
  std::vector<Entry> heap_;
  State state_ = State::kFresh;
  absl::Status err_;
};

// A series present in several sources. Holds views of the sources' current series, valid until
// the merged set moves on (which is as long as this series is valid).
class MergedSeries final : public Series {
 public:
  void Reset(std::vector<const Series*> parts) { parts_ = std::move(parts); }

  const Labels& labels() const override { return parts_.front()->labels(); }
  std::unique_ptr<SampleIterator> Iterator() const override {
    std::vector<std::unique_ptr<SampleIterator>> its;
    its.reserve(parts_.size());
    for (const Series* s : parts_) its.push_back(s->Iterator());
    return NewMergeSampleIterator(std::move(its));
  }

 private:
  std::vector<const Series*> parts_;
};

class MergeSeriesSet final : public SeriesSet {
 public:
  explicit MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets) : sets_(std::move(sets)) {
    heap_.reserve(sets_.size());
  }

  bool Next() override {
    if (done_) return false;
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) group_.push_back(i);
    }
    // Advances the sets that made up the current series.
    for (size_t i : group_) {
      if (sets_[i]->Next()) {
        heap_.push_back(i);
        std::push_heap(heap_.begin(), heap_.end(), after_);
      } else if (absl::Status s = sets_[i]->Err(); !s.ok()) {
        err_ = std::move(s);
      }
    }
    group_.clear();
    if (!err_.ok() || heap_.empty()) {
      done_ = true;
      return false;
    }
    // Takes every set positioned on the smallest labels, in source order.
    do {
      std::pop_heap(heap_.begin(), heap_.end(), after_);
      group_.push_back(heap_.back());
      heap_.pop_back();
    } while (!heap_.empty() &&
             sets_[heap_.front()]->At().labels() == sets_[group_.front()]->At().labels());
    if (group_.size() == 1) {
      current_ = &sets_[group_.front()]->At();
    } else {
      std::vector<const Series*> parts;
      parts.reserve(group_.size());
      for (size_t i : group_) parts.push_back(&sets_[i]->At());
      merged_.Reset(std::move(parts));
      current_ = &merged_;
    }
    return true;
  }

  const Series& At() const override { return *current_; }
  absl::Status Err() const override { return err_; }

 private:
  // Heap order: a min-heap on (labels, source index).
  struct After {
    const MergeSeriesSet* self;
    bool operator()(size_t a, size_t b) const {
      auto c = self->sets_[a]->At().labels() <=> self->sets_[b]->At().labels();
      return c != 0 ? c > 0 : a > b;
    }
  };

  std::vector<std::unique_ptr<SeriesSet>> sets_;
  std::vector<size_t> heap_;   // sets positioned on a series not yielded yet
  std::vector<size_t> group_;  // sets positioned on the current series, ascending
  After after_{this};
  bool started_ = false;
  bool done_ = false;
  const Series* current_ = nullptr;
  MergedSeries merged_;
  absl::Status err_;
};

class EmptySeriesSet final : public SeriesSet {
 public:
  bool Next() override { return false; }
  const Series& At() const override { __builtin_unreachable(); }
  absl::Status Err() const override { return absl::OkStatus(); }
};

// Sorted union of sorted, unique string lists.
std::vector<std::string> Union(std::vector<std::vector<std::string>> lists) {
  std::vector<std::string> out;
  for (std::vector<std::string>& l : lists) {
    if (out.empty()) {
      out = std::move(l);
      continue;
    }
    std::vector<std::string> merged;
    merged.reserve(out.size() + l.size());
    std::set_union(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()),
                   std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()),
                   std::back_inserter(merged));
    out = std::move(merged);
  }
  return out;
}

class MergeQuerier final : public Querier {
 public:
  explicit MergeQuerier(std::vector<std::unique_ptr<Querier>> queriers)
      : queriers_(std::move(queriers)) {}

  std::unique_ptr<SeriesSet> Select(const SelectHints& hints,
                                    std::span<const Matcher> matchers) override {
    std::vector<std::unique_ptr<SeriesSet>> sets;
    sets.reserve(queriers_.size());
    for (const auto& q : queriers_) sets.push_back(q->Select(hints, matchers));
    return NewMergeSeriesSet(std::move(sets));
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    std::vector<std::vector<std::string>> lists;
    for (const auto& q : queriers_) {
      absl::StatusOr<std::vector<std::string>> names = q->LabelNames(matchers);
      if (!names.ok()) return names.status();
      lists.push_back(*std::move(names));
    }
    return Union(std::move(lists));
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    std::vector<std::vector<std::string>> lists;
    for (const auto& q : queriers_) {
      absl::StatusOr<std::vector<std::string>> values = q->LabelValues(name, matchers);
      if (!values.ok()) return values.status();
      lists.push_back(*std::move(values));
    }
    return Union(std::move(lists));
  }

 private:
  std::vector<std::unique_ptr<Querier>> queriers_;
};

}  // namespace

std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers) {
  std::erase(queriers, nullptr);
  if (queriers.size() == 1) return std::move(queriers.front());
  return std::make_unique<MergeQuerier>(std::move(queriers));
}

std::unique_ptr<SeriesSet> NewMergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets) {
  std::erase(sets, nullptr);
  if (sets.empty()) return std::make_unique<EmptySeriesSet>();
  if (sets.size() == 1) return std::move(sets.front());
  return std::make_unique<MergeSeriesSet>(std::move(sets));
}

std::unique_ptr<SampleIterator> NewMergeSampleIterator(
    std::vector<std::unique_ptr<SampleIterator>> its) {
  if (its.size() == 1) return std::move(its.front());
  return std::make_unique<MergeSampleIterator>(std::move(its));
}

}  // namespace sundial::tsdb
