// Block writing and compaction at scale, with peak memory: 1M series x 2h (120 samples each at
// 60 s; a third counters, a third gauges, a third classic histogram buckets), on the real file
// system under $TMPDIR.
//
//   build/bench/tsdb_compact_scale_benchmark [--benchmark_filter=...]
//
// Counters of every benchmark: items_per_second = samples per second; rss_before_MiB = VmRSS
// when the measured part starts; peak_delta_MiB = VmHWM at its end minus rss_before_MiB (the
// peak is reset through /proc/self/clear_refs first, so setup does not count); anon_end_MiB and
// file_end_MiB = RssAnon and RssFile at the end (mapped block files count in the peak);
// bytes_per_sample of the block written; BM_Compact's inputs_MiB = size of its source blocks.
//
// BM_WriteBlock/series:N   one 2h block from a generator that holds no data (head compaction
//                          without the head: the writer's own cost and memory)
// BM_Compact/series:N      level compaction of three adjacent 40 minute blocks (40 samples per
//                          series each) into one 2h block: block queriers -> merge -> writer
// BM_SelectAll/series:N    Select({__name__=~".+"}) on the 2h block and iterate every sample
// BM_SelectOne/series:N    Select one metric name (1% of the series) and iterate its samples
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "benchmark/benchmark.h"
#include "model/matcher.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/compact/merge_querier.h"

namespace sundial::tsdb {
namespace {

constexpr int64_t kStepMs = 60'000;
constexpr int kSamples = 120;  // 2h
constexpr int kMetrics = 100;  // metric names; series / kMetrics instances each

// VmRSS / VmHWM of this process in MiB.
double ProcStatusMiB(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + std::strlen(key) + 1) / 1024.0;
  }
  return 0;
}

void ResetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::string Pad(int v, int width) {
  std::string s = std::to_string(v);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}

// The value of series (metric, instance) at step k: counters (metric % 3 == 0), gauges
// (metric % 3 == 1) with fractional values, histogram bucket counters (metric % 3 == 2).
double Value(int metric, int instance, int k) {
  switch (metric % 3) {
    case 0:
      return static_cast<double>(k) * (1 + instance % 17) + static_cast<double>((k * 7) % 5);
    case 1:
      return 1e6 + static_cast<double>((instance * 31 + k * 17) % 1000) / 8.0;
    default:
      return std::floor(static_cast<double>(k) * (0.5 + 0.01 * (instance % 50)));
  }
}

class GeneratedIterator : public SampleIterator {
 public:
  GeneratedIterator(int metric, int instance, int from, int to)
      : metric_(metric), instance_(instance), k_(from - 1), to_(to) {}
  ValueType Next() override {
    if (k_ + 1 >= to_) {
      k_ = to_;
      return ValueType::kNone;
    }
    ++k_;
    return ValueType::kFloat;
  }
  ValueType Seek(Timestamp t) override {
    if (k_ < to_ && k_ >= 0 && k_ * kStepMs >= t) return ValueType::kFloat;
    while (Next() == ValueType::kFloat) {
      if (k_ * kStepMs >= t) return ValueType::kFloat;
    }
    return ValueType::kNone;
  }
  std::pair<Timestamp, double> At() const override {
    return {k_ * kStepMs, Value(metric_, instance_, static_cast<int>(k_))};
  }
  Timestamp AtT() const override { return k_ * kStepMs; }
  absl::Status Err() const override { return absl::OkStatus(); }

 private:
  int metric_, instance_;
  int64_t k_;
  int to_;
};

// Series in label order: metric_<m> x instance host-<i>:9100, job by instance, samples [from,to).
class GeneratedSet : public SeriesSet, public Series {
 public:
  GeneratedSet(int series, int from, int to) : series_(series), from_(from), to_(to) {}
  bool Next() override {
    if (++index_ >= series_) return false;
    const int per_metric = series_ / kMetrics;
    metric_ = index_ / per_metric;
    instance_ = index_ % per_metric;
    labels_ = Labels{{"__name__", "metric_" + Pad(metric_, 3)},
                     {"instance", "host-" + Pad(instance_, 6) + ":9100"},
                     {"job", "job-" + Pad(instance_ % 20, 2)},
                     {"zone", "zone-" + std::to_string(instance_ % 3)}};
    return true;
  }
  const Series& At() const override { return *this; }
  absl::Status Err() const override { return absl::OkStatus(); }
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<GeneratedIterator>(metric_, instance_, from_, to_);
  }

 private:
  int series_, from_, to_;
  int index_ = -1, metric_ = 0, instance_ = 0;
  Labels labels_;
};

class GeneratedQuerier : public Querier {
 public:
  GeneratedQuerier(int series, int from, int to) : series_(series), from_(from), to_(to) {}
  std::unique_ptr<SeriesSet> Select(const SelectHints&, std::span<const Matcher>) override {
    return std::make_unique<GeneratedSet>(series_, from_, to_);
  }
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher>) override {
    return std::vector<std::string>{"__name__", "instance", "job", "zone"};
  }
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher>) override {
    std::vector<std::string> out;
    const int per_metric = series_ / kMetrics;
    if (name == "__name__") {
      for (int m = 0; m < kMetrics; ++m) out.push_back("metric_" + Pad(m, 3));
    } else if (name == "instance") {
      for (int i = 0; i < per_metric; ++i) out.push_back("host-" + Pad(i, 6) + ":9100");
    } else if (name == "job") {
      for (int i = 0; i < std::min(per_metric, 20); ++i) out.push_back("job-" + Pad(i, 2));
    } else if (name == "zone") {
      for (int i = 0; i < std::min(per_metric, 3); ++i) out.push_back("zone-" + std::to_string(i));
    }
    return out;
  }

 private:
  int series_, from_, to_;
};

std::string BenchDir(const std::string& name) {
  const char* base = std::getenv("TMPDIR");
  std::string dir =
      std::string(base ? base : "/tmp") + "/sundial-bench-" + name + "-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void Report(benchmark::State& state, double rss_before, int64_t samples, int64_t bytes) {
  state.counters["rss_before_MiB"] = rss_before;
  // What is resident at the end: anonymous (heap) and file-backed (mapped blocks) pages.
  state.counters["anon_end_MiB"] = ProcStatusMiB("RssAnon:");
  state.counters["file_end_MiB"] = ProcStatusMiB("RssFile:");
  state.counters["peak_delta_MiB"] = ProcStatusMiB("VmHWM:") - rss_before;
  state.counters["bytes_per_sample"] =
      samples > 0 ? static_cast<double>(bytes) / static_cast<double>(samples) : 0;
  state.SetItemsProcessed(samples);
}

void BM_WriteBlock(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const std::string dir = BenchDir("write");
  FileSystem* fs = FileSystem::Default();
  int64_t samples = 0, bytes = 0;
  double rss_before = 0;
  for (auto _ : state) {
    ResetPeak();
    rss_before = ProcStatusMiB("VmRSS:");
    GeneratedQuerier q(series, 0, kSamples);
    absl::StatusOr<block::BlockMeta> meta = block::WriteBlock(fs, dir, q, 0, kSamples * kStepMs);
    if (!meta.ok()) {
      state.SkipWithError(std::string(meta.status().message()).c_str());
      break;
    }
    samples += static_cast<int64_t>(meta->stats.num_samples);
    state.PauseTiming();
    auto b = block::Block::Open(fs, JoinPath(dir, meta->ulid));
    if (b.ok()) bytes += (*b)->Size();
    state.ResumeTiming();
  }
  Report(state, rss_before, samples, bytes);
  std::filesystem::remove_all(dir);
}

// Three adjacent 40 minute blocks of `series` series under dir; their metas.
std::vector<std::shared_ptr<block::Block>> SourceBlocks(FileSystem* fs, const std::string& dir,
                                                        int series) {
  std::vector<std::shared_ptr<block::Block>> out;
  for (int b = 0; b < 3; ++b) {
    const int from = b * kSamples / 3, to = (b + 1) * kSamples / 3;
    GeneratedQuerier q(series, from, to);
    absl::StatusOr<block::BlockMeta> meta =
        block::WriteBlock(fs, dir, q, from * kStepMs, to * kStepMs);
    if (!meta.ok()) return {};
    absl::StatusOr<std::shared_ptr<block::Block>> opened =
        block::Block::Open(fs, JoinPath(dir, meta->ulid));
    if (!opened.ok()) return {};
    out.push_back(*opened);
  }
  return out;
}

void BM_Compact(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const std::string dir = BenchDir("compact");
  FileSystem* fs = FileSystem::Default();
  std::vector<std::shared_ptr<block::Block>> blocks = SourceBlocks(fs, dir, series);
  if (blocks.size() != 3) {
    state.SkipWithError("source blocks");
    return;
  }
  // The sources are mapped: their pages count in VmRSS/VmHWM as they are read.
  double inputs = 0;
  for (const auto& b : blocks) inputs += static_cast<double>(b->Size());
  state.counters["inputs_MiB"] = inputs / (1024.0 * 1024.0);
  const std::string out_dir = dir + "/out";
  int64_t samples = 0, bytes = 0;
  double rss_before = 0;
  for (auto _ : state) {
    ResetPeak();
    rss_before = ProcStatusMiB("VmRSS:");
    std::vector<std::unique_ptr<Querier>> qs;
    for (const auto& b : blocks) qs.push_back(*b->NewQuerier(0, kSamples * kStepMs - 1));
    std::unique_ptr<Querier> merged = NewMergeQuerier(std::move(qs));
    absl::StatusOr<block::BlockMeta> meta =
        block::WriteBlock(fs, out_dir, *merged, 0, kSamples * kStepMs);
    if (!meta.ok()) {
      state.SkipWithError(std::string(meta.status().message()).c_str());
      break;
    }
    samples += static_cast<int64_t>(meta->stats.num_samples);
    state.PauseTiming();
    auto b = block::Block::Open(fs, JoinPath(out_dir, meta->ulid));
    if (b.ok()) bytes += (*b)->Size();
    std::filesystem::remove_all(out_dir);
    state.ResumeTiming();
  }
  Report(state, rss_before, samples, bytes);
  std::filesystem::remove_all(dir);
}

// One 2h block of `series` series, written on first use and kept for the process.
std::shared_ptr<block::Block> SharedBlock(int series) {
  static std::map<int, std::shared_ptr<block::Block>>* blocks =
      new std::map<int, std::shared_ptr<block::Block>>();
  std::shared_ptr<block::Block>& b = (*blocks)[series];
  if (b != nullptr) return b;
  FileSystem* fs = FileSystem::Default();
  const std::string dir = BenchDir("select-" + std::to_string(series));
  GeneratedQuerier gen(series, 0, kSamples);
  absl::StatusOr<block::BlockMeta> meta = block::WriteBlock(fs, dir, gen, 0, kSamples * kStepMs);
  if (!meta.ok()) return nullptr;
  absl::StatusOr<std::shared_ptr<block::Block>> opened =
      block::Block::Open(fs, JoinPath(dir, meta->ulid));
  // The block maps its files at Open, so the directory can go now.
  std::filesystem::remove_all(dir);
  if (!opened.ok()) return nullptr;
  b = *opened;
  return b;
}

void SelectBench(benchmark::State& state, bool one_metric) {
  const int series = static_cast<int>(state.range(0));
  std::shared_ptr<block::Block> b = SharedBlock(series);
  if (b == nullptr) {
    state.SkipWithError("block");
    return;
  }
  absl::StatusOr<Matcher> m = one_metric
                                  ? Matcher::Create(MatchType::kEqual, "__name__", "metric_042")
                                  : Matcher::Create(MatchType::kRegexp, "__name__", ".+");
  int64_t samples = 0;
  double sum = 0, rss_before = 0;
  for (auto _ : state) {
    ResetPeak();
    rss_before = ProcStatusMiB("VmRSS:");
    std::unique_ptr<Querier> q = *b->NewQuerier(0, kSamples * kStepMs);
    std::unique_ptr<SeriesSet> set = q->Select(SelectHints{}, std::span<const Matcher>(&*m, 1));
    while (set->Next()) {
      std::unique_ptr<SampleIterator> it = set->At().Iterator();
      while (it->Next() == ValueType::kFloat) {
        sum += it->At().second;
        ++samples;
      }
    }
    if (!set->Err().ok()) state.SkipWithError("select");
  }
  benchmark::DoNotOptimize(sum);
  Report(state, rss_before, samples, 0);
}

void BM_SelectAll(benchmark::State& state) { SelectBench(state, false); }
void BM_SelectOne(benchmark::State& state) { SelectBench(state, true); }

BENCHMARK(BM_WriteBlock)
    ->ArgName("series")
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK(BM_Compact)
    ->ArgName("series")
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK(BM_SelectAll)->ArgName("series")->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_SelectOne)
    ->ArgName("series")
    ->Arg(1'000'000)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sundial::tsdb

BENCHMARK_MAIN();
