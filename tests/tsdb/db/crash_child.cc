// The process the crash test kills: opens the DB in argv[1] and ingests forever, one commit per
// timestamp over kCrashSeries series, printing each committed timestamp on stdout once Commit
// returned (the acknowledgement). It resumes after the newest timestamp in the DB and truncates
// the head to its last kCrashRetention ms every 500 commits, so checkpoints get killed too.
// With argv[2] == "blocks" it uses 100ms blocks (levels 100, 300, 900) and compacts every 50
// commits, so that kills also land in head compaction, level compaction and block deletion.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/str_cat.h"
#include "tsdb/db/crash_test_series.h"
#include "tsdb/db/db.h"

int main(int argc, char** argv) {
  using namespace sundial;
  using namespace sundial::tsdb;
  // As the server does (src/cli/server.cc).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: crash_child <dir> [blocks]\n");
    return 2;
  }
  const bool blocks = argc == 3 && std::string(argv[2]) == "blocks";
  DbOptions options = {.dir = argv[1], .retention_ms = kCrashRetention};
  if (blocks) {
    options.block_range_ms = kCrashBlockRange;
    options.max_block_duration_ms = 9 * kCrashBlockRange;
  }
  const Timestamp compact_every = blocks ? 50 : 500;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  const Timestamp newest = (*db)->head().MaxTime();
  std::vector<SeriesRef> refs(kCrashSeries, 0);
  for (Timestamp t = newest == INT64_MIN ? 1 : newest + 1;; ++t) {
    std::unique_ptr<Appender> app = (*db)->NewAppender();
    for (int i = 0; i < kCrashSeries; ++i) {
      absl::StatusOr<SeriesRef> ref = app->Append(refs[i], CrashSeries(i), t, CrashValue(i, t));
      if (!ref.ok()) {
        std::fprintf(stderr, "append: %s\n", std::string(ref.status().message()).c_str());
        return 1;
      }
      refs[i] = *ref;
    }
    absl::Status status = app->Commit();
    if (!status.ok()) {
      std::fprintf(stderr, "commit: %s\n", std::string(status.message()).c_str());
      return 1;
    }
    const std::string line = StrCat(t, "\n");
    if (::write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 1;
    if (t % compact_every == 0) {
      if (absl::Status s = (*db)->Compact(); !s.ok()) {
        std::fprintf(stderr, "compact: %s\n", std::string(s.message()).c_str());
        return 1;
      }
    }
  }
}
