// Which blocks to delete: Prometheus' deletableBlocks with BeyondTimeRetention and
// BeyondSizeRetention (tsdb/db.go). Pure functions over block metas and sizes.
//
//   std::vector<StoredBlock> blocks = ...;   // every block loaded from the data directory
//   std::vector<std::string> doomed = BlocksToDelete(blocks, {.retention_ms = 15 * kDay},
//                                                    /*head_bytes=*/wal_and_head_chunk_bytes);
//
// Time retention keeps a block while the newest block's max time minus its max time is at most
// the retention (the head does not count: with no blocks nothing is deleted). Size retention
// walks the blocks from the newest, adding their sizes to the head's (WAL and head chunk files),
// and deletes the first block that takes the sum over the limit and every older one; it may
// delete the newest block.
#ifndef SUNDIAL_TSDB_COMPACT_RETENTION_H_
#define SUNDIAL_TSDB_COMPACT_RETENTION_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tsdb/block/meta.h"

namespace sundial::tsdb {

struct StoredBlock {
  const block::BlockMeta* meta = nullptr;  // not owned
  // Bytes on disk: index, chunk segments, tombstones and meta.json (Prometheus' Block.Size).
  int64_t size_bytes = 0;
};

struct RetentionOptions {
  int64_t retention_ms = 0;  // --storage.tsdb.retention.time; <= 0 turns it off
  int64_t max_bytes = 0;     // --storage.tsdb.retention.size; <= 0 turns it off
};

// ULIDs of the blocks beyond time retention, newest first.
std::vector<std::string> BeyondTimeRetention(std::span<const StoredBlock> blocks,
                                             int64_t retention_ms);

// ULIDs of the blocks beyond size retention, newest first. head_bytes is what the WAL and the
// head's chunk files take.
std::vector<std::string> BeyondSizeRetention(std::span<const StoredBlock> blocks,
                                             int64_t head_bytes, int64_t max_bytes);

// Whether time and size retention each named a block in a BlocksToDelete (the DB counts them).
struct RetentionHits {
  bool time = false;
  bool size = false;
};

// Everything to delete, sorted by ULID: blocks marked deletable, blocks that another block lists
// as a compaction parent (the compaction finished but the parents were not deleted yet), and
// of the rest those beyond time or size retention. Unlike Prometheus, superseded parents do not
// count towards the size limit (they are about to go; counting them twice could delete data
// needlessly). Fills *hits when given.
std::vector<std::string> BlocksToDelete(std::span<const StoredBlock> blocks,
                                        const RetentionOptions& options, int64_t head_bytes,
                                        RetentionHits* hits = nullptr);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_COMPACT_RETENTION_H_
