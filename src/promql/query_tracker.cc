#include "promql/query_tracker.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "base/json_string.h"
#include "base/str_cat.h"

namespace sundial::promql {
namespace {

absl::Status Errno(std::string_view what, const std::string& path) {
  return absl::InternalError(StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// {"query":<q>,"timestamp_sec":<ts>} as Go's json.Marshal writes it.
std::string Entry(std::string_view query, int64_t ts) {
  std::string out = "{\"query\":";
  AppendJsonString(&out, query);
  StrAppend(&out, ",\"timestamp_sec\":", ts, "}");
  return out;
}

// The longest prefix of s of at most size bytes that does not split a UTF-8 sequence.
std::string_view TrimToBytes(std::string_view s, size_t size) {
  if (s.size() <= size) return s;
  size_t n = size;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

std::optional<std::string> ActiveQueryTracker::ParseFile(std::string_view bytes) {
  std::string s;
  s.reserve(bytes.size());
  for (char c : bytes) {
    if (c != '\0') s.push_back(c);
  }
  if (!s.empty()) s.back() = ']';
  if (s.size() <= 1) return std::nullopt;  // only "[" was there
  return s;
}

absl::StatusOr<std::unique_ptr<ActiveQueryTracker>> ActiveQueryTracker::Open(const std::string& dir,
                                                                             int max_concurrent) {
  std::unique_ptr<ActiveQueryTracker> t(new ActiveQueryTracker());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(StrCat("create ", dir, ": ", ec.message()));
  t->path_ = (std::filesystem::path(dir) / "queries.active").string();
  t->size_ = 1 + static_cast<size_t>(max_concurrent) * kEntrySize;

  // What the previous run left: its first size_ bytes, as Prometheus reads them.
  if (int fd = ::open(t->path_.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    std::string old(t->size_, '\0');
    ssize_t n = ::read(fd, old.data(), old.size());
    ::close(fd);
    if (n > 0) {
      old.resize(static_cast<size_t>(n));
      t->unfinished_ = ParseFile(old);
    }
  }

  t->fd_ = ::open(t->path_.c_str(), O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0666);
  if (t->fd_ < 0) return Errno("open", t->path_);
  if (::ftruncate(t->fd_, static_cast<off_t>(t->size_)) != 0) return Errno("truncate", t->path_);
  void* map = ::mmap(nullptr, t->size_, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd_, 0);
  if (map == MAP_FAILED) return Errno("mmap", t->path_);
  t->map_ = static_cast<char*>(map);
  t->map_[0] = '[';
  absl::MutexLock lock(&t->mu_);
  // Handed out from the back: the first slot first.
  for (int i = max_concurrent - 1; i >= 0; --i) {
    t->free_.push_back(1 + static_cast<size_t>(i) * kEntrySize);
  }
  return t;
}

ActiveQueryTracker::~ActiveQueryTracker() {
  if (map_ != nullptr) ::munmap(map_, size_);
  if (fd_ >= 0) ::close(fd_);
}

size_t ActiveQueryTracker::Insert(std::string_view query) {
  const int64_t ts = static_cast<int64_t>(std::time(nullptr));
  // Room for the query: the slot minus the empty entry and the comma after it.
  const size_t room = kEntrySize - (Entry("", ts).size() + 1);
  std::string entry = Entry(TrimToBytes(query, room), ts);
  // Escaping can lengthen the query; cut more until the entry fits.
  for (size_t cut = room; entry.size() + 1 > kEntrySize && cut > 0;) {
    cut = cut > 16 ? cut - 16 : 0;
    entry = Entry(TrimToBytes(query, cut), ts);
  }
  size_t offset;
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::vector<size_t>* free) { return !free->empty(); }, &free_));
    offset = free_.back();
    free_.pop_back();
  }
  std::memcpy(map_ + offset, entry.data(), entry.size());
  map_[offset + kEntrySize - 1] = ',';
  return offset;
}

void ActiveQueryTracker::Delete(size_t handle) {
  std::memset(map_ + handle, 0, kEntrySize);
  absl::MutexLock lock(&mu_);
  free_.push_back(handle);
}

}  // namespace sundial::promql
