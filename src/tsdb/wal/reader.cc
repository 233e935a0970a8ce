#include "tsdb/wal/reader.h"

#include <snappy.h>

#include <algorithm>
#include <utility>

#include "base/big_endian.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/wal/corruption.h"
#include "tsdb/wal/format.h"
#include "tsdb/wal/segments.h"

namespace sundial::tsdb::wal {
namespace {

// Pages in view at once (4 MiB).
constexpr int64_t kBufferPages = 128;

std::string Hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

}  // namespace

Reader::Reader(FileSystem* fs, std::string dir, std::vector<int> segments)
    : fs_(fs), dir_(std::move(dir)), segments_(std::move(segments)) {}

absl::StatusOr<std::unique_ptr<Reader>> Reader::Open(FileSystem* fs, std::string dir, int first,
                                                     int last) {
  ASSIGN_OR_RETURN(std::vector<int> all, ListSegments(fs, dir));
  std::vector<int> selected;
  for (int s : all) {
    if (s >= first && s <= last) selected.push_back(s);
  }
  return std::unique_ptr<Reader>(new Reader(fs, std::move(dir), std::move(selected)));
}

bool Reader::Corrupt(std::string_view reason) {
  status_ = CorruptionError(dir_, segment_, record_start_, reason);
  return false;
}

bool Reader::OpenNextSegment() {
  if (next_segment_ >= segments_.size()) {
    file_.reset();
    return false;
  }
  const int index = segments_[next_segment_];
  if (file_ != nullptr && index != segment_ + 1) {
    status_ = CorruptionError(dir_, segment_ + 1, 0,
                              StrCat("missing segment (next is ", SegmentName(index), ")"));
    return false;
  }
  absl::StatusOr<std::unique_ptr<PageWindow>> f = PageWindow::Open(fs_, SegmentPath(dir_, index));
  if (!f.ok()) {
    status_ = f.status();
    return false;
  }
  file_ = *std::move(f);
  ++next_segment_;
  segment_ = index;
  size_ = file_->size();
  off_ = 0;
  buf_start_ = 0;
  buf_len_ = 0;
  return true;
}

absl::StatusOr<const char*> Reader::Load() {
  const int64_t page_start = off_ - off_ % kPageSize;
  const int64_t page_end = std::min(page_start + kPageSize, size_);
  if (off_ < buf_start_ || page_end > buf_start_ + buf_len_) {
    const int64_t want = std::min(kBufferPages * kPageSize, size_ - page_start);
    ASSIGN_OR_RETURN(buf_, file_->View(page_start, want));
    buf_start_ = page_start;
    buf_len_ = want;
  }
  return buf_ + (off_ - buf_start_);
}

bool Reader::Next() {
  if (!status_.ok()) return false;
  record_ = {};
  fragments_.clear();
  bool compressed = false;
  for (int i = 0;;) {
    if (file_ == nullptr || off_ >= size_) {
      if (i > 0) return Corrupt("last record is torn (segment ends inside it)");
      if (!OpenNextSegment()) return false;
      continue;
    }
    if (i == 0) {
      record_start_ = off_;
      record_segment_ = segment_;
    }
    const int64_t page_end = off_ - off_ % kPageSize + kPageSize;
    const int64_t avail = std::min(page_end, size_) - off_;
    absl::StatusOr<const char*> loaded = Load();
    if (!loaded.ok()) {
      status_ = loaded.status();
      return false;
    }
    const char* p = *loaded;
    const auto type_byte = static_cast<uint8_t>(p[0]);

    if (type_byte == 0) {  // zero padding up to the end of the page
      const char* nonzero = std::find_if(p, p + avail, [](char c) { return c != 0; });
      if (nonzero != p + avail) {
        return Corrupt(
            StrCat("unexpected non-zero byte in page padding at offset ", off_ + (nonzero - p)));
      }
      off_ = page_end;
      continue;
    }
    if (avail < kFragmentHeaderSize) {
      return Corrupt(off_ + avail == size_
                         ? StrCat("truncated fragment header at offset ", off_)
                         : StrCat("fragment header crosses a page boundary at offset ", off_));
    }
    if (type_byte & kZstdFlag) {
      status_ = absl::UnimplementedError(
          AsAbsl(StrCat("WAL segment ", SegmentPath(dir_, segment_), " offset ", off_,
                        ": zstd-compressed records (Prometheus >= 2.51) are not supported")));
      return false;
    }
    const uint8_t type = type_byte & kFragmentTypeMask;
    const bool snappy = (type_byte & kSnappyFlag) != 0;
    if ((type_byte & ~(kFragmentTypeMask | kSnappyFlag)) != 0 || type == 0 ||
        type > static_cast<uint8_t>(FragmentType::kLast)) {
      return Corrupt(
          StrCat("invalid fragment type byte 0x", Hex(type_byte).substr(6), " at offset ", off_));
    }
    const int64_t length = LoadBigEndian16(p + 1);
    if (kFragmentHeaderSize + length > page_end - off_) {
      return Corrupt(StrCat("fragment length ", length, " at offset ", off_,
                            " runs past the end of the page"));
    }
    if (kFragmentHeaderSize + length > avail) {
      return Corrupt(StrCat("truncated fragment at offset ", off_, ": length ", length,
                            " but the segment ends at ", size_));
    }
    const std::string_view payload(p + kFragmentHeaderSize, static_cast<size_t>(length));
    const uint32_t stored = LoadBigEndian32(p + 3);
    if (const uint32_t actual = Crc32c(payload); actual != stored) {
      return Corrupt(StrCat("checksum mismatch at offset ", off_, ": stored ", Hex(stored),
                            ", computed ", Hex(actual)));
    }
    const auto ftype = static_cast<FragmentType>(type);
    const bool starts = ftype == FragmentType::kFull || ftype == FragmentType::kFirst;
    if (i == 0 && !starts) {
      return Corrupt(StrCat("unexpected ", ftype == FragmentType::kLast ? "last" : "middle",
                            " fragment at offset ", off_, " without a first fragment"));
    }
    if (i > 0 && starts) {
      return Corrupt(StrCat("unexpected ", ftype == FragmentType::kFull ? "full" : "first",
                            " fragment at offset ", off_, " inside a record"));
    }
    if (i == 0) {
      compressed = snappy;
    } else if (compressed != snappy) {
      return Corrupt(StrCat("compression flag changes inside a record at offset ", off_));
    }
    off_ += kFragmentHeaderSize + length;
    if (ftype != FragmentType::kFull) fragments_.append(payload);

    if (ftype == FragmentType::kFull || ftype == FragmentType::kLast) {
      // A full record is used where it is in the buffer, which stays until the next Load.
      const std::string_view whole = ftype == FragmentType::kFull ? payload : fragments_;
      if (compressed && !whole.empty()) {
        if (!snappy::Uncompress(whole.data(), whole.size(), &decompressed_)) {
          return Corrupt("invalid snappy-compressed record");
        }
        record_ = decompressed_;
      } else {
        record_ = whole;
      }
      return true;
    }
    ++i;
  }
}

}  // namespace sundial::tsdb::wal
