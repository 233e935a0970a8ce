#include "tsdb/wal/repair.h"

#include <vector>

#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/wal/format.h"
#include "tsdb/wal/segments.h"

namespace sundial::tsdb::wal {

absl::Status Repair(FileSystem* fs, const Corruption& c) {
  static const Logger kLog("wal");
  const size_t slash = c.dir.find_last_of('/');
  std::string_view base = slash == std::string::npos ? std::string_view(c.dir)
                                                     : std::string_view(c.dir).substr(slash + 1);
  if (base.starts_with(kCheckpointPrefix)) {
    return absl::FailedPreconditionError(
        AsAbsl(StrCat("cannot repair checkpoint ", c.dir, ": ", c.reason)));
  }
  kLog.Warn("Starting corruption repair",
            {{"dir", c.dir}, {"segment", c.segment}, {"offset", c.offset}, {"reason", c.reason}});
  ASSIGN_OR_RETURN(std::vector<int> segments, ListSegments(fs, c.dir));
  bool found = false;
  for (int s : segments) {
    if (s == c.segment) found = true;
    if (s <= c.segment) continue;
    const std::string path = SegmentPath(c.dir, s);
    ASSIGN_OR_RETURN(uint64_t size, fs->FileSize(path));
    kLog.Warn("Deleting segment newer than the corruption", {{"segment", s}, {"bytes", size}});
    RETURN_IF_ERROR(fs->Remove(path));
  }
  if (found) {
    const std::string path = SegmentPath(c.dir, c.segment);
    ASSIGN_OR_RETURN(uint64_t size, fs->FileSize(path));
    if (static_cast<uint64_t>(c.offset) < size) {
      kLog.Warn("Truncating corrupted segment",
                {{"segment", c.segment},
                 {"offset", c.offset},
                 {"dropped_bytes", size - static_cast<uint64_t>(c.offset)}});
      RETURN_IF_ERROR(fs->Truncate(path, static_cast<uint64_t>(c.offset)));
    }
  }
  return fs->SyncDir(c.dir);
}

}  // namespace sundial::tsdb::wal
