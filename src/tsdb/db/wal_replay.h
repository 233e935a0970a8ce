// ReplayWal: loads a WAL directory (last checkpoint, then segments) into a fresh head, repairing
// a corrupt or torn tail. Internal to tsdb/db; DB::Open calls it before opening the writer.
#ifndef SUNDIAL_TSDB_DB_WAL_REPLAY_H_
#define SUNDIAL_TSDB_DB_WAL_REPLAY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "tsdb/db/wal_head_log.h"
#include "tsdb/head.h"

namespace sundial::tsdb {

struct ReplayResult {
  uint64_t max_wal_ref = 0;         // the highest series ref in any series record
  WalHeadLog::EntryMap entries;     // head ref -> the WAL ref it was last mapped from, max t
  WalHeadLog::AliasMap aliases;     // other WAL refs that mapped to a head series
  int64_t corruptions = 0;          // corrupt tails repaired (0 or 1)
  int64_t samples = 0;              // samples read from the log
  int64_t unknown_ref_samples = 0;  // samples whose series record was missing
  int64_t rejected_samples = 0;     // samples the head refused (out of order, duplicate, ...)
  int64_t rejected_exemplars = 0;   // exemplars the head refused (out of order, ...)
  int64_t mmapped_samples = 0;      // samples skipped as already in a chunk from chunks_head
  int64_t mmapped_series = 0;       // series that got chunks from chunks_head
  // Deletions of the tombstone records, by head ref; those of series the head never got a
  // sample for are dropped.
  std::vector<WalHeadLog::Stone> tombstones;
};

// Chunks read back from chunks_head/, by the series ref they were written under (the WAL ref),
// oldest first.
using MmappedChunks =
    absl::flat_hash_map<uint64_t, std::vector<std::shared_ptr<const ClosedChunk>>>;

// Replays dir into head in stream order. WAL series refs are mapped to the refs the head
// assigns; a later series record with the same WAL ref replaces the mapping. A series record
// creates nothing until its first sample (the head has no empty series). Samples go straight
// into their series on `workers` threads (0: one per core) while this thread reads on; a
// series' samples keep their order, and each samples record is checked as the appender that
// logged it checked it (the head's newest sample at its start bounds it), so the head is the
// same whatever the thread count. Every refused sample counts in rejected_samples. On corruption in
// a segment, everything before it is kept and the log is cut there (wal::Repair); corruption in the
// checkpoint fails (its series could not be recovered from anywhere). A missing dir is an empty
// log. Series get their chunks_head ref: their WAL ref.
//
// With mmapped: a series record whose ref has chunks there creates the series at once with
// those chunks (taken out of *mmapped; chunks of refs without a series record stay), and its
// samples at or before the newest chunk's end are skipped (they are in the chunks), as
// Prometheus does. REQUIRES: head is empty and logs nothing while this runs; no writer on dir.
absl::StatusOr<ReplayResult> ReplayWal(FileSystem* fs, const std::string& dir, Head* head,
                                       MmappedChunks* mmapped = nullptr, int workers = 0);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_WAL_REPLAY_H_
