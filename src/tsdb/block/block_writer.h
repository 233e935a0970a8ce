// Persists samples as a Prometheus block directory.
//
//   ASSIGN_OR_RETURN(auto q, head.NewQuerier(mint, maxt - 1));
//   ASSIGN_OR_RETURN(BlockMeta meta, WriteBlock(fs, data_dir, *q, mint, maxt));
//   // data_dir/<meta.ulid>/ now holds meta.json, index, chunks/000001..., tombstones
//
// The block is assembled in <data_dir>/<ULID>.tmp-for-creation, every file and directory is
// fsynced, then the directory is renamed to <data_dir>/<ULID> and data_dir is fsynced: after a
// crash either the complete block exists or only the .tmp-for-creation dir (which startup
// removes).
#ifndef SUNDIAL_TSDB_BLOCK_BLOCK_WRITER_H_
#define SUNDIAL_TSDB_BLOCK_BLOCK_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "tsdb/block/index_writer.h"
#include "tsdb/block/meta.h"
#include "tsdb/storage.h"

namespace sundial::tsdb::block {

struct BlockWriterOptions {
  // Samples per XOR chunk; Prometheus cuts chunks at 120.
  int samples_per_chunk = 120;
  // Chunk segment size limit; 0 means 512 MiB.
  uint64_t segment_size = 0;
  // The block's ULID; empty: a new one.
  std::string ulid;
  // Compaction metadata of the new block. Unset: level 1 with the block itself as the source
  // (a block cut from the head). The ulid is added to sources when sources is empty.
  std::optional<BlockMetaCompaction> compaction;
  // Write the block even if it has no samples (Prometheus' head compaction does not; a
  // compaction writes none and marks the sources deletable instead).
  bool write_empty = false;
  // Called with each chunk written: its time range, sample count and encoded size in bytes
  // (Prometheus' compaction observes these for the blocks it cuts from the head). Empty: none.
  std::function<void(const ChunkMeta& chunk, int samples, size_t bytes)> on_chunk;
};

// Writes every series of `querier` with samples in [mint, maxt) (max exclusive, as the block's
// meta) into a new block under parent_dir and returns its meta. With no sample and
// !write_empty, nothing is written and the returned meta has an empty ulid.
// Errors from the querier or the file system are returned; the partial .tmp-for-creation dir is
// removed on a best-effort basis.
absl::StatusOr<BlockMeta> WriteBlock(FileSystem* fs, const std::string& parent_dir,
                                     Querier& querier, int64_t mint, int64_t maxt,
                                     const BlockWriterOptions& options = {});

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_BLOCK_WRITER_H_
