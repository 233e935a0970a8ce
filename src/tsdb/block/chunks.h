// Chunk segment files of a block (chunks/000001, ...), as Prometheus writes them:
//
//   segment: magic 0x85BD40DD <4b BE> | version 1 <1b> | 3 zero bytes | chunk...
//   chunk:   len(data) <uvarint> | encoding <1b> | data | CRC32C(encoding + data) <4b BE>
//
// A chunk is referred to by ChunkRef(segment, offset) (format.h).
//
//   ChunkWriter w(fs, JoinPath(block_dir, "chunks"));
//   ASSIGN_OR_RETURN(uint64_t ref, w.Write(kEncXor, chunk.bytes()));
//   RETURN_IF_ERROR(w.Close());                    // fsyncs every segment
//   ASSIGN_OR_RETURN(auto r, ChunkReader::Open(fs, JoinPath(block_dir, "chunks")));
//   ASSIGN_OR_RETURN(ChunkReader::Chunk c, r->Read(ref));
#ifndef SUNDIAL_TSDB_BLOCK_CHUNKS_H_
#define SUNDIAL_TSDB_BLOCK_CHUNKS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "tsdb/block/file_bytes.h"

namespace sundial::tsdb::block {

// Appends chunks to segment files in dir (created if missing), starting a new segment when the
// next chunk would take the current one past segment_size. Not thread-safe.
class ChunkWriter {
 public:
  ChunkWriter(FileSystem* fs, std::string dir, uint64_t segment_size = 0 /* default 512 MiB */);
  ~ChunkWriter();

  // Writes one chunk and returns its reference.
  absl::StatusOr<uint64_t> Write(uint8_t encoding, std::string_view data);
  // Flushes, fsyncs and closes the current segment, then fsyncs dir. Idempotent.
  absl::Status Close();

 private:
  absl::Status Cut();
  absl::Status FlushBuffer();

  FileSystem* fs_;
  std::string dir_;
  uint64_t segment_size_;
  std::unique_ptr<WritableFile> file_;
  int segment_ = -1;     // index of the open segment
  uint64_t offset_ = 0;  // bytes in the open segment, including buffered ones
  std::string buf_;      // not yet appended to file_
  bool dir_created_ = false;
};

// Maps every segment of a chunks dir (reads them into memory on a non-POSIX FileSystem) and
// serves chunks by reference, checking each chunk's CRC. Immutable after Open; thread-safe.
class ChunkReader {
 public:
  struct Chunk {
    uint8_t encoding;
    std::string_view data;  // valid while the reader lives
  };

  // Fails (DataLoss, naming the file) if a segment has a bad header. A missing dir is NotFound.
  static absl::StatusOr<std::unique_ptr<ChunkReader>> Open(FileSystem* fs, const std::string& dir);

  // A corrupt or out-of-range ref fails with DataLoss naming the segment file and offset.
  absl::StatusOr<Chunk> Read(uint64_t ref) const;

  // Total bytes of all segments.
  uint64_t Size() const;

 private:
  ChunkReader() = default;

  std::vector<std::string> names_;                    // file paths, by segment index
  std::vector<std::unique_ptr<FileBytes>> segments_;  // contents
};

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_CHUNKS_H_
