#include "tsdb/wal/segments.h"

#include <algorithm>

#include "base/status_macros.h"
#include "tsdb/wal/format.h"

namespace sundial::tsdb::wal {

absl::StatusOr<std::vector<int>> ListSegments(FileSystem* fs, const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->List(dir));
  std::vector<int> indices;
  for (const std::string& name : names) {
    if (std::optional<int> index = ParseSegmentName(name)) indices.push_back(*index);
  }
  std::sort(indices.begin(), indices.end());
  return indices;
}

std::string SegmentPath(const std::string& dir, int index) {
  return JoinPath(dir, SegmentName(index));
}

}  // namespace sundial::tsdb::wal
