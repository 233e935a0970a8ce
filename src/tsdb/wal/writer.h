// Writer: appends records to a Prometheus-compatible write-ahead log directory.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Writer> w, Writer::Open(fs, "data/wal", {.compress = true}));
//   RETURN_IF_ERROR(w->Log({series_record, samples_record}));   // one write(2)
//   RETURN_IF_ERROR(w->Sync());                                // optional: make it durable
//
// Open() always starts a new segment after the last existing one (never appends to an old
// file). Records are split into fragments that fill 32 KiB pages; a record that does not fit
// in what is left of the current segment starts the next one (a record larger than a whole
// segment is still written, making that segment longer than segment_size, as Prometheus does).
//
// Durability contract (the same as Prometheus):
//  - Log() returns after the records were handed to the OS (write(2)): they survive a process
//    crash, not a power loss.
//  - A segment is fsynced when it is completed (NextSegment(), or a record not fitting), and on
//    Sync() and Close(). So after a power loss everything up to the last completed segment or
//    the last Sync() is there; the rest of the open segment may be torn, which the Reader
//    reports as corruption and Repair() cuts off.
//  - Segment files are not preallocated; a new segment's directory entry is fsynced.
// After an I/O error the Writer is failed: every later call returns that error.
//
// Thread-safe: all methods may be called concurrently (they serialize on one mutex).
#ifndef SUNDIAL_TSDB_WAL_WRITER_H_
#define SUNDIAL_TSDB_WAL_WRITER_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/file_system.h"
#include "base/metrics_summary.h"
#include "tsdb/wal/format.h"

namespace sundial::tsdb::wal {

// Counts for Prometheus' prometheus_tsdb_wal_* self-metrics, kept by the Writers given them.
struct WriterStats {
  std::atomic<uint64_t> page_flushes{0};     // writes of a page's new bytes to the segment
  std::atomic<uint64_t> completed_pages{0};  // pages filled (or padded) and written out
  std::atomic<uint64_t> writes_failed{0};    // Log calls that failed
  std::atomic<uint64_t> truncations{0};      // Truncate calls
  std::atomic<uint64_t> truncations_failed{0};
  std::atomic<int64_t> segment_current{0};  // the segment being written
  // Seconds per segment fsync (completed segment, Sync, Close); null: not timed. Not owned.
  metrics::Summary* fsync_duration = nullptr;
};

struct WriterOptions {
  // REQUIRES: a positive multiple of kPageSize.
  int64_t segment_size = kDefaultSegmentSize;
  // Snappy-compress each record, keeping the compressed form only if it is smaller.
  bool compress = false;
  // Where the Writer counts; null for nowhere. Not owned; must outlive the Writer.
  WriterStats* stats = nullptr;
};

class Writer {
 public:
  // Creates dir if needed and opens a new segment numbered one past the last existing one
  // (00000000 in an empty directory). fs must outlive the Writer.
  static absl::StatusOr<std::unique_ptr<Writer>> Open(FileSystem* fs, std::string dir,
                                                      WriterOptions options = {});
  // Closes if Close() was not called; errors are logged.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends the records in order and writes them out (see the durability contract). An empty
  // record is allowed and read back as empty.
  absl::Status Log(std::span<const std::string_view> records);
  absl::Status Log(std::span<const std::string> records);
  absl::Status Log(std::initializer_list<std::string_view> records) {
    return Log(std::span<const std::string_view>(records.begin(), records.size()));
  }
  absl::Status Log(std::string_view record) { return Log({record}); }

  // fsyncs the open segment: everything logged so far is durable once it returns.
  absl::Status Sync();

  // Pads the current page, fsyncs and closes the current segment and opens the next one.
  // Returns the index of the new segment.
  absl::StatusOr<int> NextSegment();

  // Deletes every segment with an index below `index` (after a checkpoint covered them).
  // REQUIRES: index <= the current segment.
  absl::Status Truncate(int index);

  // Pads the last page, fsyncs and closes. Later calls fail.
  absl::Status Close();

  struct Position {
    int segment = 0;     // index of the segment being written
    int64_t offset = 0;  // bytes written to it
  };
  Position position() const;
  const std::string& dir() const { return dir_; }
  bool compress() const { return options_.compress; }

 private:
  Writer(FileSystem* fs, std::string dir, WriterOptions options);

  template <typename Record>
  absl::Status LogAll(std::span<const Record> records);
  // Counts a failed Log call; returns status.
  absl::Status CountFailed(absl::Status status);
  absl::Status TruncateSegments(int index);
  absl::Status LogRecordLocked(std::string_view record, bool final)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status FlushPageLocked(bool clear) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OpenSegmentLocked(int index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status NextSegmentLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CloseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records the first error; returns it.
  absl::Status Fail(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool PageFullLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return kPageSize - alloc_ < kFragmentHeaderSize;
  }

  FileSystem* const fs_;
  const std::string dir_;
  const WriterOptions options_;
  WriterStats own_stats_;     // used when options_.stats is null
  WriterStats* const stats_;  // options_.stats or &own_stats_

  mutable absl::Mutex mu_;
  std::unique_ptr<WritableFile> file_ ABSL_GUARDED_BY(mu_);  // null once closed
  int segment_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t done_pages_ ABSL_GUARDED_BY(mu_) = 0;        // completed pages in the segment
  std::unique_ptr<char[]> page_ ABSL_GUARDED_BY(mu_);  // kPageSize bytes
  int64_t alloc_ ABSL_GUARDED_BY(mu_) = 0;             // bytes of page_ filled
  int64_t flushed_ ABSL_GUARDED_BY(mu_) = 0;           // bytes of page_ already written to file_
  std::string compressed_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_WRITER_H_
