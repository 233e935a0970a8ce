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
#include "absl/container/flat_hash_map.h"
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

// Series collected for MemPostings::Merge (WAL replay creates series on several threads): each
// thread fills its own builder, then seals it, which orders what it holds, so the merge is one
// ordered walk. A label costs a hash lookup here instead of a btree descent in the index.
//
//   PostingsBuilder b;                  // one per thread
//   b.Add(ref, series->labels());       // ...
//   b.Seal();                           // on any one thread, before the merge
//   index.Merge({&b});
//
// Keeps views into the labels added: REQUIRES they outlive the Merge. Not thread-safe.
class PostingsBuilder {
 public:
  PostingsBuilder() = default;
  PostingsBuilder(const PostingsBuilder&) = delete;
  PostingsBuilder& operator=(const PostingsBuilder&) = delete;

  void Add(SeriesRef ref, const Labels& labels);
  // Orders names, values and refs. REQUIRES: no Add after it.
  void Seal();
  bool empty() const { return all_.empty(); }

 private:
  friend class MemPostings;
  struct Name {
    std::string_view name;
    absl::flat_hash_map<std::string_view, Postings> values;     // until Seal
    std::vector<std::pair<std::string_view, Postings>> sorted;  // by value, after Seal
  };
  // The entry of `name`, found first where the label at `position` of the last series was.
  Name* NameAt(size_t position, std::string_view name);

  std::vector<std::unique_ptr<Name>> names_;  // by name after Seal
  absl::flat_hash_map<std::string_view, Name*> by_name_;
  std::vector<Name*> last_;  // by label position, the names of the last series added
  Postings all_;
};

// The head's inverted index. Thread-safe: lookups share a reader lock, changes take it
// exclusively. Lookups return copies, so results stay valid while the index changes.
class MemPostings {
 public:
  // Adds ref under every label of `labels` and to the all-refs list. Refs may arrive slightly out
  // of order (concurrent series creation); lists stay sorted.
  void Add(SeriesRef ref, const Labels& labels);
  // Adds the series of sealed builders (any number, refs distinct from each other's and from
  // the index's), under one lock: each list's values are inserted in order, walking the index
  // alongside, instead of one lookup per label. Leaves the builders empty.
  void Merge(std::span<PostingsBuilder* const> builders);
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
