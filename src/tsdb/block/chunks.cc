#include "tsdb/block/chunks.h"

#include <charconv>
#include <cstdio>

#include "base/big_endian.h"
#include "base/byte_reader.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/varint.h"
#include "tsdb/block/format.h"

namespace sundial::tsdb::block {

std::string SegmentFileName(uint32_t segment) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06u", segment + 1);
  return buf;
}

absl::Status Corruption(std::string_view file, uint64_t offset, std::string_view what) {
  return absl::DataLossError(StrCat(file, ": ", what, " at offset ", offset));
}

namespace {
constexpr size_t kFlushBytes = 1 << 20;
}  // namespace

ChunkWriter::ChunkWriter(FileSystem* fs, std::string dir, uint64_t segment_size)
    : fs_(fs),
      dir_(std::move(dir)),
      segment_size_(segment_size == 0 ? kDefaultSegmentSize : segment_size) {}

ChunkWriter::~ChunkWriter() = default;

absl::Status ChunkWriter::FlushBuffer() {
  if (buf_.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(file_->Append(buf_));
  buf_.clear();
  return absl::OkStatus();
}

absl::Status ChunkWriter::Cut() {
  if (file_ != nullptr) {
    RETURN_IF_ERROR(FlushBuffer());
    RETURN_IF_ERROR(file_->Sync());
    RETURN_IF_ERROR(file_->Close());
    file_.reset();
  }
  if (!dir_created_) {
    RETURN_IF_ERROR(fs_->CreateDirs(dir_));
    dir_created_ = true;
  }
  ++segment_;
  std::string path = JoinPath(dir_, SegmentFileName(static_cast<uint32_t>(segment_)));
  ASSIGN_OR_RETURN(file_, fs_->OpenWritable(path, OpenMode::kCreateNew));
  AppendBigEndian32(&buf_, kChunksMagic);
  buf_.push_back(static_cast<char>(kChunksFormatV1));
  buf_.append(3, '\0');
  offset_ = kSegmentHeaderSize;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ChunkWriter::Write(uint8_t encoding, std::string_view data) {
  // len uvarint (at most 10) + encoding + data + crc
  uint64_t size = 10 + 1 + data.size() + 4;
  if (file_ == nullptr || (offset_ > kSegmentHeaderSize && offset_ + size > segment_size_)) {
    RETURN_IF_ERROR(Cut());
  }
  if (offset_ > UINT32_MAX) {
    return absl::ResourceExhaustedError("chunk segment offset exceeds 32 bits");
  }
  uint64_t ref = ChunkRef(static_cast<uint32_t>(segment_), static_cast<uint32_t>(offset_));
  size_t start = buf_.size();
  PutUvarint(&buf_, data.size());
  size_t crc_start = buf_.size();
  buf_.push_back(static_cast<char>(encoding));
  buf_.append(data);
  uint32_t crc = Crc32cExtend(0, buf_.data() + crc_start, buf_.size() - crc_start);
  AppendBigEndian32(&buf_, crc);
  offset_ += buf_.size() - start;
  if (buf_.size() >= kFlushBytes) RETURN_IF_ERROR(FlushBuffer());
  return ref;
}

absl::Status ChunkWriter::Close() {
  if (file_ == nullptr) {
    if (!dir_created_) {
      // No chunk at all: Prometheus still creates the chunks dir.
      RETURN_IF_ERROR(fs_->CreateDirs(dir_));
      dir_created_ = true;
      return fs_->SyncDir(dir_);
    }
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(FlushBuffer());
  RETURN_IF_ERROR(file_->Sync());
  RETURN_IF_ERROR(file_->Close());
  file_.reset();
  return fs_->SyncDir(dir_);
}

absl::StatusOr<std::unique_ptr<ChunkReader>> ChunkReader::Open(FileSystem* fs,
                                                               const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->List(dir));
  std::unique_ptr<ChunkReader> r(new ChunkReader);
  for (const std::string& name : names) {
    // Segment files are named by a decimal sequence number; Prometheus ignores anything else.
    uint32_t seq = 0;
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), seq);
    if (ec != std::errc() || p != name.data() + name.size()) continue;
    if (seq != r->segments_.size() + 1) {
      return absl::DataLossError(StrCat(dir, ": chunk segment ", name, " out of sequence"));
    }
    std::string path = JoinPath(dir, name);
    ASSIGN_OR_RETURN(std::unique_ptr<FileBytes> file, FileBytes::Open(fs, path));
    std::string_view data = file->data();
    if (data.size() < kSegmentHeaderSize) {
      return Corruption(path, 0, "segment shorter than its header");
    }
    if (LoadBigEndian32(data.data()) != kChunksMagic) {
      return Corruption(path, 0, "invalid magic number");
    }
    if (static_cast<uint8_t>(data[4]) != kChunksFormatV1) {
      return Corruption(path, 4, "invalid chunk format version");
    }
    r->names_.push_back(std::move(path));
    r->segments_.push_back(std::move(file));
  }
  return r;
}

absl::StatusOr<ChunkReader::Chunk> ChunkReader::Read(uint64_t ref) const {
  uint64_t seg = ref >> 32;
  uint64_t off = ref & 0xffffffff;
  if (seg >= segments_.size()) {
    return absl::DataLossError(StrCat("chunk ref ", ref, ": segment index ", seg,
                                      " does not exist (", segments_.size(), " segments)"));
  }
  std::string_view s = segments_[seg]->data();
  const std::string& name = names_[seg];
  if (off < kSegmentHeaderSize || off >= s.size()) {
    return Corruption(name, off, "chunk reference beyond the end of the segment");
  }
  ByteReader d(s.substr(off));
  uint64_t len = d.Uvarint();
  size_t header = (s.size() - off) - d.remaining();
  if (!d.ok() || len > d.remaining() || d.remaining() - len < 1 + 4) {
    return Corruption(name, off, "chunk truncated");
  }
  std::string_view body = d.Bytes(1 + len);
  uint32_t want = d.BigEndian32();
  if (Crc32c(body) != want) {
    return Corruption(name, off + header, "chunk checksum mismatch");
  }
  return Chunk{static_cast<uint8_t>(body[0]), body.substr(1)};
}

uint64_t ChunkReader::Size() const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->data().size();
  return n;
}

}  // namespace sundial::tsdb::block
