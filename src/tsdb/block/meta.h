// A block's meta.json (Prometheus tsdb/block.go BlockMeta) and block ULIDs.
//
//   BlockMeta meta;
//   meta.ulid = NewUlid();
//   meta.min_time = 0;  meta.max_time = 7'200'000;    // [min_time, max_time)
//   meta.compaction.level = 1;  meta.compaction.sources = {meta.ulid};
//   RETURN_IF_ERROR(WriteMeta(fs, block_dir, meta));
//   ASSIGN_OR_RETURN(BlockMeta back, ReadMeta(fs, block_dir));
//
// WriteMeta produces the bytes Prometheus writes (Go's json.MarshalIndent with a tab indent, the
// same keys in the same order, empty optional fields omitted, no trailing newline).
#ifndef SUNDIAL_TSDB_BLOCK_META_H_
#define SUNDIAL_TSDB_BLOCK_META_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"

namespace sundial::tsdb::block {

inline constexpr std::string_view kMetaFilename = "meta.json";
inline constexpr int kMetaVersion1 = 1;

struct BlockStats {
  uint64_t num_samples = 0;
  // Written only when non-zero (Prometheus >= 2.46 writes it; 2.42 does not know it).
  uint64_t num_float_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  uint64_t num_tombstones = 0;

  friend bool operator==(const BlockStats&, const BlockStats&) = default;
};

// A parent block of a compacted block.
struct BlockDesc {
  std::string ulid;
  int64_t min_time = 0;
  int64_t max_time = 0;

  friend bool operator==(const BlockDesc&, const BlockDesc&) = default;
};

struct BlockMetaCompaction {
  int level = 0;                     // 1 for a block cut from the head
  std::vector<std::string> sources;  // ULIDs of the head blocks it contains
  bool deletable = false;            // compaction produced no samples; delete on reload
  std::vector<BlockDesc> parents;    // the blocks compacted into this one
  bool failed = false;               // a compaction of this block failed
  std::vector<std::string> hints;    // e.g. "from-out-of-order"

  friend bool operator==(const BlockMetaCompaction&, const BlockMetaCompaction&) = default;
};

struct BlockMeta {
  std::string ulid;  // 26 characters, Crockford base32
  int64_t min_time = 0;
  int64_t max_time = 0;  // exclusive
  BlockStats stats;
  BlockMetaCompaction compaction;
  int version = kMetaVersion1;

  friend bool operator==(const BlockMeta&, const BlockMeta&) = default;
};

// Serializes meta exactly as Prometheus' writeMetaFile does (version forced to 1).
std::string MarshalMeta(const BlockMeta& meta);
// Parses a meta.json. Unknown keys are ignored; a missing ulid, an invalid ulid or a version
// other than 1 is an error. `source` names the file in error messages.
absl::StatusOr<BlockMeta> ParseMeta(std::string_view json, std::string_view source = "meta.json");

// Reads <dir>/meta.json. Errors name the file.
absl::StatusOr<BlockMeta> ReadMeta(FileSystem* fs, const std::string& dir);
// Writes <dir>/meta.json through meta.json.tmp: write, fsync, rename, fsync dir.
absl::Status WriteMeta(FileSystem* fs, const std::string& dir, const BlockMeta& meta);

// ULIDs: 48-bit millisecond timestamp + 80 random bits, 26 Crockford base32 characters, so they
// sort by creation time. Within a process, successive ULIDs strictly increase (the random part
// is incremented when the clock did not advance). Thread-safe.
std::string NewUlid();
// The same with an explicit timestamp (ms since epoch); still monotonic within the process.
std::string NewUlidAt(int64_t unix_ms);
// True if s is a valid ULID string (26 Crockford base32 chars, first char <= '7').
bool IsValidUlid(std::string_view s);
// The timestamp part of a valid ULID.
int64_t UlidTime(std::string_view ulid);

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_META_H_
