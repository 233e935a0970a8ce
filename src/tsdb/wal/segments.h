// Listing the segment files of a WAL directory.
#ifndef SUNDIAL_TSDB_WAL_SEGMENTS_H_
#define SUNDIAL_TSDB_WAL_SEGMENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/file_system.h"

namespace sundial::tsdb::wal {

// The indices of the segment files in dir, ascending. Entries whose names are not segment names
// (checkpoint directories, *.tmp) are skipped. Gaps are not checked here: the Reader reports a
// missing segment as corruption.
absl::StatusOr<std::vector<int>> ListSegments(FileSystem* fs, const std::string& dir);

// dir/00000042
std::string SegmentPath(const std::string& dir, int index);

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_SEGMENTS_H_
