// An in-memory Querier over fixed data, with switches that make it fail, for the merge tests and
// benchmarks.
#ifndef SUNDIAL_TESTS_TSDB_COMPACT_TEST_STORAGE_H_
#define SUNDIAL_TESTS_TSDB_COMPACT_TEST_STORAGE_H_

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/storage.h"

namespace sundial::tsdb::testing_storage {

using Sample = std::pair<Timestamp, double>;
using SeriesData = std::map<Labels, std::vector<Sample>>;  // samples sorted by time

struct Faults {
  // The series set fails after yielding this many series (-1: never).
  int set_error_after = -1;
  // Iterators fail after yielding this many samples (-1: never).
  int iterator_error_after = -1;
  bool label_error = false;
};

class VectorIterator final : public SampleIterator {
 public:
  VectorIterator(const std::vector<Sample>* samples, Timestamp mint, Timestamp maxt, int fail_after)
      : samples_(samples), mint_(mint), maxt_(maxt), fail_after_(fail_after) {}

  ValueType Next() override {
    if (done_) return ValueType::kNone;
    if (!started_) return Seek(INT64_MIN);
    ++pos_;
    return Check();
  }
  ValueType Seek(Timestamp t) override {
    if (done_) return ValueType::kNone;
    if (started_ && (*samples_)[pos_].first >= t) return ValueType::kFloat;
    started_ = true;
    t = std::max(t, mint_);
    while (pos_ < samples_->size() && (*samples_)[pos_].first < t) ++pos_;
    return Check();
  }
  std::pair<Timestamp, double> At() const override { return (*samples_)[pos_]; }
  Timestamp AtT() const override { return (*samples_)[pos_].first; }
  absl::Status Err() const override { return err_; }

 private:
  ValueType Check() {
    if (fail_after_ >= 0 && yielded_ >= fail_after_) {
      err_ = absl::DataLossError("iterator broke");
      done_ = true;
      return ValueType::kNone;
    }
    if (pos_ >= samples_->size() || (*samples_)[pos_].first > maxt_) {
      done_ = true;
      return ValueType::kNone;
    }
    ++yielded_;
    return ValueType::kFloat;
  }

  const std::vector<Sample>* samples_;
  Timestamp mint_, maxt_;
  int fail_after_;
  size_t pos_ = 0;
  int yielded_ = 0;
  bool started_ = false;
  bool done_ = false;
  absl::Status err_;
};

class VectorSeries final : public Series {
 public:
  VectorSeries(const Labels* labels, const std::vector<Sample>* samples, Timestamp mint,
               Timestamp maxt, int fail_after)
      : labels_(labels), samples_(samples), mint_(mint), maxt_(maxt), fail_after_(fail_after) {}
  const Labels& labels() const override { return *labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<VectorIterator>(samples_, mint_, maxt_, fail_after_);
  }

 private:
  const Labels* labels_;
  const std::vector<Sample>* samples_;
  Timestamp mint_, maxt_;
  int fail_after_;
};

class VectorSet final : public SeriesSet {
 public:
  VectorSet(std::vector<VectorSeries> series, int fail_after)
      : series_(std::move(series)), fail_after_(fail_after) {}
  bool Next() override {
    if (fail_after_ >= 0 && next_ >= static_cast<size_t>(fail_after_)) {
      err_ = absl::UnavailableError("set broke");
      return false;
    }
    if (next_ >= series_.size()) return false;
    cur_ = next_++;
    return true;
  }
  const Series& At() const override { return series_[cur_]; }
  absl::Status Err() const override { return err_; }

 private:
  std::vector<VectorSeries> series_;
  int fail_after_;
  size_t next_ = 0;
  size_t cur_ = 0;
  absl::Status err_;
};

// Serves `data` (which must outlive it) within [mint, maxt].
class VectorQuerier final : public Querier {
 public:
  explicit VectorQuerier(const SeriesData* data, Faults faults = {}, Timestamp mint = INT64_MIN,
                         Timestamp maxt = INT64_MAX)
      : data_(data), faults_(faults), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(const SelectHints& hints,
                                    std::span<const Matcher> matchers) override {
    const Timestamp mint = std::max(mint_, hints.start);
    const Timestamp maxt = std::min(maxt_, hints.end);
    std::vector<VectorSeries> out;
    for (const auto& [labels, samples] : *data_) {
      if (!Matches(labels, matchers)) continue;
      bool any = false;
      for (const Sample& s : samples) any = any || (s.first >= mint && s.first <= maxt);
      if (any) out.emplace_back(&labels, &samples, mint, maxt, faults_.iterator_error_after);
    }
    return std::make_unique<VectorSet>(std::move(out), faults_.set_error_after);
  }
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    if (faults_.label_error) return absl::InternalError("names broke");
    std::set<std::string> out;
    for (const auto& [labels, samples] : *data_) {
      if (!Matches(labels, matchers)) continue;
      for (const Label& l : labels) out.emplace(l.name);
    }
    return std::vector<std::string>(out.begin(), out.end());
  }
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    if (faults_.label_error) return absl::InternalError("values broke");
    std::set<std::string> out;
    for (const auto& [labels, samples] : *data_) {
      if (!Matches(labels, matchers) || !labels.Has(name)) continue;
      out.emplace(labels.Get(name));
    }
    return std::vector<std::string>(out.begin(), out.end());
  }

 private:
  static bool Matches(const Labels& labels, std::span<const Matcher> matchers) {
    for (const Matcher& m : matchers) {
      if (!m.Matches(labels.Get(m.name()))) return false;
    }
    return true;
  }

  const SeriesData* data_;
  Faults faults_;
  Timestamp mint_, maxt_;
};

}  // namespace sundial::tsdb::testing_storage

#endif  // SUNDIAL_TESTS_TSDB_COMPACT_TEST_STORAGE_H_
