// On-disk constants of a Prometheus block directory (prometheus tsdb/docs/format/: index.md,
// chunks.md, tombstones.md). Layout of a block:
//
//   <ULID>/meta.json      BlockMeta (meta.h)
//   <ULID>/index          index v2: symbols, series, label indices, postings, offset tables, TOC
//   <ULID>/chunks/000001  chunk segments (at most 512 MiB each)
//   <ULID>/tombstones     deletion intervals (an empty one is always written)
#ifndef SUNDIAL_TSDB_BLOCK_FORMAT_H_
#define SUNDIAL_TSDB_BLOCK_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace sundial::tsdb::block {

inline constexpr std::string_view kIndexFilename = "index";
inline constexpr std::string_view kChunksDirname = "chunks";
inline constexpr std::string_view kTombstonesFilename = "tombstones";
// Suffix of a block directory while it is being written; renamed away when complete.
inline constexpr std::string_view kTmpForCreationSuffix = ".tmp-for-creation";

// index
inline constexpr uint32_t kIndexMagic = 0xBAAAD700;
inline constexpr uint8_t kIndexFormatV2 = 2;
inline constexpr size_t kIndexHeaderSize = 5;
inline constexpr size_t kIndexTocSize = 6 * 8 + 4;
// Series entries start at multiples of 16; a series' ref (id) is its offset / 16.
inline constexpr uint64_t kSeriesAlign = 16;

// chunks/
inline constexpr uint32_t kChunksMagic = 0x85BD40DD;
inline constexpr uint8_t kChunksFormatV1 = 1;
inline constexpr size_t kSegmentHeaderSize = 8;  // magic, version, 3 bytes padding
inline constexpr uint64_t kDefaultSegmentSize = 512 * 1024 * 1024;
inline constexpr uint8_t kEncXor = 1;
// Prometheus cuts a chunk after this many samples.
inline constexpr int kSamplesPerChunk = 120;

// tombstones
inline constexpr uint32_t kTombstonesMagic = 0x0130BA30;
inline constexpr uint8_t kTombstonesFormatV1 = 1;

// A chunk reference: segment index (0 for file 000001) in the upper 32 bits, byte offset of the
// chunk in that file in the lower 32.
inline uint64_t ChunkRef(uint32_t segment, uint32_t offset) {
  return (uint64_t{segment} << 32) | offset;
}
// "000001" for segment 0.
std::string SegmentFileName(uint32_t segment);

// DataLoss error naming the file and the byte offset: "<file>: <what> at offset <n>".
absl::Status Corruption(std::string_view file, uint64_t offset, std::string_view what);

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_FORMAT_H_
