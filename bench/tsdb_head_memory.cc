// Head memory and restart time with and without chunks_head/ (mmapped head chunks), on the real
// file system. Each run is its own process so that VmRSS is the head's alone:
//
//   build/bench/tsdb_head_memory write /tmp/hm 1000000 150            # ingest, then close
//   build/bench/tsdb_head_memory open  /tmp/hm 1000000 150            # replay chunks + WAL tail
//   build/bench/tsdb_head_memory write /tmp/hm 1000000 150 in_memory  # closed chunks in RAM
//   build/bench/tsdb_head_memory open  /tmp/hm 1000000 150 in_memory  # WAL-only replay
//   build/bench/tsdb_head_memory verify /tmp/hm 0 0    # open, then count and sum every sample
//
// Prints one line: phase, seconds, the process' CPU seconds by then, the replay seconds, the main
// thread's CPU seconds, VmRSS / RssAnon / RssFile / VmHWM in MiB after the phase, and RSS bytes
// per series (RssAnon minus the process' RssAnon before the DB was opened).
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/str_cat.h"
#include "model/matcher.h"
#include "tsdb/db/db.h"

namespace sundial::tsdb {
namespace {

// A "<key>" line of /proc/self/status in KiB.
double StatusKiB(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + key.size());
  }
  return 0;
}

Labels SeriesLabels(int i) {
  return Labels{{"__name__", "bench_metric"},
                {"instance", StrCat("host-", i % 1000, ":9100")},
                {"job", "node"},
                {"series", StrCat(i)}};
}

int Run(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s write|open DIR SERIES SAMPLES [in_memory]\n", argv[0]);
    return 2;
  }
  const std::string phase = argv[1], dir = argv[2];
  const int series = std::atoi(argv[3]), samples = std::atoi(argv[4]);
  const bool in_memory = argc > 5 && std::string(argv[5]) == "in_memory";
  if (phase == "write") std::filesystem::remove_all(dir);

  std::vector<Labels> labels;
  if (phase == "write") {
    labels.reserve(series);
    for (int i = 0; i < series; ++i) labels.push_back(SeriesLabels(i));
  }
  const double anon_before = StatusKiB("RssAnon:");
  const auto start = std::chrono::steady_clock::now();
  DbOptions options;
  options.dir = dir;
  options.mmap_head_chunks = !in_memory;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  if (phase == "write") {
    std::vector<SeriesRef> refs(series, 0);
    for (int k = 0; k < samples; ++k) {
      const Timestamp t = 1'700'000'000'000 + int64_t{k} * 15'000;
      std::unique_ptr<Appender> app = (*db)->NewAppender();
      for (int i = 0; i < series; ++i) {
        // Counters with varying increments.
        refs[i] = *app->Append(refs[i], labels[i], t, static_cast<double>(k * (i % 13 + 1)));
      }
      if (!app->Commit().ok()) return 1;
    }
    labels.clear();
    labels.shrink_to_fit();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // This thread's CPU seconds: for open, the WAL reading thread of the replay (its critical
  // path while the workers keep up).
  timespec thread_cpu;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &thread_cpu);
  const double main_cpu_seconds =
      static_cast<double>(thread_cpu.tv_sec) + static_cast<double>(thread_cpu.tv_nsec) / 1e9;
  // The process' CPU seconds so far (all threads): for open, mostly the replay.
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  const double cpu_seconds =
      static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  if (phase == "verify") {
    // What a data directory written by Prometheus holds, to compare with its answers.
    absl::StatusOr<std::unique_ptr<Querier>> q = (*db)->NewQuerier(INT64_MIN, INT64_MAX);
    absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kRegexp, "__name__", ".+");
    if (!q.ok() || !m.ok()) return 1;
    std::vector<Matcher> matchers = {*m};
    std::unique_ptr<SeriesSet> set = (*q)->Select(SelectHints{}, matchers);
    long long n = 0, num_series = 0;
    double sum = 0;
    while (set->Next()) {
      ++num_series;
      std::unique_ptr<SampleIterator> it = set->At().Iterator();
      while (it->Next() == ValueType::kFloat) {
        ++n;
        sum += it->At().second;
      }
    }
    std::printf("verify series=%lld samples=%lld sum=%.6g mmapped_chunks=%lld\n", num_series, n,
                sum, static_cast<long long>((*db)->replay_stats().mmapped_chunks));
    return (*db)->Close().ok() ? 0 : 1;
  }
  const double anon = StatusKiB("RssAnon:");
  std::printf(
      "%s%s series=%d samples=%d seconds=%.2f cpu_seconds=%.2f replay_seconds=%.2f "
      "main_thread_cpu_seconds=%.2f "
      "mmapped_chunks=%lld "
      "VmRSS=%.0fMiB RssAnon=%.0fMiB RssFile=%.0fMiB VmHWM=%.0fMiB "
      "head_anon_bytes_per_series=%.0f\n",
      phase.c_str(), in_memory ? "(in_memory)" : "(chunks_head)", series, samples, seconds,
      cpu_seconds, (*db)->replay_stats().duration_seconds, main_cpu_seconds,
      static_cast<long long>((*db)->replay_stats().mmapped_chunks), StatusKiB("VmRSS:") / 1024,
      anon / 1024, StatusKiB("RssFile:") / 1024, StatusKiB("VmHWM:") / 1024,
      (anon - anon_before) * 1024 / series);
  std::fflush(stdout);
  return (*db)->Close().ok() ? 0 : 1;
}

}  // namespace
}  // namespace sundial::tsdb

int main(int argc, char** argv) {
  // As the server does: the deadlock detector costs more than the work with 1M series mutexes.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return sundial::tsdb::Run(argc, argv);
}
