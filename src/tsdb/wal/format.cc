#include "tsdb/wal/format.h"

#include <charconv>
#include <cstdio>

#include "base/str_cat.h"

namespace sundial::tsdb::wal {

std::string SegmentName(int index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08d", index);
  return buf;
}

std::optional<int> ParseSegmentName(std::string_view name) {
  if (name.empty()) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (ec != std::errc() || ptr != name.data() + name.size() || value < 0) return std::nullopt;
  return value;
}

std::string CheckpointName(int index) { return StrCat(kCheckpointPrefix, SegmentName(index)); }

}  // namespace sundial::tsdb::wal
