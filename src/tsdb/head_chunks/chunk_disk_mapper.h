// ChunkDiskMapper: the chunks_head/ directory (format.h). Closed head chunks are appended to
// the current file and served from a read-only mmap of it; files are cut at 128 MiB, read back
// and validated at start, and deleted once all their chunks are older than the head.
//
//   ChunkDiskMapper m;
//   std::vector<LoadedChunk> old;
//   RETURN_IF_ERROR(m.Open(JoinPath(dir, "chunks_head"), &old));
//   ASSIGN_OR_RETURN(auto c, m.Write(series_ref, mint, maxt, num_samples, xor_bytes));
//   c->bytes();                     // from the mapping, valid as long as c lives
//   RETURN_IF_ERROR(m.Truncate(head_mint));
//
// As the head's ChunkSink it takes the chunks series close (Persist = Write, errors logged).
//
// Bytes are written (write(2)) before a chunk pointing at them is returned, so a reader never
// sees a part of the mapping beyond what the file holds. Files are fsynced when cut and at
// Close; they need not be durable: the WAL holds every sample of the head, and a torn or corrupt
// file is deleted at start (with every later file, as Prometheus does) and its samples replayed
// from the WAL. New chunks always go to a new file after Open, as in Prometheus.
//
// Thread-safe.
#ifndef SUNDIAL_TSDB_HEAD_CHUNKS_CHUNK_DISK_MAPPER_H_
#define SUNDIAL_TSDB_HEAD_CHUNKS_CHUNK_DISK_MAPPER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "tsdb/series.h"

namespace sundial::tsdb::head_chunks {

// One chunk read back at Open, in file order.
struct LoadedChunk {
  uint64_t series_ref;
  uint8_t encoding;  // the out-of-order bit included
  std::shared_ptr<const ClosedChunk> chunk;
};

// Counts of the last Open.
struct OpenStats {
  int files = 0;          // files read
  int deleted_files = 0;  // corrupt files and the files after them
  int64_t chunks = 0;     // chunks returned
};

class ChunkDiskMapper : public ChunkSink {
 public:
  ChunkDiskMapper() = default;
  ~ChunkDiskMapper() override;
  // Opens dir (created if missing) and appends the chunks of its files to *chunks. A file with a
  // bad header, a bad record or a CRC mismatch is deleted with all later files (logged); a
  // zero-filled tail ends a file. Fails only on I/O errors. REQUIRES: called once, first.
  absl::Status Open(const std::string& dir, std::vector<LoadedChunk>* chunks,
                    OpenStats* stats = nullptr);
  ChunkDiskMapper(const ChunkDiskMapper&) = delete;
  ChunkDiskMapper& operator=(const ChunkDiskMapper&) = delete;

  // Appends an XOR chunk of series_ref and returns it with its bytes in the mapping. On a write
  // error the file is abandoned (the next chunk goes to a new one) and the error returned.
  // FailedPrecondition before Open.
  absl::StatusOr<std::shared_ptr<const ClosedChunk>> Write(uint64_t series_ref, Timestamp mint,
                                                           Timestamp maxt, int num_samples,
                                                           std::string_view data);
  // Deletes the oldest files whose chunks all end before mint, up to the first that does not
  // (files stay contiguous, which Prometheus requires). The file being written is cut first if
  // it holds chunks, so it can go at a later truncation.
  absl::Status Truncate(Timestamp mint);
  // Write, logging errors (ChunkSink). Null, silently, before Open.
  std::shared_ptr<const ClosedChunk> Persist(uint64_t series_ref,
                                             const ClosedChunk& chunk) override;

  // fsyncs and closes the file being written. Chunks already returned stay readable.
  absl::Status Close();

  // Sequence numbers of the files on disk, ascending.
  std::vector<uint32_t> Files() const;
  // Bytes of all files (for size retention).
  uint64_t Size() const;

 private:
  class Mapping;
  struct File {
    std::shared_ptr<const Mapping> mapping;  // null for files read at Open and since closed
    uint64_t size = 0;
    Timestamp maxt = INT64_MIN;
  };

  absl::Status CutFile() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CloseCurrent() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string PathOf(uint32_t seq) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::string dir_ ABSL_GUARDED_BY(mu_);  // empty until Open
  std::map<uint32_t, File> files_ ABSL_GUARDED_BY(mu_);
  uint32_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;  // the current file, -1: cut one at the next Write
  std::string scratch_ ABSL_GUARDED_BY(mu_);
  uint64_t write_errors_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sundial::tsdb::head_chunks

#endif  // SUNDIAL_TSDB_HEAD_CHUNKS_CHUNK_DISK_MAPPER_H_
