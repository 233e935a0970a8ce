#include "tsdb/wal/writer.h"

#include <snappy.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "base/big_endian.h"
#include "base/crc32c.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/wal/segments.h"

namespace sundial::tsdb::wal {
namespace {

const Logger& WalLog() {
  static const Logger* logger = new Logger("wal");
  return *logger;
}

// f->Sync(), timed into stats->fsync_duration as Prometheus times its WAL fsyncs.
absl::Status TimedSync(WritableFile* f, const WriterStats& stats) {
  if (stats.fsync_duration == nullptr) return f->Sync();
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = f->Sync();
  stats.fsync_duration->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return s;
}

}  // namespace

Writer::Writer(FileSystem* fs, std::string dir, WriterOptions options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(options),
      stats_(options_.stats != nullptr ? options_.stats : &own_stats_) {}

absl::StatusOr<std::unique_ptr<Writer>> Writer::Open(FileSystem* fs, std::string dir,
                                                     WriterOptions options) {
  if (options.segment_size <= 0 || options.segment_size % kPageSize != 0) {
    return absl::InvalidArgumentError(StrCat("invalid WAL segment size ", options.segment_size,
                                             ": must be a multiple of ", kPageSize));
  }
  RETURN_IF_ERROR(fs->CreateDirs(dir));
  ASSIGN_OR_RETURN(std::vector<int> segments, ListSegments(fs, dir));
  std::unique_ptr<Writer> w(new Writer(fs, std::move(dir), options));
  absl::MutexLock l(&w->mu_);
  w->page_ = std::make_unique<char[]>(kPageSize);
  std::memset(w->page_.get(), 0, kPageSize);
  RETURN_IF_ERROR(w->OpenSegmentLocked(segments.empty() ? 0 : segments.back() + 1));
  return w;
}

Writer::~Writer() {
  absl::MutexLock l(&mu_);
  if (file_ == nullptr) return;
  absl::Status s = CloseLocked();
  if (!s.ok()) WalLog().Error("Closing WAL failed", {{"dir", dir_}, {"err", s}});
}

absl::Status Writer::Fail(absl::Status status) {
  if (error_.ok()) error_ = status;
  return status;
}

absl::Status Writer::OpenSegmentLocked(int index) {
  ASSIGN_OR_RETURN(file_, fs_->OpenWritable(SegmentPath(dir_, index), OpenMode::kCreateNew));
  RETURN_IF_ERROR(fs_->SyncDir(dir_));
  segment_ = index;
  stats_->segment_current.store(index, std::memory_order_relaxed);
  done_pages_ = static_cast<int64_t>(file_->Size()) / kPageSize;
  return absl::OkStatus();
}

absl::Status Writer::FlushPageLocked(bool clear) {
  clear = clear || PageFullLocked();
  if (clear) alloc_ = kPageSize;  // the zeros after the data pad the page
  absl::Status s = file_->Append(std::string_view(page_.get() + flushed_, alloc_ - flushed_));
  if (!s.ok()) return Fail(std::move(s));
  stats_->page_flushes.fetch_add(1, std::memory_order_relaxed);
  flushed_ = alloc_;
  if (clear) {
    stats_->completed_pages.fetch_add(1, std::memory_order_relaxed);
    std::memset(page_.get(), 0, kPageSize);
    alloc_ = 0;
    flushed_ = 0;
    ++done_pages_;
  }
  return absl::OkStatus();
}

absl::Status Writer::NextSegmentLocked() {
  if (alloc_ > 0) RETURN_IF_ERROR(FlushPageLocked(true));
  std::unique_ptr<WritableFile> prev = std::move(file_);
  absl::Status s = OpenSegmentLocked(segment_ + 1);
  if (!s.ok()) {
    file_ = std::move(prev);
    return Fail(std::move(s));
  }
  // Prometheus syncs the finished segment in the background; we do it inline.
  s = TimedSync(prev.get(), *stats_);
  if (s.ok()) s = prev->Close();
  if (!s.ok()) return Fail(std::move(s));
  return absl::OkStatus();
}

absl::Status Writer::LogRecordLocked(std::string_view record, bool final) {
  if (PageFullLocked()) RETURN_IF_ERROR(FlushPageLocked(true));

  bool compressed = false;
  if (options_.compress && !record.empty()) {
    compressed_.resize(snappy::MaxCompressedLength(record.size()));
    size_t n = 0;
    snappy::RawCompress(record.data(), record.size(), compressed_.data(), &n);
    if (n < record.size()) {
      record = std::string_view(compressed_.data(), n);
      compressed = true;
    }
  }

  // Free payload space in this page plus in the untouched pages of the segment. A record never
  // crosses segments unless it is larger than a whole segment.
  const int64_t pages_per_segment = options_.segment_size / kPageSize;
  int64_t left = kPageSize - alloc_ - kFragmentHeaderSize;
  left += kMaxFragmentPayload * (pages_per_segment - done_pages_ - 1);
  if (static_cast<int64_t>(record.size()) > left) RETURN_IF_ERROR(NextSegmentLocked());

  // One pass at least, so that an empty record is written as one empty full fragment.
  for (int i = 0; i == 0 || !record.empty(); ++i) {
    const size_t n = std::min<size_t>(record.size(), kPageSize - alloc_ - kFragmentHeaderSize);
    const std::string_view part = record.substr(0, n);
    FragmentType type;
    if (i == 0) {
      type = n == record.size() ? FragmentType::kFull : FragmentType::kFirst;
    } else {
      type = n == record.size() ? FragmentType::kLast : FragmentType::kMiddle;
    }
    char* h = page_.get() + alloc_;
    h[0] = static_cast<char>(static_cast<uint8_t>(type) | (compressed ? kSnappyFlag : 0));
    StoreBigEndian16(h + 1, static_cast<uint16_t>(n));
    StoreBigEndian32(h + 3, Crc32c(part));
    if (n > 0) std::memcpy(h + kFragmentHeaderSize, part.data(), n);
    alloc_ += kFragmentHeaderSize + static_cast<int64_t>(n);
    if (PageFullLocked()) RETURN_IF_ERROR(FlushPageLocked(true));
    record.remove_prefix(n);
  }
  if (final && alloc_ > flushed_) RETURN_IF_ERROR(FlushPageLocked(false));
  return absl::OkStatus();
}

template <typename Record>
absl::Status Writer::LogAll(std::span<const Record> records) {
  absl::MutexLock l(&mu_);
  RETURN_IF_ERROR(error_);
  if (file_ == nullptr) return absl::FailedPreconditionError("WAL writer is closed");
  for (size_t i = 0; i < records.size(); ++i) {
    RETURN_IF_ERROR(LogRecordLocked(records[i], i + 1 == records.size()));
  }
  return absl::OkStatus();
}

absl::Status Writer::Log(std::span<const std::string_view> records) {
  return CountFailed(LogAll(records));
}
absl::Status Writer::Log(std::span<const std::string> records) {
  return CountFailed(LogAll(records));
}

absl::Status Writer::CountFailed(absl::Status status) {
  if (!status.ok()) stats_->writes_failed.fetch_add(1, std::memory_order_relaxed);
  return status;
}

absl::Status Writer::Sync() {
  absl::MutexLock l(&mu_);
  RETURN_IF_ERROR(error_);
  if (file_ == nullptr) return absl::FailedPreconditionError("WAL writer is closed");
  absl::Status s = TimedSync(file_.get(), *stats_);
  if (!s.ok()) return Fail(std::move(s));
  return absl::OkStatus();
}

absl::StatusOr<int> Writer::NextSegment() {
  absl::MutexLock l(&mu_);
  RETURN_IF_ERROR(error_);
  if (file_ == nullptr) return absl::FailedPreconditionError("WAL writer is closed");
  RETURN_IF_ERROR(NextSegmentLocked());
  return segment_;
}

absl::Status Writer::Truncate(int index) {
  stats_->truncations.fetch_add(1, std::memory_order_relaxed);
  absl::Status s = TruncateSegments(index);
  if (!s.ok()) stats_->truncations_failed.fetch_add(1, std::memory_order_relaxed);
  return s;
}

absl::Status Writer::TruncateSegments(int index) {
  absl::MutexLock l(&mu_);
  if (index > segment_) {
    return absl::InvalidArgumentError(
        StrCat("WAL truncation to segment ", index, " is past the current segment ", segment_));
  }
  ASSIGN_OR_RETURN(std::vector<int> segments, ListSegments(fs_, dir_));
  for (int s : segments) {
    if (s >= index) break;
    RETURN_IF_ERROR(fs_->Remove(SegmentPath(dir_, s)));
  }
  return fs_->SyncDir(dir_);
}

absl::Status Writer::CloseLocked() {
  // A partly filled page is padded: the segment ends on a page boundary.
  if (alloc_ > 0) RETURN_IF_ERROR(FlushPageLocked(true));
  absl::Status s = TimedSync(file_.get(), *stats_);
  absl::Status c = file_->Close();
  file_.reset();
  if (!s.ok()) return Fail(std::move(s));
  if (!c.ok()) return Fail(std::move(c));
  return absl::OkStatus();
}

absl::Status Writer::Close() {
  absl::MutexLock l(&mu_);
  if (file_ == nullptr) return absl::FailedPreconditionError("WAL writer is closed");
  RETURN_IF_ERROR(error_);
  return CloseLocked();
}

Writer::Position Writer::position() const {
  absl::MutexLock l(&mu_);
  return Position{segment_, done_pages_ * kPageSize + flushed_};
}

}  // namespace sundial::tsdb::wal
