// Postings: sorted lists of series refs, the in-memory inverted index of the head (label name ->
// value -> refs, plus the list of all refs), and matcher evaluation over it with Prometheus'
// semantics.
//
//   MemPostings index;
//   index.Add(ref, labels);
//   Postings refs = PostingsForMatchers(index, matchers);   // sorted, unique
#ifndef SUNDIAL_TSDB_POSTINGS_H_
#define SUNDIAL_TSDB_POSTINGS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/storage.h"

namespace sundial::tsdb {

// A sorted list of unique refs.
using Postings = std::vector<SeriesRef>;

// Refs in both a and b.
Postings Intersect(const Postings& a, const Postings& b);
// Refs in any of the lists.
Postings Union(std::vector<Postings> lists);
// Refs in a but not in b.
Postings Subtract(const Postings& a, const Postings& b);

// The series of the head at one moment in Prometheus' labels order: the rank of each ref. Lets a
// Select sort its series by comparing integers instead of label sets (series added since are
// not in it; series deleted since keep their rank, which still orders the others correctly).
struct LabelOrder {
  Postings refs;                // ascending
  std::vector<uint32_t> ranks;  // ranks[i]: the position of refs[i] in labels order
};

// The head's inverted index. Thread-safe: lookups share a reader lock, changes take it
// exclusively. Lookups return copies, so results stay valid while the index changes.
class MemPostings {
 public:
  // Adds ref under every label of `labels` and to the all-refs list. Refs may arrive slightly out
  // of order (concurrent series creation); lists stay sorted.
  void Add(SeriesRef ref, const Labels& labels);
  // Add for series created on several threads at once (WAL replay), whose refs interleave: each
  // ref goes to the end of its lists, which Sort() must then put in order before any lookup.
  // Takes the lock once for all.
  void AddUnsorted(std::span<const std::pair<SeriesRef, const Labels*>> series);
  void Sort();
  // Removes the given series (refs with the labels they were added with).
  void Delete(const std::vector<std::pair<SeriesRef, Labels>>& series);

  Postings All() const;
  Postings Get(std::string_view name, std::string_view value) const;
  // The union of the lists of every value v of m.name() with m.Matches(v) == want. Uses the
  // matcher's fast paths (=, literal sets and prefixes look values up; .* and .+ take all).
  Postings ForValues(const Matcher& m, bool want) const;
  // The refs in the lists of every `name="value"` matcher of `equal` (REQUIRES: type kEqual,
  // value not empty), intersected without copying the lists. None: no refs.
  Postings ForAllValues(std::span<const Matcher* const> equal) const;

  // Sorted label names / values of one name.
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;

  // The number of series.
  size_t NumSeries() const;
  // The label order last set (null before): a cache for the head's queriers (head_read.cc).
  std::shared_ptr<const LabelOrder> label_order() const;
  void set_label_order(std::shared_ptr<const LabelOrder> order) const;

 private:
  using Values = absl::btree_map<std::string, Postings, std::less<>>;
  // Add's work under mu_; insert(list, ref) puts ref into a list.
  template <typename Insert>
  void AddLocked(SeriesRef ref, const Labels& labels, Insert insert)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::btree_map<std::string, Values, std::less<>> index_ ABSL_GUARDED_BY(mu_);
  Postings all_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex order_mu_;
  mutable std::shared_ptr<const LabelOrder> order_ ABSL_GUARDED_BY(order_mu_);
};

// The refs of series that match every matcher, with Prometheus' rules: a matcher that matches ""
// also selects series without the label (so `a=""` selects series without `a`, and `a!="x"`
// includes series without `a`); matchers that match "" are evaluated by subtraction. With no
// matcher that fails on "", the result starts from all series. No matchers: no series.
Postings PostingsForMatchers(const MemPostings& index, std::span<const Matcher> matchers);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_POSTINGS_H_
