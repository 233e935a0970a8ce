// MergeQuerier: one Querier over several (the head and the blocks that overlap a query), as
// Prometheus' storage.NewMergeQuerier with the chaining, deduplicating series merge it uses for
// vertical (overlapping) data.
//
//   std::vector<std::unique_ptr<Querier>> parts;
//   parts.push_back(std::move(block_querier));
//   parts.push_back(std::move(head_querier));
//   std::unique_ptr<Querier> q = NewMergeQuerier(std::move(parts));
//   std::unique_ptr<SeriesSet> set = q->Select(hints, matchers);   // sorted, labels unique
//
// Select yields the series of all sources in labels order; series with identical labels in
// several sources become one series whose iterator yields the union of their samples in
// timestamp order. Where two sources hold a sample with the same timestamp only one is yielded:
// the one of the source that comes first in the list given to NewMergeQuerier (Prometheus keeps
// an arbitrary one; we make the choice deterministic so that compaction is reproducible).
//
// Errors: the first error of any source series set or iterator ends the merged set or iterator
// (Next() returns false / kNone) and is returned by its Err(). LabelNames and LabelValues fail
// when any source fails.
#ifndef SUNDIAL_TSDB_COMPACT_MERGE_QUERIER_H_
#define SUNDIAL_TSDB_COMPACT_MERGE_QUERIER_H_

#include <memory>
#include <vector>

#include "tsdb/storage.h"

namespace sundial::tsdb {

// Takes ownership of the queriers (null entries are ignored). With none, Select yields nothing;
// with one, the result is that querier itself.
std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers);

// Merges series sets that are each sorted by labels into one sorted set (same rules as above;
// on equal timestamps the set earlier in `sets` wins). Takes ownership of the sets.
std::unique_ptr<SeriesSet> NewMergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets);

// Merges iterators over the samples of one series: timestamp order, one sample per timestamp,
// the iterator earlier in `its` winning ties. Takes ownership of the iterators.
std::unique_ptr<SampleIterator> NewMergeSampleIterator(
    std::vector<std::unique_ptr<SampleIterator>> its);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_COMPACT_MERGE_QUERIER_H_
