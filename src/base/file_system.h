// FileSystem: every byte Sundial reads or writes on disk goes through this interface, so tests
// can swap in MemFileSystem, which loses unsynced data at a simulated crash and injects errors.
//
//   FileSystem* fs = FileSystem::Default();            // POSIX, process lifetime
//   ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->OpenWritable(path,
//   OpenMode::kCreateNew)); RETURN_IF_ERROR(f->Append(bytes)); RETURN_IF_ERROR(f->Sync()); // bytes
//   are durable from here on RETURN_IF_ERROR(f->Close());
//
// Paths are plain strings joined with JoinPath; errors are absl::Status with the path in the
// message (NotFound for a missing file, AlreadyExists for kCreateNew on an existing one).
// Durability contract (both implementations): file contents are durable up to the last Sync()
// of that file; creating, renaming and removing entries is durable once SyncDir() of the parent
// returned. All methods are thread-safe; a single WritableFile must not be used concurrently.
#ifndef SUNDIAL_BASE_FILE_SYSTEM_H_
#define SUNDIAL_BASE_FILE_SYSTEM_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace sundial {

// "a" + "b" -> "a/b"; an empty part is skipped.
std::string JoinPath(std::string_view a, std::string_view b);

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends at the end of the file. Not durable until Sync().
  virtual absl::Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual absl::Status Sync() = 0;
  // Releases the handle; later calls fail. The destructor closes silently if needed.
  virtual absl::Status Close() = 0;
  // Bytes in the file, including what was there before it was opened.
  virtual uint64_t Size() const = 0;
};

class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to n bytes at offset into scratch and returns a view of what was read (shorter
  // only at the end of the file). The view may point into scratch; valid until scratch changes.
  // REQUIRES: scratch holds at least n bytes.
  virtual absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual uint64_t Size() const = 0;
};

enum class OpenMode {
  kCreateNew,  // fails with AlreadyExists if the file exists
  kTruncate,   // creates or empties
  kAppend,     // creates or appends to the existing contents
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The POSIX file system. Never null; lives for the whole process.
  static FileSystem* Default();

  virtual absl::StatusOr<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path,
                                                                     OpenMode mode) = 0;
  virtual absl::StatusOr<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) = 0;

  // Names (not paths) of the entries of dir, sorted, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> List(const std::string& dir) = 0;
  virtual absl::StatusOr<bool> Exists(const std::string& path) = 0;
  virtual absl::StatusOr<bool> IsDirectory(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;

  // Creates dir and its missing parents; OK if it exists.
  virtual absl::Status CreateDirs(const std::string& dir) = 0;
  // Removes a file or an empty directory; NotFound if absent.
  virtual absl::Status Remove(const std::string& path) = 0;
  // Removes path and everything below it; OK if absent.
  virtual absl::Status RemoveAll(const std::string& path) = 0;
  // Atomically replaces `to` (a file, or an empty or non-empty directory) with `from`.
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  // Cuts (or zero-extends) the file to size bytes and makes the new size durable.
  virtual absl::Status Truncate(const std::string& path, uint64_t size) = 0;
  // Makes the directory's entries (creations, renames, removals) durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;

  // Reads a whole file.
  absl::StatusOr<std::string> ReadFile(const std::string& path);
  // Writes data to a new file at path via path.tmp + Sync + Rename + SyncDir.
  absl::Status WriteFileAtomic(const std::string& path, std::string_view data);
};

// An in-memory FileSystem for tests that models a crash: Crash() throws away every byte that was
// not synced and every directory entry change not made durable by SyncDir (files whose creation
// was not durable vanish; renames and removals not durable are undone). Fault hooks make chosen
// operations fail.
//
// Thread-safe. Files opened before Crash() are detached: their later writes are discarded.
class MemFileSystem : public FileSystem {
 public:
  enum class Op {
    kOpenWritable,
    kOpenReadable,
    kAppend,
    kSync,
    kRead,
    kRename,
    kRemove,
    kTruncate,
    kSyncDir,
    kCreateDirs,
    kList
  };
  // Called before every operation; a non-OK result is returned by that operation, which then
  // has no effect. For kAppend, a failing hook may instead let a prefix through, see
  // set_torn_append_bytes().
  using FaultHook = std::function<absl::Status(Op op, const std::string& path)>;

  MemFileSystem();
  ~MemFileSystem() override;

  void SetFaultHook(FaultHook hook);
  // When an Append fails through the hook, the first n bytes of it still reach the file
  // (unsynced), modelling a torn write. Default 0.
  void set_torn_append_bytes(size_t n);

  // Simulates power loss: see the class comment.
  void Crash();
  // If strict is false (the default), directory entries are durable as soon as they change
  // (ext4 data=ordered behaves close to this); only file contents need Sync(). If true, they
  // need SyncDir() too; SyncDir(d) then makes every entry change below d durable (a little more
  // lenient than POSIX, which covers only d's direct entries).
  void set_strict_directory_sync(bool strict);

  // Test helpers that bypass hooks and durability: the current bytes of a file, or replacing
  // them (the replacement counts as synced).
  absl::StatusOr<std::string> Contents(const std::string& path);
  absl::Status SetContents(const std::string& path, std::string data);

  absl::StatusOr<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path,
                                                             OpenMode mode) override;
  absl::StatusOr<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> List(const std::string& dir) override;
  absl::StatusOr<bool> Exists(const std::string& path) override;
  absl::StatusOr<bool> IsDirectory(const std::string& path) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::Status CreateDirs(const std::string& dir) override;
  absl::Status Remove(const std::string& path) override;
  absl::Status RemoveAll(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status SyncDir(const std::string& dir) override;

 private:
  struct Node;  // file contents, shared by handles
  class MemWritable;
  class MemReadable;
  using Tree = std::map<std::string, std::shared_ptr<Node>>;  // normalized path -> node

  absl::Status Fault(Op op, const std::string& path);
  size_t TornAppendBytes();
  absl::Status AppendTo(const std::shared_ptr<Node>& node, std::string_view data);
  absl::Status SyncNode(const std::shared_ptr<Node>& node);
  bool ParentExistsLocked(const std::string& path) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // After a namespace change in the live tree: copy it to the durable tree unless strict.
  void NamespaceChangedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  Tree live_ ABSL_GUARDED_BY(mu_);     // what reads see now
  Tree durable_ ABSL_GUARDED_BY(mu_);  // what survives Crash() (entries; contents via Node)
  FaultHook hook_ ABSL_GUARDED_BY(mu_);
  size_t torn_append_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool strict_dirs_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sundial

#endif  // SUNDIAL_BASE_FILE_SYSTEM_H_
