// Repair: cuts a WAL at a corruption so that it can be replayed and written again.
//
//   absl::Status s = Replay(...);
//   if (std::optional<Corruption> c = GetCorruption(s)) RETURN_IF_ERROR(Repair(fs, *c));
#ifndef SUNDIAL_TSDB_WAL_REPAIR_H_
#define SUNDIAL_TSDB_WAL_REPAIR_H_

#include "absl/status/status.h"
#include "base/file_system.h"
#include "tsdb/wal/corruption.h"

namespace sundial::tsdb::wal {

// Deletes every segment after c.segment and truncates c.segment at c.offset, so exactly the
// records that start before the corruption remain (a later Reader reads the cut segment as if
// zero-padded to its page end). Logs what it drops. Prometheus' Repair rewrites the segment
// record by record to the same effect.
// REQUIRES: no Writer is open on c.dir (open one afterwards: it starts at c.segment + 1).
// A checkpoint directory is not repaired (FailedPrecondition): its dropped series records
// could not be recovered from anywhere.
absl::Status Repair(FileSystem* fs, const Corruption& c);

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_REPAIR_H_
