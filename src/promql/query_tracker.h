// The active query log, as Prometheus' ActiveQueryTracker: a file <dir>/queries.active of
// max_concurrent fixed-size slots, memory-mapped, holding a JSON array of the queries running
// right now ({"query": ..., "timestamp_sec": ...}). A query takes a slot while it runs (waiting
// for one when all are taken) and clears it when done, so after a crash the file names the
// queries that were running. Opening the tracker reads what the previous run left behind.
//
//   absl::StatusOr<std::unique_ptr<ActiveQueryTracker>> t =
//       ActiveQueryTracker::Open(data_dir, /*max_concurrent=*/20);
//   if ((*t)->unfinished()) log "These queries didn't finish in prometheus' last run:" ...
//   EngineOptions options{.active_query_tracker = t->get()};
//
// Thread-safe.
#ifndef SUNDIAL_PROMQL_QUERY_TRACKER_H_
#define SUNDIAL_PROMQL_QUERY_TRACKER_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace sundial::promql {

class ActiveQueryTracker {
 public:
  // Bytes per slot, as Prometheus; longer queries are cut (at a UTF-8 boundary) to fit.
  static constexpr size_t kEntrySize = 1000;

  // Creates dir if needed, reads the previous <dir>/queries.active (see unfinished()), then
  // recreates it with max_concurrent empty slots. REQUIRES: max_concurrent >= 1.
  static absl::StatusOr<std::unique_ptr<ActiveQueryTracker>> Open(const std::string& dir,
                                                                  int max_concurrent);
  ~ActiveQueryTracker();
  ActiveQueryTracker(const ActiveQueryTracker&) = delete;
  ActiveQueryTracker& operator=(const ActiveQueryTracker&) = delete;

  // The JSON array of the queries the previous run left in the file, when there were any.
  const std::optional<std::string>& unfinished() const { return unfinished_; }
  // The file's path.
  const std::string& path() const { return path_; }

  // Records a running query in a free slot (waiting until one is free) and returns the slot's
  // handle for Delete().
  size_t Insert(std::string_view query);
  // Clears the slot and frees it.
  void Delete(size_t handle);

  // The file as Prometheus' logUnfinishedQueries reads it: NULs removed, the trailing comma
  // replaced by ']'. Nothing when no query is recorded. Exposed for tests.
  static std::optional<std::string> ParseFile(std::string_view bytes);

 private:
  ActiveQueryTracker() = default;

  std::string path_;
  int fd_ = -1;
  char* map_ = nullptr;
  size_t size_ = 0;
  std::optional<std::string> unfinished_;
  absl::Mutex mu_;
  std::vector<size_t> free_ ABSL_GUARDED_BY(mu_);  // offsets of free slots
};

// Holds a slot for the life of a query; a null tracker records nothing.
class TrackedQuery {
 public:
  TrackedQuery(ActiveQueryTracker* tracker, std::string_view query)
      : tracker_(tracker), handle_(tracker ? tracker->Insert(query) : 0) {}
  ~TrackedQuery() {
    if (tracker_ != nullptr) tracker_->Delete(handle_);
  }
  TrackedQuery(const TrackedQuery&) = delete;
  TrackedQuery& operator=(const TrackedQuery&) = delete;

 private:
  ActiveQueryTracker* tracker_;
  size_t handle_;
};

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_QUERY_TRACKER_H_
