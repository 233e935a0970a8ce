// On-disk constants of the write-ahead log, byte-compatible with Prometheus 2.x
// (tsdb/wlog). The layout is described in docs/format/wal.md; keep the two in step.
#ifndef SUNDIAL_TSDB_WAL_FORMAT_H_
#define SUNDIAL_TSDB_WAL_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sundial::tsdb::wal {

// A segment is a sequence of pages; fragments and their headers never cross a page boundary.
inline constexpr int64_t kPageSize = 32 * 1024;
inline constexpr int64_t kDefaultSegmentSize = 128 * 1024 * 1024;

// Fragment header: type (1 byte), payload length (2 bytes BE), CRC32C of payload (4 bytes BE).
inline constexpr int64_t kFragmentHeaderSize = 7;
// The largest payload one fragment can carry (a whole page minus its header).
inline constexpr int64_t kMaxFragmentPayload = kPageSize - kFragmentHeaderSize;

// Low three bits of the type byte. Zero is not a fragment: it starts the zero padding that runs
// to the end of the page.
enum class FragmentType : uint8_t {
  kPageTerm = 0,
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
};

inline constexpr uint8_t kFragmentTypeMask = 0x07;
// Set on every fragment of a record whose payload is snappy block-compressed.
inline constexpr uint8_t kSnappyFlag = 0x08;
// Set by Prometheus >= 2.51 for zstd-compressed records; we do not read those.
inline constexpr uint8_t kZstdFlag = 0x10;

// Segment files are named by their index as 8 decimal digits: 00000000, 00000001, ...
std::string SegmentName(int index);
// The index of a segment file name; nullopt for other names (Prometheus accepts any name that
// parses as a decimal integer, so do we).
std::optional<int> ParseSegmentName(std::string_view name);

// Checkpoint directories: "checkpoint." followed by the index of the last segment they cover.
inline constexpr std::string_view kCheckpointPrefix = "checkpoint.";
std::string CheckpointName(int index);

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_FORMAT_H_
