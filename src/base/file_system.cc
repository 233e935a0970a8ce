#include "base/file_system.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "base/errno_error.h"
#include "base/status_macros.h"
#include "base/str_cat.h"

namespace sundial {

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  if (a.back() == '/') return StrCat(a, b);
  return StrCat(a, "/", b);
}

absl::StatusOr<std::string> FileSystem::ReadFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> f, OpenReadable(path));
  std::string out(f->Size(), '\0');
  ASSIGN_OR_RETURN(std::string_view got, f->Read(0, out.size(), out.data()));
  if (got.data() != out.data()) std::memmove(out.data(), got.data(), got.size());
  out.resize(got.size());
  return out;
}

absl::Status FileSystem::WriteFileAtomic(const std::string& path, std::string_view data) {
  const std::string tmp = StrCat(path, ".tmp");
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, OpenWritable(tmp, OpenMode::kTruncate));
  RETURN_IF_ERROR(f->Append(data));
  RETURN_IF_ERROR(f->Sync());
  RETURN_IF_ERROR(f->Close());
  RETURN_IF_ERROR(Rename(tmp, path));
  const size_t slash = path.rfind('/');
  return SyncDir(slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash));
}

// ---------------------------------------------------------------------------------------------
// POSIX

namespace {

absl::Status FsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("fsync", path, err);
  return absl::OkStatus();
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Append(std::string_view data) override {
    if (fd_ < 0) return absl::FailedPreconditionError(StrCat("append to closed file ", path_));
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (fd_ < 0) return absl::FailedPreconditionError(StrCat("sync of closed file ", path_));
    if (::fdatasync(fd_) != 0) return ErrnoError("fdatasync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (fd_ < 0) return absl::OkStatus();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return ErrnoError("close", path_, errno);
    return absl::OkStatus();
  }

  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixReadableFile : public ReadableFile {
 public:
  PosixReadableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixReadableFile() override { ::close(fd_); }

  absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("read", path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return std::string_view(scratch, done);
  }

  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;  // at open time
};

class PosixFileSystem : public FileSystem {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path,
                                                             OpenMode mode) override {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
    switch (mode) {
      case OpenMode::kCreateNew:
        flags |= O_EXCL;
        break;
      case OpenMode::kTruncate:
        flags |= O_TRUNC;
        break;
      case OpenMode::kAppend:
        flags |= O_APPEND;
        break;
    }
    int fd = ::open(path.c_str(), flags, 0666);
    if (fd < 0) return ErrnoError("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError("stat", path, err);
    }
    return std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_size));
  }

  absl::StatusOr<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError("stat", path, err);
    }
    return std::make_unique<PosixReadableFile>(path, fd, static_cast<uint64_t>(st.st_size));
  }

  absl::StatusOr<std::vector<std::string>> List(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoError("opendir", dir, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return ErrnoError("readdir", dir, err);
    std::sort(names.begin(), names.end());
    return names;
  }

  absl::StatusOr<bool> Exists(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    return ErrnoError("stat", path, errno);
  }

  absl::StatusOr<bool> IsDirectory(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoError("stat", path, errno);
    return S_ISDIR(st.st_mode);
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoError("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::Status CreateDirs(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return ErrnoError("mkdir", dir, ec.value());
    return absl::OkStatus();
  }

  absl::Status Remove(const std::string& path) override {
    if (::remove(path.c_str()) != 0) return ErrnoError("remove", path, errno);
    return absl::OkStatus();
  }

  absl::Status RemoveAll(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return ErrnoError("remove", path, ec.value());
    return absl::OkStatus();
  }

  absl::Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) == 0) return absl::OkStatus();
    if (errno != ENOTEMPTY && errno != EEXIST) return ErrnoError("rename", from, errno);
    // A non-empty target directory cannot be replaced atomically: remove it first.
    RETURN_IF_ERROR(RemoveAll(to));
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoError("rename", from, errno);
    return absl::OkStatus();
  }

  absl::Status Truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return ErrnoError("truncate", path, errno);
    }
    return FsyncPath(path, O_WRONLY);
  }

  absl::Status SyncDir(const std::string& dir) override {
    return FsyncPath(dir, O_RDONLY | O_DIRECTORY);
  }
};

}  // namespace

FileSystem* FileSystem::Default() {
  static PosixFileSystem* fs = new PosixFileSystem;
  return fs;
}

// ---------------------------------------------------------------------------------------------
// MemFileSystem

namespace {

// "/a//b/" -> "/a/b"; relative paths stay relative.
std::string Normalize(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(path[i]);
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool IsBelow(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (dir == "/" || path[dir.size()] == '/');
}

}  // namespace

struct MemFileSystem::Node {
  bool is_dir = false;
  std::string data;    // current contents
  std::string synced;  // contents that survive a crash
};

class MemFileSystem::MemWritable : public WritableFile {
 public:
  MemWritable(MemFileSystem* fs, std::string path, std::shared_ptr<Node> node)
      : fs_(fs), path_(std::move(path)), node_(std::move(node)) {}
  absl::Status Append(std::string_view data) override {
    if (closed_) return absl::FailedPreconditionError(StrCat("append to closed file ", path_));
    absl::Status fault = fs_->Fault(Op::kAppend, path_);
    if (!fault.ok()) {
      RETURN_IF_ERROR(fs_->AppendTo(node_, data.substr(0, fs_->TornAppendBytes())));
      return fault;
    }
    return fs_->AppendTo(node_, data);
  }
  absl::Status Sync() override {
    if (closed_) return absl::FailedPreconditionError(StrCat("sync of closed file ", path_));
    RETURN_IF_ERROR(fs_->Fault(Op::kSync, path_));
    return fs_->SyncNode(node_);
  }
  absl::Status Close() override {
    closed_ = true;
    return absl::OkStatus();
  }
  uint64_t Size() const override {
    absl::MutexLock l(&fs_->mu_);
    return node_->data.size();
  }

 private:
  MemFileSystem* fs_;
  std::string path_;
  std::shared_ptr<Node> node_;
  bool closed_ = false;
};

class MemFileSystem::MemReadable : public ReadableFile {
 public:
  MemReadable(MemFileSystem* fs, std::string path, std::shared_ptr<Node> node)
      : fs_(fs), path_(std::move(path)), node_(std::move(node)) {}
  absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    RETURN_IF_ERROR(fs_->Fault(Op::kRead, path_));
    absl::MutexLock l(&fs_->mu_);
    const std::string& d = node_->data;
    if (offset >= d.size()) return std::string_view(scratch, 0);
    size_t len = std::min<uint64_t>(n, d.size() - offset);
    std::memcpy(scratch, d.data() + offset, len);
    return std::string_view(scratch, len);
  }
  uint64_t Size() const override {
    absl::MutexLock l(&fs_->mu_);
    return node_->data.size();
  }

 private:
  MemFileSystem* fs_;
  std::string path_;
  std::shared_ptr<Node> node_;
};

MemFileSystem::MemFileSystem() {
  auto root = std::make_shared<Node>();
  root->is_dir = true;
  live_["/"] = root;
  durable_["/"] = root;
}

MemFileSystem::~MemFileSystem() = default;

void MemFileSystem::SetFaultHook(FaultHook hook) {
  absl::MutexLock l(&mu_);
  hook_ = std::move(hook);
}

void MemFileSystem::set_torn_append_bytes(size_t n) {
  absl::MutexLock l(&mu_);
  torn_append_bytes_ = n;
}

void MemFileSystem::set_strict_directory_sync(bool strict) {
  absl::MutexLock l(&mu_);
  strict_dirs_ = strict;
}

void MemFileSystem::Crash() {
  absl::MutexLock l(&mu_);
  // Old handles keep pointing at the old nodes, which leave the tree: their writes are lost.
  Tree fresh;
  for (const auto& [path, node] : durable_) {
    // An entry made durable inside a directory whose own entry was not is unreachable. The map
    // is sorted, so parents come before their children.
    const std::string parent = Parent(path);
    if (path != "/" && !parent.empty() && fresh.count(parent) == 0) continue;
    auto copy = std::make_shared<Node>();
    copy->is_dir = node->is_dir;
    copy->data = node->synced;
    copy->synced = node->synced;
    fresh[path] = std::move(copy);
  }
  live_ = fresh;
  durable_ = std::move(fresh);
}

absl::StatusOr<std::string> MemFileSystem::Contents(const std::string& path) {
  absl::MutexLock l(&mu_);
  auto it = live_.find(Normalize(path));
  if (it == live_.end() || it->second->is_dir) return absl::NotFoundError(path);
  return it->second->data;
}

absl::Status MemFileSystem::SetContents(const std::string& path, std::string data) {
  absl::MutexLock l(&mu_);
  auto it = live_.find(Normalize(path));
  if (it == live_.end() || it->second->is_dir) return absl::NotFoundError(path);
  it->second->synced = data;
  it->second->data = std::move(data);
  return absl::OkStatus();
}

absl::Status MemFileSystem::Fault(Op op, const std::string& path) {
  FaultHook hook;
  {
    absl::MutexLock l(&mu_);
    hook = hook_;
  }
  if (!hook) return absl::OkStatus();
  return hook(op, path);
}

size_t MemFileSystem::TornAppendBytes() {
  absl::MutexLock l(&mu_);
  return torn_append_bytes_;
}

absl::Status MemFileSystem::AppendTo(const std::shared_ptr<Node>& node, std::string_view data) {
  absl::MutexLock l(&mu_);
  node->data.append(data);
  return absl::OkStatus();
}

absl::Status MemFileSystem::SyncNode(const std::shared_ptr<Node>& node) {
  absl::MutexLock l(&mu_);
  node->synced = node->data;
  return absl::OkStatus();
}

bool MemFileSystem::ParentExistsLocked(const std::string& path) const {
  std::string parent = Parent(path);
  if (parent.empty()) return true;  // relative name in the "current directory"
  auto it = live_.find(parent);
  return it != live_.end() && it->second->is_dir;
}

void MemFileSystem::NamespaceChangedLocked() {
  if (!strict_dirs_) durable_ = live_;
}

absl::StatusOr<std::unique_ptr<WritableFile>> MemFileSystem::OpenWritable(const std::string& path,
                                                                          OpenMode mode) {
  RETURN_IF_ERROR(Fault(Op::kOpenWritable, path));
  absl::MutexLock l(&mu_);
  std::string p = Normalize(path);
  if (!ParentExistsLocked(p)) return absl::NotFoundError(StrCat("open ", path, ": no such dir"));
  auto it = live_.find(p);
  std::shared_ptr<Node> node;
  if (it != live_.end()) {
    if (it->second->is_dir) return absl::FailedPreconditionError(StrCat(path, " is a directory"));
    if (mode == OpenMode::kCreateNew) return absl::AlreadyExistsError(StrCat("open ", path));
    node = it->second;
    if (mode == OpenMode::kTruncate) node->data.clear();
  } else {
    node = std::make_shared<Node>();
    live_[p] = node;
    NamespaceChangedLocked();
  }
  return std::unique_ptr<WritableFile>(new MemWritable(this, p, node));
}

absl::StatusOr<std::unique_ptr<ReadableFile>> MemFileSystem::OpenReadable(const std::string& path) {
  RETURN_IF_ERROR(Fault(Op::kOpenReadable, path));
  absl::MutexLock l(&mu_);
  auto it = live_.find(Normalize(path));
  if (it == live_.end()) return absl::NotFoundError(StrCat("open ", path));
  if (it->second->is_dir) return absl::FailedPreconditionError(StrCat(path, " is a directory"));
  return std::unique_ptr<ReadableFile>(new MemReadable(this, it->first, it->second));
}

absl::StatusOr<std::vector<std::string>> MemFileSystem::List(const std::string& dir) {
  RETURN_IF_ERROR(Fault(Op::kList, dir));
  absl::MutexLock l(&mu_);
  std::string d = Normalize(dir);
  auto it = live_.find(d);
  if (it == live_.end() || !it->second->is_dir) return absl::NotFoundError(StrCat("list ", dir));
  std::vector<std::string> names;
  for (auto c = live_.upper_bound(d); c != live_.end() && IsBelow(c->first, d); ++c) {
    if (Parent(c->first) == d) names.push_back(c->first.substr(d == "/" ? 1 : d.size() + 1));
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<bool> MemFileSystem::Exists(const std::string& path) {
  absl::MutexLock l(&mu_);
  return live_.count(Normalize(path)) > 0;
}

absl::StatusOr<bool> MemFileSystem::IsDirectory(const std::string& path) {
  absl::MutexLock l(&mu_);
  auto it = live_.find(Normalize(path));
  if (it == live_.end()) return absl::NotFoundError(StrCat("stat ", path));
  return it->second->is_dir;
}

absl::StatusOr<uint64_t> MemFileSystem::FileSize(const std::string& path) {
  absl::MutexLock l(&mu_);
  auto it = live_.find(Normalize(path));
  if (it == live_.end()) return absl::NotFoundError(StrCat("stat ", path));
  return it->second->data.size();
}

absl::Status MemFileSystem::CreateDirs(const std::string& dir) {
  RETURN_IF_ERROR(Fault(Op::kCreateDirs, dir));
  absl::MutexLock l(&mu_);
  std::string d = Normalize(dir);
  std::vector<std::string> missing;
  for (std::string p = d; !p.empty() && p != "/"; p = Parent(p)) {
    auto it = live_.find(p);
    if (it != live_.end()) {
      if (!it->second->is_dir) return absl::AlreadyExistsError(StrCat(p, " is a file"));
      break;
    }
    missing.push_back(p);
  }
  for (const std::string& p : missing) {
    auto node = std::make_shared<Node>();
    node->is_dir = true;
    live_[p] = node;
  }
  NamespaceChangedLocked();
  return absl::OkStatus();
}

absl::Status MemFileSystem::Remove(const std::string& path) {
  RETURN_IF_ERROR(Fault(Op::kRemove, path));
  absl::MutexLock l(&mu_);
  std::string p = Normalize(path);
  auto it = live_.find(p);
  if (it == live_.end()) return absl::NotFoundError(StrCat("remove ", path));
  auto next = std::next(it);
  if (next != live_.end() && IsBelow(next->first, p)) {
    return absl::FailedPreconditionError(StrCat("remove ", path, ": directory not empty"));
  }
  live_.erase(it);
  NamespaceChangedLocked();
  return absl::OkStatus();
}

absl::Status MemFileSystem::RemoveAll(const std::string& path) {
  RETURN_IF_ERROR(Fault(Op::kRemove, path));
  absl::MutexLock l(&mu_);
  std::string p = Normalize(path);
  auto it = live_.find(p);
  if (it == live_.end()) return absl::OkStatus();
  auto end = std::next(it);
  while (end != live_.end() && IsBelow(end->first, p)) ++end;
  live_.erase(it, end);
  NamespaceChangedLocked();
  return absl::OkStatus();
}

absl::Status MemFileSystem::Rename(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(Fault(Op::kRename, from));
  absl::MutexLock l(&mu_);
  std::string f = Normalize(from), t = Normalize(to);
  auto it = live_.find(f);
  if (it == live_.end()) return absl::NotFoundError(StrCat("rename ", from));
  if (!ParentExistsLocked(t)) return absl::NotFoundError(StrCat("rename to ", to));
  if (f == t) return absl::OkStatus();
  // Collect the moved subtree, drop whatever was at the target, then re-insert.
  std::vector<std::pair<std::string, std::shared_ptr<Node>>> moved;
  auto end = std::next(it);
  while (end != live_.end() && IsBelow(end->first, f)) ++end;
  for (auto m = it; m != end; ++m) moved.emplace_back(t + m->first.substr(f.size()), m->second);
  live_.erase(it, end);
  auto old = live_.find(t);
  if (old != live_.end()) {
    auto old_end = std::next(old);
    while (old_end != live_.end() && IsBelow(old_end->first, t)) ++old_end;
    live_.erase(old, old_end);
  }
  for (auto& [p, node] : moved) live_[p] = std::move(node);
  NamespaceChangedLocked();
  return absl::OkStatus();
}

absl::Status MemFileSystem::Truncate(const std::string& path, uint64_t size) {
  RETURN_IF_ERROR(Fault(Op::kTruncate, path));
  absl::MutexLock l(&mu_);
  auto it = live_.find(Normalize(path));
  if (it == live_.end() || it->second->is_dir)
    return absl::NotFoundError(StrCat("truncate ", path));
  it->second->data.resize(size, '\0');
  it->second->synced = it->second->data;
  return absl::OkStatus();
}

absl::Status MemFileSystem::SyncDir(const std::string& dir) {
  RETURN_IF_ERROR(Fault(Op::kSyncDir, dir));
  absl::MutexLock l(&mu_);
  std::string d = Normalize(dir);
  auto it = live_.find(d);
  if (it == live_.end() || !it->second->is_dir) return absl::NotFoundError(StrCat("sync ", dir));
  // Every entry below d becomes what the live tree says.
  for (auto c = durable_.begin(); c != durable_.end();) {
    c = IsBelow(c->first, d) ? durable_.erase(c) : std::next(c);
  }
  for (const auto& [p, node] : live_) {
    if (IsBelow(p, d)) durable_[p] = node;
  }
  return absl::OkStatus();
}

}  // namespace sundial
