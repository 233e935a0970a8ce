// Writes a block's index file in Prometheus' index format v2 (tsdb/docs/format/index.md), with
// the same sections, order, padding and checksums as Prometheus 2.42 writes: symbol table,
// series (16-byte aligned; a series' id is offset / 16), one label index per label name, the
// postings lists (the all-series list under the empty name and value first), the label offset
// table, the postings offset table and the TOC.
//
//   std::vector<IndexSeries> series = ...;   // sorted by labels, chunk refs increasing
//   RETURN_IF_ERROR(WriteIndex(fs, JoinPath(dir, "index"), series));
#ifndef SUNDIAL_TSDB_BLOCK_INDEX_WRITER_H_
#define SUNDIAL_TSDB_BLOCK_INDEX_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "model/labels.h"

namespace sundial::tsdb::block {

// One chunk of a series as the index describes it: [min_time, max_time] of its samples and
// where it is in the chunk segments.
struct ChunkMeta {
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t ref = 0;

  friend bool operator==(const ChunkMeta&, const ChunkMeta&) = default;
};

struct IndexSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;
};

// The index bytes for `series`. Fails (InvalidArgument) if series are not strictly sorted by
// labels, a series has no labels, chunk refs decrease, or chunks of a series overlap or are
// unordered (the checks of Prometheus' index writer).
absl::StatusOr<std::string> EncodeIndex(const std::vector<IndexSeries>& series);

// EncodeIndex, written to path (a new file) and fsynced.
absl::Status WriteIndex(FileSystem* fs, const std::string& path,
                        const std::vector<IndexSeries>& series);

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_INDEX_WRITER_H_
