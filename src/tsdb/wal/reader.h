// Reader: the records of a WAL directory, in order, with fragments reassembled, checksums
// verified and snappy records decompressed.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, Reader::Open(fs, "data/wal"));
//   while (r->Next()) Use(r->record());
//   RETURN_IF_ERROR(r->status());   // a CorruptionError says where the log stops being valid
//
// A segment that ends inside a page reads as if zero-padded to the page end (what a crash
// leaves behind). A record torn at the end of a segment, a checksum mismatch, an invalid
// fragment type or sequence, non-zero page padding, a missing segment or an undecodable snappy
// record stop the reader with a CorruptionError at the start of the broken record. Records
// compressed with zstd (Prometheus >= 2.51) stop it with Unimplemented, which is not corruption.
//
// Not thread-safe. Reads the files as they are when each segment is opened, through a PageWindow
// (memory-mapped on the POSIX file system: a segment must not shrink while it is read).
#ifndef SUNDIAL_TSDB_WAL_READER_H_
#define SUNDIAL_TSDB_WAL_READER_H_

#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "tsdb/wal/page_window.h"

namespace sundial::tsdb::wal {

class Reader {
 public:
  // Reads the segments of dir with indices in [first, last]. fs must outlive the Reader.
  static absl::StatusOr<std::unique_ptr<Reader>> Open(FileSystem* fs, std::string dir,
                                                      int first = 0, int last = INT_MAX);

  // Advances to the next record. False at the end of the log or on error; then see status().
  bool Next();
  // The current record. REQUIRES: the last Next() returned true. Valid until the next Next().
  std::string_view record() const { return record_; }
  // OK while reading and at a clean end.
  const absl::Status& status() const { return status_; }

  // Segment index and byte offset of the first fragment of the current record.
  int segment() const { return record_segment_; }
  int64_t offset() const { return record_start_; }
  const std::string& dir() const { return dir_; }

 private:
  Reader(FileSystem* fs, std::string dir, std::vector<int> segments);

  // Moves to the next segment file; false at the end (status_ stays OK) or on error.
  bool OpenNextSegment();
  // Makes the bytes of the page holding off_ (up to the page or file end) available and returns
  // a pointer to off_ in the buffer.
  absl::StatusOr<const char*> Load();
  bool Corrupt(std::string_view reason);

  FileSystem* const fs_;
  const std::string dir_;
  const std::vector<int> segments_;
  size_t next_segment_ = 0;  // position in segments_ of the segment to open next

  std::unique_ptr<PageWindow> file_;
  int segment_ = -1;  // index of the open segment
  int64_t size_ = 0;  // its size
  int64_t off_ = 0;   // read position in it

  const char* buf_ = nullptr;  // a window of whole pages of the open segment
  int64_t buf_start_ = 0;      // file offset of buf_[0]
  int64_t buf_len_ = 0;        // valid bytes in buf_

  std::string fragments_;  // payload of the record being assembled
  std::string decompressed_;
  std::string_view record_;
  int record_segment_ = -1;
  int64_t record_start_ = 0;
  absl::Status status_;
};

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_READER_H_
