// A block's tombstones file (prometheus tsdb/docs/format/tombstones.md): deleted time ranges
// per series.
//
//   magic 0x0130BA30 <4b BE> | version 1 <1b> | (series ref <uvarint64>, mint <varint64>,
//   maxt <varint64>)... | CRC32C of everything after the magic except the version <4b BE>
//
// Every block has one; a block without deletions has an empty one (9 bytes).
//
//   Tombstones t;
//   t.Add(series_id, {1000, 2000});                   // both ends inclusive
//   RETURN_IF_ERROR(WriteTombstones(fs, block_dir, t));
//   ASSIGN_OR_RETURN(Tombstones back, ReadTombstones(fs, block_dir));
#ifndef SUNDIAL_TSDB_BLOCK_TOMBSTONES_H_
#define SUNDIAL_TSDB_BLOCK_TOMBSTONES_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "tsdb/storage.h"

namespace sundial::tsdb::block {

// A closed time range [min_time, max_time].
struct Interval {
  int64_t min_time = 0;
  int64_t max_time = 0;

  bool Contains(int64_t t) const { return t >= min_time && t <= max_time; }
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Deleted intervals per series id. Intervals of a series are kept sorted and merged.
class Tombstones {
 public:
  void Add(SeriesRef ref, Interval iv);
  // The sorted, non-overlapping intervals of ref; empty if none.
  const std::vector<Interval>& Get(SeriesRef ref) const;
  bool empty() const { return by_series_.empty(); }
  // Total number of intervals (BlockStats::num_tombstones).
  uint64_t NumIntervals() const;
  const std::map<SeriesRef, std::vector<Interval>>& all() const { return by_series_; }

  friend bool operator==(const Tombstones&, const Tombstones&) = default;

 private:
  std::map<SeriesRef, std::vector<Interval>> by_series_;
};

std::string EncodeTombstones(const Tombstones& t);
// `name` is used in error messages.
absl::StatusOr<Tombstones> DecodeTombstones(std::string_view data, std::string_view name);

// <dir>/tombstones via tombstones.tmp, fsync, rename. A missing file reads as no tombstones,
// as in Prometheus.
absl::Status WriteTombstones(FileSystem* fs, const std::string& dir, const Tombstones& t);
absl::StatusOr<Tombstones> ReadTombstones(FileSystem* fs, const std::string& dir);

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_TOMBSTONES_H_
