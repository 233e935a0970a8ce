// The head's Querier: postings lookups, per-series snapshots, and iterators that merge in-order
// chunks with out-of-order samples.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

// One series of a Select: its part of the shared snapshot arena.
struct SeriesView {
  const SnapshotArena* arena;
  SnapshotRange range;

  size_t NumChunks() const {
    return range.chunks_end - range.chunks_begin + (range.open_size > 0 ? 1 : 0);
  }
  Timestamp ChunkMaxT(size_t i) const {
    const size_t closed = range.chunks_end - range.chunks_begin;
    return i < closed ? arena->chunks[range.chunks_begin + i]->maxt : range.open_maxt;
  }
  std::string_view ChunkBytes(size_t i) const {
    const size_t closed = range.chunks_end - range.chunks_begin;
    if (i < closed) return arena->chunks[range.chunks_begin + i]->bytes();
    return std::string_view(arena->open_bytes).substr(range.open_offset, range.open_size);
  }
  // An iterator over chunk i; the first one resumed from the range's checkpoint if it has one.
  XorIterator ChunkIterator(size_t i) const {
    const std::string_view bytes = ChunkBytes(i);
    if (i > 0 || range.resume_read == 0) return XorIterator(bytes);
    // The open chunk's copy is only its tail already.
    const bool open = range.chunks_end == range.chunks_begin;
    return XorIterator(open ? bytes : XorTail(bytes, range.resume), range.resume, range.resume_read,
                       range.resume_total);
  }
  std::span<const std::pair<Timestamp, double>> OutOfOrder() const {
    return std::span<const std::pair<Timestamp, double>>(arena->out_of_order)
        .subspan(range.ooo_begin, range.ooo_end - range.ooo_begin);
  }
};

// Iterates a snapshot within [mint, maxt]: chunks in order, merged with the out-of-order
// samples; on equal timestamps the in-order sample wins.
class HeadSeriesIterator final : public SampleIterator {
 public:
  HeadSeriesIterator(const SeriesView& view, Timestamp mint, Timestamp maxt)
      : view_(view), ooo_(view.OutOfOrder()), mint_(mint), maxt_(maxt) {}

  ValueType Next() override {
    if (state_ == State::kDone) return ValueType::kNone;
    if (state_ == State::kFresh) return Seek(mint_);
    if (from_in_order_) AdvanceInOrder(INT64_MIN);
    if (from_ooo_) ++ooo_pos_;
    return Pick();
  }

  ValueType Seek(Timestamp t) override {
    if (state_ == State::kDone) return ValueType::kNone;
    if (state_ == State::kAt && cur_.first >= t) return ValueType::kFloat;
    t = std::max(t, mint_);
    if (state_ == State::kFresh) {
      state_ = State::kAt;
      chunk_ = 0;
      in_order_valid_ = OpenChunk(t);
    } else if (in_order_valid_ && in_order_.first < t) {
      AdvanceInOrder(t);
    }
    while (ooo_pos_ < ooo_.size() && ooo_[ooo_pos_].first < t) ++ooo_pos_;
    return Pick();
  }

  std::pair<Timestamp, double> At() const override { return cur_; }
  Timestamp AtT() const override { return cur_.first; }
  absl::Status Err() const override { return err_; }

  // The snapshot knows the open chunk's two newest samples, and out-of-order samples are never
  // newer than the newest (an in-order sample wins a tie): when the answer is one of those two
  // and no out-of-order sample comes after it, nothing is decoded.
  std::optional<std::pair<Timestamp, double>> LastFloatIn(Timestamp mint, Timestamp maxt) override {
    const SnapshotRange& r = view_.range;
    const Timestamp lo = std::max(mint, mint_), hi = std::min(maxt, maxt_);
    if (state_ == State::kFresh && r.open_size > 0 && lo <= hi) {
      const Timestamp ooo_newest = ooo_.empty() ? INT64_MIN : ooo_.back().first;
      // Ends the iteration on (t, v), the newest sample at or before hi: the answer unless before
      // lo.
      auto answer = [&](Timestamp t, double v) -> std::optional<std::pair<Timestamp, double>> {
        state_ = State::kDone;
        if (t < lo) return std::nullopt;
        return std::make_pair(t, v);
      };
      if (r.open_maxt <= hi && ooo_newest <= r.open_maxt) return answer(r.open_maxt, r.open_last);
      if (r.open_prev_t != INT64_MIN && r.open_prev_t <= hi && ooo_newest <= r.open_prev_t) {
        return answer(r.open_prev_t, r.open_prev);
      }
    }
    return SampleIterator::LastFloatIn(mint, maxt);
  }

  // While only in-order samples are left, whole runs of the current chunk are decoded at once;
  // chunk boundaries and out-of-order merging go through Next().
  size_t NextFloats(Timestamp* t, double* v, size_t n) override {
    size_t k = 0;
    while (k < n) {
      if (state_ == State::kAt && from_in_order_ && in_order_valid_ && ooo_pos_ >= ooo_.size()) {
        const size_t got = chunk_it_.NextBatch(t + k, v + k, n - k);
        const size_t keep =
            static_cast<size_t>(std::upper_bound(t + k, t + k + got, maxt_) - (t + k));
        if (keep > 0) {
          in_order_ = {t[k + keep - 1], v[k + keep - 1]};
          cur_ = in_order_;
          k += keep;
        }
        if (keep < got) {
          Finish();
          return k;
        }
        if (k == n) return k;
        // The chunk ended (or is corrupt): Next() moves on to the next chunk.
      }
      if (Next() != ValueType::kFloat) break;
      t[k] = cur_.first;
      v[k] = cur_.second;
      ++k;
    }
    return k;
  }

 private:
  enum class State { kFresh, kAt, kDone };

  // Positions on the first in-order sample >= t, starting at chunk_; false if none.
  bool OpenChunk(Timestamp t) {
    const size_t n = view_.NumChunks();
    while (chunk_ < n && view_.ChunkMaxT(chunk_) < t) ++chunk_;
    for (; chunk_ < n; ++chunk_) {
      chunk_it_ = view_.ChunkIterator(chunk_);
      if (chunk_it_.Seek(t) == ValueType::kFloat) {
        in_order_ = chunk_it_.At();
        return true;
      }
      if (!chunk_it_.Err().ok()) {
        err_ = chunk_it_.Err();
        return false;
      }
    }
    return false;
  }

  // Moves the in-order cursor to the next sample (and at least to t).
  void AdvanceInOrder(Timestamp t) {
    if (!in_order_valid_) return;
    ValueType vt = t == INT64_MIN ? chunk_it_.Next() : chunk_it_.Seek(t);
    if (vt == ValueType::kFloat) {
      in_order_ = chunk_it_.At();
      return;
    }
    if (!chunk_it_.Err().ok()) {
      err_ = chunk_it_.Err();
      in_order_valid_ = false;
      return;
    }
    ++chunk_;
    in_order_valid_ = OpenChunk(std::max(t, in_order_.first + 1));
  }

  ValueType Pick() {
    const bool have_ooo = ooo_pos_ < ooo_.size();
    from_in_order_ = in_order_valid_ && (!have_ooo || in_order_.first <= ooo_[ooo_pos_].first);
    from_ooo_ = have_ooo && (!in_order_valid_ || ooo_[ooo_pos_].first <= in_order_.first);
    if (!err_.ok() || (!from_in_order_ && !from_ooo_)) return Finish();
    cur_ = from_in_order_ ? in_order_ : ooo_[ooo_pos_];
    if (cur_.first > maxt_) return Finish();
    return ValueType::kFloat;
  }

  ValueType Finish() {
    state_ = State::kDone;
    return ValueType::kNone;
  }

  SeriesView view_;
  std::span<const std::pair<Timestamp, double>> ooo_;
  Timestamp mint_;
  Timestamp maxt_;
  State state_ = State::kFresh;
  size_t chunk_ = 0;
  XorIterator chunk_it_;
  bool in_order_valid_ = false;
  std::pair<Timestamp, double> in_order_;
  size_t ooo_pos_ = 0;
  bool from_in_order_ = false;
  bool from_ooo_ = false;
  std::pair<Timestamp, double> cur_;
  absl::Status err_;
};

// Starts loading the cache line holding p; never faults. g++ 12 drops __builtin_prefetch of an
// address loaded from memory in ArenaSeriesSet::Next (seen in its assembly), so on x86-64 the
// instruction is written out.
inline void PrefetchLine(const void* p) {
#if defined(__x86_64__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

struct SelectedSeries {
  SeriesRef ref;
  Labels labels;
  SnapshotRange range;
};

bool LabelsLess(const SelectedSeries& a, const SelectedSeries& b) { return a.labels < b.labels; }

// A Select with fewer series sorts them by labels directly.
constexpr size_t kMinRankedSelect = 64;
// A head's LabelOrder is rebuilt when a Select finds at least this many series, and a quarter
// of its series, missing from it, and an eighth of the head's series are missing from it.
constexpr size_t kMinUnranked = 1024;

// The label order of every series of the head now.
std::shared_ptr<const LabelOrder> BuildLabelOrder(const MemPostings& postings,
                                                  const StripeSeries& series) {
  std::vector<SelectedSeries> all;
  for (SeriesRef ref : postings.All()) {
    series.WithSeries(ref, [&](const MemSeries& s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
      all.push_back({ref, s.labels(), {}});
    });
  }
  std::vector<uint32_t> by_labels(all.size());
  for (uint32_t i = 0; i < by_labels.size(); ++i) by_labels[i] = i;
  std::sort(by_labels.begin(), by_labels.end(),
            [&all](uint32_t a, uint32_t b) { return all[a].labels < all[b].labels; });
  auto order = std::make_shared<LabelOrder>();
  order->refs.reserve(all.size());
  for (const SelectedSeries& s : all) order->refs.push_back(s.ref);
  order->ranks.resize(all.size());
  for (uint32_t rank = 0; rank < by_labels.size(); ++rank) order->ranks[by_labels[rank]] = rank;
  return order;
}

// Splits `selected` (in ref order) into the indices `order` ranks, as rank << 32 | index, and
// the others.
void Classify(const std::vector<SelectedSeries>& selected, const LabelOrder* order,
              std::vector<uint64_t>* ranked, std::vector<uint32_t>* unranked) {
  ranked->clear();
  unranked->clear();
  const Postings empty;
  const Postings& refs = order != nullptr ? order->refs : empty;
  // Few series against a large order: binary searches; else one merge walk.
  const bool search = selected.size() * 16 < refs.size();
  auto pos = refs.begin();
  for (uint32_t i = 0; i < selected.size(); ++i) {
    const SeriesRef ref = selected[i].ref;
    if (search) {
      pos = std::lower_bound(pos, refs.end(), ref);
    } else {
      while (pos != refs.end() && *pos < ref) ++pos;
    }
    if (pos != refs.end() && *pos == ref) {
      ranked->push_back(uint64_t{order->ranks[static_cast<size_t>(pos - refs.begin())]} << 32 | i);
    } else {
      unranked->push_back(i);
    }
  }
}

class HeadSeries final : public Series {
 public:
  HeadSeries(const SnapshotArena* arena, Timestamp mint, Timestamp maxt)
      : arena_(arena), mint_(mint), maxt_(maxt) {}

  void Reset(const SelectedSeries* s) { series_ = s; }

  const Labels& labels() const override { return series_->labels; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<HeadSeriesIterator>(SeriesView{arena_, series_->range}, mint_, maxt_);
  }
  std::unique_ptr<SampleIterator> IteratorReusing(
      std::unique_ptr<SampleIterator> reuse) const override {
    if (auto* it = dynamic_cast<HeadSeriesIterator*>(reuse.get())) {
      *it = HeadSeriesIterator(SeriesView{arena_, series_->range}, mint_, maxt_);
      return reuse;
    }
    return Iterator();
  }

 private:
  const SnapshotArena* arena_;
  const SelectedSeries* series_ = nullptr;
  Timestamp mint_;
  Timestamp maxt_;
};

// The series of one Select, snapshotted into one arena and sorted by labels.
class ArenaSeriesSet final : public SeriesSet {
 public:
  ArenaSeriesSet(std::unique_ptr<SnapshotArena> arena, std::vector<SelectedSeries> series,
                 Timestamp mint, Timestamp maxt)
      : arena_(std::move(arena)), series_(std::move(series)), current_(arena_.get(), mint, maxt) {}

  bool Next() override {
    if (next_ >= series_.size()) return false;
    Prefetch();
    current_.Reset(&series_[next_++]);
    return true;
  }
  const Series& At() const override { return current_; }
  absl::Status Err() const override { return absl::OkStatus(); }

 private:
  // Series are read in label order, their chunks are wherever they were made: each iterator
  // starts with dependent cache misses (the arena's pointer, the chunk object, its bytes).
  // These are fetched in stages for the series ahead, so that they arrive while the series
  // before are read. Changes nothing.
  void Prefetch() const {
    if (auto* c = FirstChunk(next_ + 12)) PrefetchLine(c);
    if (auto* c = FirstChunk(next_ + 8)) PrefetchLine(c->get());
    if (auto* c = FirstChunk(next_ + 4)) {
      // Where its iterator starts reading: at the checkpoint it resumes from, if any.
      const SnapshotRange& r = series_[next_ + 4].range;
      PrefetchLine((*c)->bytes().data() + (r.resume_read > 0 ? 2 + r.resume.bit_pos / 8 : 0));
    }
  }
  const std::shared_ptr<const ClosedChunk>* FirstChunk(size_t i) const {
    if (i >= series_.size()) return nullptr;
    const SnapshotRange& r = series_[i].range;
    return r.chunks_end > r.chunks_begin ? &arena_->chunks[r.chunks_begin] : nullptr;
  }

  std::unique_ptr<SnapshotArena> arena_;
  std::vector<SelectedSeries> series_;
  size_t next_ = 0;
  HeadSeries current_;
};

}  // namespace

class HeadQuerier final : public Querier {
 public:
  HeadQuerier(const Head* head, Timestamp mint, Timestamp maxt)
      : head_(head), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(const SelectHints& hints,
                                    std::span<const Matcher> matchers) override {
    const Timestamp mint = std::max(mint_, hints.start);
    const Timestamp maxt = std::min(maxt_, hints.end);
    // A metadata Select (SelectHints::func "series") lists the series with samples in range
    // and copies none of them: its series' iterators are empty, as Prometheus' are.
    const bool labels_only = hints.func == "series";
    auto arena = std::make_unique<SnapshotArena>();
    std::vector<SelectedSeries> out;
    if (mint <= maxt) {
      const Postings refs = PostingsForMatchers(head_->postings_, matchers);
      out.reserve(refs.size());
      if (!labels_only) arena->chunks.reserve(refs.size() * 2);
      SnapshotRange range;
      for (SeriesRef ref : refs) {
        const bool found =
            head_->series_.WithSeries(ref, [&](const MemSeries& s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              if (labels_only) {
                if (s.Overlaps(mint, maxt)) out.push_back({ref, s.labels(), {}});
              } else if (s.Snapshot(mint, maxt, arena.get(), &range)) {
                out.push_back({ref, s.labels(), range});
              }
            });
        if (!found) head_->series_not_found_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    SortByLabels(&out);
    return std::make_unique<ArenaSeriesSet>(std::move(arena), std::move(out), mint, maxt);
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    if (!Overlaps()) return std::vector<std::string>();
    if (matchers.empty()) return head_->postings_.LabelNames();
    absl::btree_set<std::string> names;
    ForMatching(matchers, [&names](const Labels& labels) {
      for (const Label& l : labels) names.emplace(l.name);
    });
    return std::vector<std::string>(names.begin(), names.end());
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    if (!Overlaps()) return std::vector<std::string>();
    if (matchers.empty()) return head_->postings_.LabelValues(name);
    absl::btree_set<std::string> values;
    ForMatching(matchers, [&values, name](const Labels& labels) {
      std::string_view v = labels.Get(name);
      if (!v.empty()) values.emplace(v);
    });
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  // Sorts series selected in ref order by labels: those the head's LabelOrder ranks by rank,
  // the others by labels, then both merged.
  void SortByLabels(std::vector<SelectedSeries>* out) const {
    if (out->size() < kMinRankedSelect) {
      std::sort(out->begin(), out->end(), LabelsLess);
      return;
    }
    const MemPostings& postings = head_->postings_;
    std::shared_ptr<const LabelOrder> order = postings.label_order();
    std::vector<uint64_t> ranked;
    std::vector<uint32_t> unranked;
    Classify(*out, order.get(), &ranked, &unranked);
    if (unranked.size() >= kMinUnranked && unranked.size() * 4 >= out->size()) {
      const size_t total = postings.NumSeries();
      const size_t known = order != nullptr ? order->refs.size() : 0;
      if (total >= known + total / 8) {
        order = BuildLabelOrder(postings, head_->series_);
        postings.set_label_order(order);
        Classify(*out, order.get(), &ranked, &unranked);
      }
    }
    std::sort(ranked.begin(), ranked.end());
    auto less = [out](uint32_t a, uint32_t b) { return (*out)[a].labels < (*out)[b].labels; };
    std::sort(unranked.begin(), unranked.end(), less);
    std::vector<uint32_t> merged;
    merged.reserve(out->size());
    for (uint64_t r : ranked) merged.push_back(static_cast<uint32_t>(r));
    const auto mid = static_cast<std::ptrdiff_t>(merged.size());
    merged.insert(merged.end(), unranked.begin(), unranked.end());
    std::inplace_merge(merged.begin(), merged.begin() + mid, merged.end(), less);
    std::vector<SelectedSeries> sorted;
    sorted.reserve(out->size());
    for (uint32_t i : merged) sorted.push_back(std::move((*out)[i]));
    *out = std::move(sorted);
  }

  // Whether the head holds data in [mint_, maxt_] at all.
  bool Overlaps() const { return head_->MinTime() <= maxt_ && head_->MaxTime() >= mint_; }

  template <typename F>
  void ForMatching(std::span<const Matcher> matchers, F f) const {
    for (SeriesRef ref : PostingsForMatchers(head_->postings_, matchers)) {
      head_->series_.WithSeries(
          ref, [&f](const MemSeries& s) ABSL_NO_THREAD_SAFETY_ANALYSIS { f(s.labels()); });
    }
  }

  const Head* head_;
  const Timestamp mint_;
  const Timestamp maxt_;
};

absl::StatusOr<std::unique_ptr<Querier>> Head::NewQuerier(Timestamp mint, Timestamp maxt) {
  return std::unique_ptr<Querier>(std::make_unique<HeadQuerier>(this, mint, maxt));
}

}  // namespace sundial::tsdb
