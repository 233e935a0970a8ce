// DB open time: WAL replay of series x samples written by the DB itself, on the real file
// system (a temporary directory, in the page cache after the first run).
//
//   build/bench/tsdb_db_benchmark --benchmark_filter=Replay
//
// Counters: wal_bytes_per_sample (segments on disk / samples), samples_per_second of replay.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/str_cat.h"
#include "tsdb/db/db.h"

namespace sundial::tsdb {
namespace {

// Writes series x samples (one commit per timestamp, 15s apart, gauge-like values) into a fresh
// directory and returns the WAL's size in bytes.
uint64_t WriteWal(const std::string& dir, int series, int samples, bool compress) {
  std::filesystem::remove_all(dir);
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open({.dir = dir, .wal_compression = compress});
  if (!db.ok()) std::abort();
  std::vector<Labels> labels;
  labels.reserve(series);
  for (int i = 0; i < series; ++i) {
    labels.push_back(Labels{{"__name__", "bench_metric"},
                            {"instance", StrCat("host-", i % 1000, ":9100")},
                            {"job", "node"},
                            {"series", StrCat(i)}});
  }
  std::vector<SeriesRef> refs(series, 0);
  for (int k = 0; k < samples; ++k) {
    const Timestamp t = 1'700'000'000'000 + int64_t{k} * 15'000;
    std::unique_ptr<Appender> app = (*db)->NewAppender();
    for (int i = 0; i < series; ++i) {
      refs[i] = *app->Append(refs[i], labels[i], t, static_cast<double>((i * 7 + k) % 1000));
    }
    if (!app->Commit().ok()) std::abort();
  }
  if (!(*db)->Close().ok()) std::abort();
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/wal")) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  return bytes;
}

void BM_Replay(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const int samples = static_cast<int>(state.range(1));
  const bool compress = state.range(2) != 0;
  const std::string dir =
      StrCat(std::filesystem::temp_directory_path().string(), "/sundial_db_bench_", ::getpid());
  const uint64_t bytes = WriteWal(dir, series, samples, compress);
  for (auto _ : state) {
    // Each open adds an empty segment; that does not change what is replayed.
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open({.dir = dir});
    if (!db.ok() || (*db)->head().NumSeries() != static_cast<size_t>(series)) std::abort();
    benchmark::DoNotOptimize((*db)->head().MaxTime());
    state.PauseTiming();
    db->reset();
    state.ResumeTiming();
  }
  const double total = static_cast<double>(series) * samples;
  state.counters["wal_bytes_per_sample"] = static_cast<double>(bytes) / total;
  state.counters["samples_per_second"] =
      benchmark::Counter(total, benchmark::Counter::kIsIterationInvariantRate);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Replay)
    ->Args({10'000, 120, 0})
    ->Args({100'000, 120, 0})
    ->Args({100'000, 120, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

}  // namespace
}  // namespace sundial::tsdb

int main(int argc, char** argv) {
  // As the server does (src/cli/server.cc): Abseil's debug deadlock detector costs more than the
  // replay itself once the head has 100k series mutexes.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
