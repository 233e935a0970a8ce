// The chunks_head/ file format (Prometheus' tsdb/docs/format/head_chunks.md): files named
// 000001, 000002, ... each start with an 8-byte header (magic 0x0130BC91 big-endian, version 1,
// 3 zero bytes) followed by chunk records:
//
//   series ref <8, BE> | mint <8, BE> | maxt <8, BE> | encoding <1> | len <uvarint> | data |
//   CRC32C <4, BE> of everything from the series ref through the data
//
// A chunk's ref is file sequence << 32 | offset of its record in the file.
//
//   std::string rec;
//   AppendChunkRecord(7, 1000, 2000, kEncXor, chunk.bytes(), &rec);
//   ChunkRecord r;  size_t n;
//   absl::Status s = ParseChunkRecord(rec, &r, &n);   // n == rec.size()
#ifndef SUNDIAL_TSDB_HEAD_CHUNKS_FORMAT_H_
#define SUNDIAL_TSDB_HEAD_CHUNKS_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "tsdb/storage.h"

namespace sundial::tsdb::head_chunks {

inline constexpr uint32_t kMagic = 0x0130BC91;
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kFileHeaderSize = 8;
// Prometheus' MaxHeadChunkFileSize: a record never makes a file larger than this.
inline constexpr uint64_t kMaxFileSize = uint64_t{128} << 20;
// series ref, mint, maxt, encoding, the longest length field Prometheus reads (5), CRC.
inline constexpr size_t kMaxRecordMetaSize = 8 + 8 + 8 + 1 + 5 + 4;
inline constexpr uint8_t kEncXor = 1;
// The high bit of the encoding marks an out-of-order chunk.
inline constexpr uint8_t kOutOfOrderMask = 0x80;

inline uint64_t ChunkRef(uint32_t seq, uint32_t offset) { return (uint64_t{seq} << 32) | offset; }

// The 8 header bytes of every file.
std::string FileHeader();
// "000001" for 1.
std::string FileName(uint32_t seq);

// The bytes one record takes for a chunk of data_size bytes.
size_t RecordSize(size_t data_size);
void AppendChunkRecord(uint64_t series_ref, Timestamp mint, Timestamp maxt, uint8_t encoding,
                       std::string_view data, std::string* out);

struct ChunkRecord {
  uint64_t series_ref = 0;
  Timestamp mint = 0;
  Timestamp maxt = 0;
  uint8_t encoding = 0;   // out-of-order mask included
  std::string_view data;  // points into the parsed bytes
  int num_samples = 0;    // the data's first two bytes (big-endian), as Prometheus reads it
};

// Parses the record at the start of b and sets *size to the bytes it takes. DataLoss if b is
// too short for it, its length field is bad or its CRC does not match.
absl::Status ParseChunkRecord(std::string_view b, ChunkRecord* out, size_t* size);

// Checks the file header of b (the magic, then the version).
absl::Status CheckFileHeader(std::string_view b);

}  // namespace sundial::tsdb::head_chunks

#endif  // SUNDIAL_TSDB_HEAD_CHUNKS_FORMAT_H_
