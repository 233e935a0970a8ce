// The head's Querier: postings lookups, per-series snapshots, and iterators that merge in-order
// chunks with out-of-order samples.

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

// Iterates a snapshot within [mint, maxt]: chunks in order, merged with the out-of-order
// samples; on equal timestamps the in-order sample wins.
class HeadSeriesIterator final : public SampleIterator {
 public:
  HeadSeriesIterator(const SeriesSnapshot* snapshot, Timestamp mint, Timestamp maxt)
      : snapshot_(snapshot), mint_(mint), maxt_(maxt), chunk_it_(std::string_view()) {}

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
    const auto& ooo = snapshot_->out_of_order;
    while (ooo_pos_ < ooo.size() && ooo[ooo_pos_].first < t) ++ooo_pos_;
    return Pick();
  }

  std::pair<Timestamp, double> At() const override { return cur_; }
  Timestamp AtT() const override { return cur_.first; }
  absl::Status Err() const override { return err_; }

 private:
  enum class State { kFresh, kAt, kDone };

  // Positions on the first in-order sample >= t, starting at chunk_; false if none.
  bool OpenChunk(Timestamp t) {
    const auto& chunks = snapshot_->chunks;
    while (chunk_ < chunks.size() && chunks[chunk_]->maxt < t) ++chunk_;
    for (; chunk_ < chunks.size(); ++chunk_) {
      chunk_it_ = XorIterator(chunks[chunk_]->bytes);
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
    const auto& ooo = snapshot_->out_of_order;
    const bool have_ooo = ooo_pos_ < ooo.size();
    from_in_order_ = in_order_valid_ && (!have_ooo || in_order_.first <= ooo[ooo_pos_].first);
    from_ooo_ = have_ooo && (!in_order_valid_ || ooo[ooo_pos_].first <= in_order_.first);
    if (!err_.ok() || (!from_in_order_ && !from_ooo_)) return Finish();
    cur_ = from_in_order_ ? in_order_ : ooo[ooo_pos_];
    if (cur_.first > maxt_) return Finish();
    return ValueType::kFloat;
  }

  ValueType Finish() {
    state_ = State::kDone;
    return ValueType::kNone;
  }

  const SeriesSnapshot* snapshot_;
  const Timestamp mint_;
  const Timestamp maxt_;
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

class HeadSeries final : public Series {
 public:
  HeadSeries(Labels labels, SeriesSnapshot snapshot, Timestamp mint, Timestamp maxt)
      : labels_(std::move(labels)), snapshot_(std::move(snapshot)), mint_(mint), maxt_(maxt) {}

  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<HeadSeriesIterator>(&snapshot_, mint_, maxt_);
  }

 private:
  Labels labels_;
  SeriesSnapshot snapshot_;
  Timestamp mint_;
  Timestamp maxt_;
};

class VectorSeriesSet final : public SeriesSet {
 public:
  explicit VectorSeriesSet(std::vector<std::unique_ptr<HeadSeries>> series)
      : series_(std::move(series)) {}

  bool Next() override {
    if (next_ >= series_.size()) return false;
    current_ = std::move(series_[next_++]);
    return true;
  }
  const Series& At() const override { return *current_; }
  absl::Status Err() const override { return absl::OkStatus(); }

 private:
  std::vector<std::unique_ptr<HeadSeries>> series_;
  size_t next_ = 0;
  std::unique_ptr<HeadSeries> current_;
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
    std::vector<std::unique_ptr<HeadSeries>> out;
    if (mint <= maxt) {
      SeriesSnapshot snapshot;
      for (SeriesRef ref : PostingsForMatchers(head_->postings_, matchers)) {
        head_->series_.WithSeries(ref, [&](const MemSeries& s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          if (s.Snapshot(mint, maxt, &snapshot)) {
            out.push_back(
                std::make_unique<HeadSeries>(s.labels(), std::move(snapshot), mint, maxt));
          }
        });
      }
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a->labels() < b->labels(); });
    return std::make_unique<VectorSeriesSet>(std::move(out));
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
