// The merging querier: a heap of series sets ordered by labels, and a heap of sample iterators
// ordered by timestamp, both with the source's position as the tie breaker.

#include "tsdb/compact/merge_querier.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sundial::tsdb {
namespace {

class MergeSampleIterator final : public SampleIterator {
 public:
  explicit MergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its) {
    sources_.reserve(its.size());
    for (auto& it : its) sources_.push_back(Source{std::move(it), {}, 0, false});
    heap_.reserve(sources_.size());
  }

  ValueType Next() override {
    if (state_ == State::kDone) return ValueType::kNone;
    if (state_ == State::kFresh) {
      state_ = State::kAt;
      for (size_t i = 0; i < sources_.size() && err_.ok(); ++i) Push(i, SourceNext(i));
      std::make_heap(heap_.begin(), heap_.end(), After);
      return Current();
    }
    // Moves every source at the current timestamp past it: the first yielded it, the others
    // hold duplicates.
    const Timestamp t = heap_.front().t;
    do {
      if (!AdvanceTop()) return Finish();
    } while (!heap_.empty() && heap_.front().t == t);
    return Current();
  }

  ValueType Seek(Timestamp t) override {
    if (state_ == State::kDone) return ValueType::kNone;
    if (state_ == State::kAt && heap_.front().t >= t) return ValueType::kFloat;
    if (state_ == State::kFresh) {
      state_ = State::kAt;
      for (size_t i = 0; i < sources_.size() && err_.ok(); ++i) Push(i, SourceSeek(i, t));
    } else {
      std::vector<Entry> old;
      old.swap(heap_);
      for (const Entry& e : old) {
        if (e.t >= t) {
          heap_.push_back(e);
        } else if (err_.ok()) {
          Push(e.index, SourceSeek(e.index, t));
        }
      }
    }
    std::make_heap(heap_.begin(), heap_.end(), After);
    return Current();
  }

  std::pair<Timestamp, double> At() const override { return SourceAt(heap_.front().index); }
  Timestamp AtT() const override { return heap_.front().t; }
  absl::Status Err() const override { return err_; }

  // While the current source's next samples come before every other source's, they are read
  // in batches from it (the usual case: blocks and the head do not overlap in time). Samples
  // a batch read past the next source's are kept as the source's pending samples.
  size_t NextFloats(Timestamp* t, double* v, size_t n) override {
    size_t k = 0;
    while (k < n) {
      if (state_ == State::kAt && NextSourceT() > heap_.front().t) {
        const size_t got = Batch(heap_.front().index, NextSourceT(), t + k, v + k, n - k);
        if (got > 0) {
          k += got;
          heap_.front().t = t[k - 1];
          continue;
        }
      }
      if (Next() == ValueType::kNone) break;
      std::tie(t[k], v[k]) = At();
      ++k;
    }
    return k;
  }

 private:
  enum class State { kFresh, kAt, kDone };
  struct Entry {
    Timestamp t;
    uint32_t index;
  };
  // A source iterator and the samples a batch read from it past where the merge stands:
  // pending[pos] is its current sample while pos < pending.size(). `drained`: its last batch
  // came back short, so it may be at its end, where At() is not valid.
  struct Source {
    std::unique_ptr<SampleIterator> it;
    std::vector<std::pair<Timestamp, double>> pending;
    size_t pos;
    bool drained;
  };

  // Heap order: a min-heap on (t, index), so the earliest source wins equal timestamps.
  static bool After(const Entry& a, const Entry& b) {
    return a.t != b.t ? a.t > b.t : a.index > b.index;
  }

  ValueType SourceNext(size_t i) {
    Source& s = sources_[i];
    s.drained = false;
    if (s.pos < s.pending.size()) {
      if (++s.pos < s.pending.size()) return ValueType::kFloat;
      s.pending.clear();
      s.pos = 0;
    }
    return s.it->Next();
  }
  ValueType SourceSeek(size_t i, Timestamp t) {
    Source& s = sources_[i];
    s.drained = false;
    if (s.pos < s.pending.size()) {
      while (s.pos < s.pending.size() && s.pending[s.pos].first < t) ++s.pos;
      if (s.pos < s.pending.size()) return ValueType::kFloat;
      s.pending.clear();
      s.pos = 0;
    }
    return s.it->Seek(t);
  }
  std::pair<Timestamp, double> SourceAt(size_t i) const {
    const Source& s = sources_[i];
    return s.pos < s.pending.size() ? s.pending[s.pos] : s.it->At();
  }
  Timestamp SourceAtT(size_t i) const {
    const Source& s = sources_[i];
    return s.pos < s.pending.size() ? s.pending[s.pos].first : s.it->AtT();
  }

  // Up to n samples of source i after its current one and before `bound`, into t[] and v[];
  // the source then stands on the last of them. 0 when its next sample is not before bound
  // (it then stands where it stood) or it may be at its end: Next() tells.
  size_t Batch(size_t i, Timestamp bound, Timestamp* t, double* v, size_t n) {
    Source& s = sources_[i];
    size_t k = 0;
    if (s.pos < s.pending.size()) {
      while (k < n && s.pos + 1 < s.pending.size() && s.pending[s.pos + 1].first < bound) {
        std::tie(t[k], v[k]) = s.pending[++s.pos];
        ++k;
      }
      return k;
    }
    if (s.drained) return 0;
    const std::pair<Timestamp, double> cur = s.it->At();
    const size_t got = s.it->NextFloats(t, v, n);
    s.drained = got < n;
    k = static_cast<size_t>(std::lower_bound(t, t + got, bound) - t);
    if (k < got) {
      // Read too far: the source stands on its last sample before bound (or its old current
      // one), with the rest pending.
      s.pending.clear();
      s.pending.push_back(k > 0 ? std::pair{t[k - 1], v[k - 1]} : cur);
      for (size_t j = k; j < got; ++j) s.pending.emplace_back(t[j], v[j]);
      s.pos = 0;
    }
    return k;
  }

  // The timestamp of the earliest source other than the current one.
  Timestamp NextSourceT() const {
    Timestamp t = INT64_MAX;
    if (heap_.size() > 1) t = heap_[1].t;
    if (heap_.size() > 2) t = std::min(t, heap_[2].t);
    return t;
  }

  // Moves the top source to its next sample and restores the heap; false on its error.
  bool AdvanceTop() {
    Entry& top = heap_.front();
    if (SourceNext(top.index) == ValueType::kNone) {
      if (!CheckErr(top.index)) return false;
      top = heap_.back();
      heap_.pop_back();
    } else {
      top.t = SourceAtT(top.index);
    }
    SiftDown();
    return true;
  }

  // Adds source i if it is positioned on a sample; records its error otherwise.
  void Push(size_t i, ValueType type) {
    if (type != ValueType::kNone) {
      heap_.push_back(Entry{SourceAtT(i), static_cast<uint32_t>(i)});
    } else {
      CheckErr(i);
    }
  }

  bool CheckErr(size_t i) {
    absl::Status s = sources_[i].it->Err();
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
    return ValueType::kFloat;
  }

  ValueType Finish() {
    state_ = State::kDone;
    heap_.clear();
    return ValueType::kNone;
  }

  std::vector<Source> sources_;
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
