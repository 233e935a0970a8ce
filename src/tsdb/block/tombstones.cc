#include "tsdb/block/tombstones.h"

#include <algorithm>
#include <memory>

#include "base/big_endian.h"
#include "base/byte_reader.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/varint.h"
#include "tsdb/block/format.h"

namespace sundial::tsdb::block {

void Tombstones::Add(SeriesRef ref, Interval iv) {
  std::vector<Interval>& ivs = by_series_[ref];
  ivs.push_back(iv);
  std::sort(ivs.begin(), ivs.end(),
            [](const Interval& a, const Interval& b) { return a.min_time < b.min_time; });
  std::vector<Interval> merged;
  for (const Interval& i : ivs) {
    // Adjacent integer ranges merge too ([1,2] and [3,4] -> [1,4]), as Prometheus does.
    if (!merged.empty() &&
        (merged.back().max_time == INT64_MAX || i.min_time <= merged.back().max_time + 1)) {
      merged.back().max_time = std::max(merged.back().max_time, i.max_time);
    } else {
      merged.push_back(i);
    }
  }
  ivs = std::move(merged);
}

const std::vector<Interval>& Tombstones::Get(SeriesRef ref) const {
  static const std::vector<Interval>* const kEmpty = new std::vector<Interval>;
  auto it = by_series_.find(ref);
  return it == by_series_.end() ? *kEmpty : it->second;
}

uint64_t Tombstones::NumIntervals() const {
  uint64_t n = 0;
  for (const auto& [ref, ivs] : by_series_) n += ivs.size();
  return n;
}

std::string EncodeTombstones(const Tombstones& t) {
  std::string out;
  AppendBigEndian32(&out, kTombstonesMagic);
  out.push_back(static_cast<char>(kTombstonesFormatV1));
  size_t body = out.size();
  for (const auto& [ref, ivs] : t.all()) {
    for (const Interval& iv : ivs) {
      PutUvarint(&out, ref);
      PutVarint(&out, iv.min_time);
      PutVarint(&out, iv.max_time);
    }
  }
  AppendBigEndian32(&out, Crc32cExtend(0, out.data() + body, out.size() - body));
  return out;
}

absl::StatusOr<Tombstones> DecodeTombstones(std::string_view data, std::string_view name) {
  if (data.size() < 9) return Corruption(name, 0, "tombstones file shorter than 9 bytes");
  if (LoadBigEndian32(data.data()) != kTombstonesMagic)
    return Corruption(name, 0, "invalid magic number");
  if (static_cast<uint8_t>(data[4]) != kTombstonesFormatV1) {
    return Corruption(name, 4, "unsupported tombstones version");
  }
  std::string_view body = data.substr(5, data.size() - 9);
  if (Crc32c(body) != LoadBigEndian32(data.data() + data.size() - 4)) {
    return Corruption(name, data.size() - 4, "checksum mismatch");
  }
  Tombstones t;
  ByteReader d(body);
  while (d.remaining() > 0) {
    size_t at = 5 + body.size() - d.remaining();
    SeriesRef ref = d.Uvarint();
    int64_t mint = d.Varint();
    int64_t maxt = d.Varint();
    if (!d.ok()) return Corruption(name, at, "truncated tombstone");
    t.Add(ref, {mint, maxt});
  }
  return t;
}

absl::Status WriteTombstones(FileSystem* fs, const std::string& dir, const Tombstones& t) {
  std::string path = JoinPath(dir, kTombstonesFilename);
  std::string tmp = StrCat(path, ".tmp");
  absl::Status s = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->OpenWritable(tmp, OpenMode::kTruncate));
    RETURN_IF_ERROR(f->Append(EncodeTombstones(t)));
    RETURN_IF_ERROR(f->Sync());
    RETURN_IF_ERROR(f->Close());
    RETURN_IF_ERROR(fs->Rename(tmp, path));
    return fs->SyncDir(dir);
  }();
  if (!s.ok()) fs->RemoveAll(tmp).IgnoreError();
  return s;
}

absl::StatusOr<Tombstones> ReadTombstones(FileSystem* fs, const std::string& dir) {
  std::string path = JoinPath(dir, kTombstonesFilename);
  absl::StatusOr<std::string> data = fs->ReadFile(path);
  if (absl::IsNotFound(data.status())) return Tombstones{};
  if (!data.ok()) return data.status();
  return DecodeTombstones(*data, path);
}

}  // namespace sundial::tsdb::block
