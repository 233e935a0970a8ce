// Checkpoints: a compacted copy of the WAL up to some segment, so older segments can be
// deleted. A checkpoint is itself a WAL directory, dir/checkpoint.00000123 (covering segments up
// to and including 123), written to checkpoint.00000123.tmp, fsynced and renamed into place, so
// a crash leaves either the whole checkpoint or an ignored .tmp directory.
//
//   ASSIGN_OR_RETURN(CheckpointStats st, Checkpoint(fs, wal_dir, first, last, keep, mint, true));
//   RETURN_IF_ERROR(writer->Truncate(last + 1));
//   RETURN_IF_ERROR(DeleteCheckpoints(fs, wal_dir, last));
//
// Replay reads the last checkpoint, then the segments after its index (see replay.h).
// Not safe to run two checkpoints of one directory at the same time.
#ifndef SUNDIAL_TSDB_WAL_CHECKPOINT_H_
#define SUNDIAL_TSDB_WAL_CHECKPOINT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "tsdb/wal/records.h"

namespace sundial::tsdb::wal {

struct CheckpointRef {
  std::string path;  // dir/checkpoint.XXXXXXXX
  int index = 0;     // the last segment it covers
};

// The checkpoint with the highest index in dir, or nullopt if there is none. Names that do not
// parse (checkpoint.00000005.tmp) are ignored.
absl::StatusOr<std::optional<CheckpointRef>> LastCheckpoint(FileSystem* fs, const std::string& dir);

// Removes every checkpoint with an index below `upto`, and every leftover checkpoint.*.tmp
// directory.
absl::Status DeleteCheckpoints(FileSystem* fs, const std::string& dir, int upto);

struct CheckpointStats {
  int64_t total_series = 0, dropped_series = 0;
  int64_t total_samples = 0, dropped_samples = 0;
  int64_t total_tombstones = 0, dropped_tombstones = 0;
  int64_t total_exemplars = 0, dropped_exemplars = 0;
  int64_t total_metadata = 0, dropped_metadata = 0;
};

// Writes dir/checkpoint.<to> from the last existing checkpoint (if any) plus segments
// [from, to] of dir, keeping the series records for which keep(ref) is true, samples and
// exemplars with t >= mint, tombstones with an interval ending at or after mint, and the latest
// metadata of each kept series; histogram records are copied whole (not decoded yet), mmap
// markers and unknown types are dropped. If a checkpoint exists, from is
// raised to its index + 1 (InvalidArgument if from is beyond that: segments would be missing).
// Corruption anywhere fails the checkpoint (a checkpoint must not silently lose series).
// Compresses the records it writes if compress is set. Does not delete anything.
absl::StatusOr<CheckpointStats> Checkpoint(FileSystem* fs, const std::string& dir, int from, int to,
                                           const std::function<bool(HeadSeriesRef)>& keep,
                                           int64_t mint, bool compress);

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_CHECKPOINT_H_
