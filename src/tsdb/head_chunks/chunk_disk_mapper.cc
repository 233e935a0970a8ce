#include "tsdb/head_chunks/chunk_disk_mapper.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "base/file_system.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/head_chunks/format.h"

namespace sundial::tsdb::head_chunks {
namespace {

const Logger kLog("tsdb");

absl::Status Errno(std::string_view what, const std::string& path) {
  return absl::InternalError(StrCat(what, " ", path, ": ", std::strerror(errno)));
}

bool AllZero(std::string_view b) {
  return std::all_of(b.begin(), b.end(), [](char c) { return c == 0; });
}

}  // namespace

// A read-only MAP_SHARED mapping, unmapped when the last chunk pointing into it goes.
class ChunkDiskMapper::Mapping {
 public:
  Mapping(const char* data, size_t size) : data_(data), size_(size) {}
  ~Mapping() {
    if (size_ > 0) ::munmap(const_cast<char*>(data_), size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const char* data() const { return data_; }

 private:
  const char* const data_;
  const size_t size_;
};

std::string ChunkDiskMapper::PathOf(uint32_t seq) const { return JoinPath(dir_, FileName(seq)); }

absl::Status ChunkDiskMapper::Open(const std::string& dir, std::vector<LoadedChunk>* chunks,
                                   OpenStats* stats) {
  FileSystem* fs = FileSystem::Default();
  RETURN_IF_ERROR(fs->CreateDirs(dir));
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->List(dir));
  std::vector<uint32_t> seqs;
  for (const std::string& n : names) {
    uint32_t seq;
    if (!n.empty() &&
        std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        absl::SimpleAtoi(n, &seq) && seq > 0) {
      seqs.push_back(seq);
    }
  }
  std::sort(seqs.begin(), seqs.end());

  OpenStats local;
  if (stats == nullptr) stats = &local;
  *stats = OpenStats();
  absl::MutexLock lock(&mu_);
  if (!dir_.empty()) return absl::FailedPreconditionError("head chunks already open");
  dir_ = dir;
  for (size_t i = 0; i < seqs.size(); ++i) {
    const uint32_t seq = seqs[i];
    const std::string path = PathOf(seq);
    const size_t chunks_before = chunks->size();
    absl::Status bad;
    if (i > 0 && seq != seqs[i - 1] + 1) {
      bad =
          absl::DataLossError(StrCat("head chunk files not in sequence: ", seqs[i - 1], ", ", seq));
    }
    File file;
    if (bad.ok()) {
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Errno("open", path);
      struct stat st;
      if (::fstat(fd, &st) != 0) {
        ::close(fd);
        return Errno("stat", path);
      }
      file.size = static_cast<uint64_t>(st.st_size);
      void* p = file.size > 0 ? ::mmap(nullptr, file.size, PROT_READ, MAP_SHARED, fd, 0) : nullptr;
      ::close(fd);
      if (p == MAP_FAILED) return Errno("mmap", path);
      file.mapping = std::make_shared<const Mapping>(static_cast<const char*>(p), file.size);
      const std::string_view b(file.mapping->data(), file.size);
      bad = CheckFileHeader(b);
      size_t idx = kFileHeaderSize;
      while (bad.ok() && idx < b.size()) {
        // A zero-filled tail (a preallocated file, as Prometheus writes them) ends the file.
        if (AllZero(b.substr(idx, std::min<size_t>(b.size() - idx, 24)))) break;
        ChunkRecord rec;
        size_t n;
        bad = ParseChunkRecord(b.substr(idx), &rec, &n);
        if (!bad.ok()) {
          bad = absl::DataLossError(StrCat(bad.message(), " at offset ", idx));
          break;
        }
        file.maxt = std::max(file.maxt, rec.maxt);
        chunks->push_back(
            {rec.series_ref, rec.encoding,
             std::make_shared<const ClosedChunk>(rec.mint, rec.maxt, rec.num_samples, rec.data,
                                                 file.mapping, ChunkRef(seq, idx))});
        idx += n;
      }
    }
    if (!bad.ok()) {
      // As Prometheus: this file and every later one go; the WAL still has their samples.
      chunks->resize(chunks_before);
      kLog.Warn("Deleting corrupt head chunk files; their samples are replayed from the WAL",
                {{"dir", dir}, {"file", FileName(seq)}, {"err", bad}});
      for (size_t j = i; j < seqs.size(); ++j) {
        RETURN_IF_ERROR(fs->Remove(PathOf(seqs[j])));
        ++stats->deleted_files;
      }
      break;
    }
    ++stats->files;
    files_[seq] = std::move(file);
    last_seq_ = seq;
  }
  stats->chunks = static_cast<int64_t>(chunks->size());
  return absl::OkStatus();
}

ChunkDiskMapper::~ChunkDiskMapper() {
  absl::Status status = Close();
  if (!status.ok()) kLog.Warn("Closing head chunk file failed", {{"err", status}});
}

absl::Status ChunkDiskMapper::CloseCurrent() {
  if (fd_ < 0) return absl::OkStatus();
  const std::string path = PathOf(last_seq_);
  const bool synced = ::fdatasync(fd_) == 0;
  absl::Status status = synced ? absl::OkStatus() : Errno("fdatasync", path);
  ::close(fd_);
  fd_ = -1;
  return status;
}

absl::Status ChunkDiskMapper::CutFile() {
  RETURN_IF_ERROR(CloseCurrent());
  const uint32_t seq = last_seq_ + 1;
  const std::string path = PathOf(seq);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", path);
  const std::string header = FileHeader();
  if (::pwrite(fd, header.data(), header.size(), 0) != static_cast<ssize_t>(header.size())) {
    absl::Status status = Errno("write", path);
    ::close(fd);
    ::unlink(path.c_str());
    return status;
  }
  // The whole 128 MiB is mapped up front; only bytes already written are ever read.
  void* p = ::mmap(nullptr, kMaxFileSize, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    absl::Status status = Errno("mmap", path);
    ::close(fd);
    ::unlink(path.c_str());
    return status;
  }
  File& f = files_[seq];
  f.mapping = std::make_shared<const Mapping>(static_cast<const char*>(p), kMaxFileSize);
  f.size = header.size();
  last_seq_ = seq;
  fd_ = fd;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const ClosedChunk>> ChunkDiskMapper::Write(
    uint64_t series_ref, Timestamp mint, Timestamp maxt, int num_samples, std::string_view data) {
  const size_t need = RecordSize(data.size());
  if (need > kMaxFileSize - kFileHeaderSize) {
    return absl::InvalidArgumentError(StrCat("head chunk of ", data.size(), " bytes is too large"));
  }
  absl::MutexLock lock(&mu_);
  if (dir_.empty()) return absl::FailedPreconditionError("head chunks not open");
  if (fd_ < 0 || files_[last_seq_].size + need > kMaxFileSize) RETURN_IF_ERROR(CutFile());
  File& f = files_[last_seq_];
  scratch_.clear();
  AppendChunkRecord(series_ref, mint, maxt, kEncXor, data, &scratch_);
  const uint64_t offset = f.size;
  size_t done = 0;
  while (done < scratch_.size()) {
    const ssize_t n = ::pwrite(fd_, scratch_.data() + done, scratch_.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status status = Errno("write", PathOf(last_seq_));
      // A partial record would make the rest of the file unreadable: start a new one.
      f.size = offset + done;
      (void)CloseCurrent();
      return status;
    }
    done += static_cast<size_t>(n);
  }
  f.size = offset + need;
  f.maxt = std::max(f.maxt, maxt);
  const char* bytes = f.mapping->data() + offset + need - 4 - data.size();
  return std::make_shared<const ClosedChunk>(mint, maxt, num_samples,
                                             std::string_view(bytes, data.size()), f.mapping,
                                             ChunkRef(last_seq_, static_cast<uint32_t>(offset)));
}

std::shared_ptr<const ClosedChunk> ChunkDiskMapper::Persist(uint64_t series_ref,
                                                            const ClosedChunk& chunk) {
  {
    absl::MutexLock lock(&mu_);
    if (dir_.empty()) return nullptr;  // not opened: the DB keeps chunks in memory
  }
  absl::StatusOr<std::shared_ptr<const ClosedChunk>> c =
      Write(series_ref, chunk.mint, chunk.maxt, chunk.num_samples, chunk.bytes());
  if (c.ok()) return *std::move(c);
  absl::MutexLock lock(&mu_);
  // Once, then every 1000th: a full disk fails every chunk.
  if (write_errors_++ % 1000 == 0) {
    kLog.Warn("Writing head chunk failed; it stays in memory",
              {{"err", c.status()}, {"failures", write_errors_}});
  }
  return nullptr;
}

absl::Status ChunkDiskMapper::Truncate(Timestamp mint) {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0 && files_[last_seq_].size > kFileHeaderSize) RETURN_IF_ERROR(CloseCurrent());
  while (!files_.empty()) {
    auto it = files_.begin();
    if ((fd_ >= 0 && it->first == last_seq_) || it->second.maxt >= mint) break;
    if (::unlink(PathOf(it->first).c_str()) != 0 && errno != ENOENT) {
      return Errno("remove", PathOf(it->first));
    }
    files_.erase(it);  // chunks still read keep the mapping
  }
  return absl::OkStatus();
}

absl::Status ChunkDiskMapper::Close() {
  absl::MutexLock lock(&mu_);
  return CloseCurrent();
}

std::vector<uint32_t> ChunkDiskMapper::Files() const {
  absl::MutexLock lock(&mu_);
  std::vector<uint32_t> out;
  for (const auto& [seq, f] : files_) out.push_back(seq);
  return out;
}

uint64_t ChunkDiskMapper::Size() const {
  absl::MutexLock lock(&mu_);
  uint64_t total = 0;
  for (const auto& [seq, f] : files_) total += f.size;
  return total;
}

}  // namespace sundial::tsdb::head_chunks
