// Persistent blocks: write throughput (head -> block), Select + iterate throughput over a block,
// a query's reads over merged blocks (sample by sample and in batches), and bytes per sample on
// disk, for synthetic exporter-like data over 2 h (15 s scrape interval: 480 samples per series):
// counters with varying increments, gauges that wander with two decimals, and histogram bucket
// counters.
//
//   build/bench/tsdb_block_benchmark
//   build/bench/tsdb_block_benchmark --benchmark_filter=Prometheus   # same data through promtool
//
// Counters: samples_per_second, bytes_per_sample (index + chunks + meta + tombstones / samples).
// Files go to an in-memory FileSystem, so disk speed does not enter the write/read figures.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/str_cat.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/compact/merge_querier.h"
#include "tsdb/head.h"

namespace sundial::tsdb::block {
namespace {

constexpr int kSamples = 480;
constexpr Timestamp kT0 = 1'699'999'200'000;  // a multiple of 2 h, as block ranges are
constexpr int64_t kRange = 2 * 3600 * 1000;

struct Synthetic {
  std::vector<Labels> labels;
  std::vector<std::vector<std::pair<Timestamp, double>>> samples;
};

// A deterministic pseudo-random generator (so every run and every tool sees the same data).
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

Synthetic MakeData(int series) {
  Synthetic d;
  for (int i = 0; i < series; ++i) {
    int kind = i % 3;  // 0 counter, 1 gauge, 2 histogram bucket
    std::string name = kind == 0 ? "http_requests_total"
                                 : (kind == 1 ? "node_memory_free_bytes" : "latency_bucket");
    LabelsBuilder b;
    b.Set("__name__", name).Set("instance", StrCat("host-", i / 30, ":9100")).Set("job", "node");
    if (kind == 2) b.Set("le", StrCat((i / 3) % 10 * 0.05));
    b.Set("series", StrCat(i));
    d.labels.push_back(b.Build());
    std::vector<std::pair<Timestamp, double>> s;
    double v = kind == 1 ? 1e9 + (Mix(i) % 1000000) * 1024.0 : 0;
    for (int k = 0; k < kSamples; ++k) {
      uint64_t r = Mix(uint64_t(i) * 7919 + k);
      if (kind == 0) v += double(r % 50);
      if (kind == 1) v = std::round((v + (double(r % 2001) - 1000.0) * 4096.0 / 100.0) * 100) / 100;
      if (kind == 2) v += double(r % 5);
      // Scrape jitter of a few ms, as real targets have.
      s.push_back({kT0 + int64_t{k} * 15'000 + int64_t(r % 3), v});
    }
    d.samples.push_back(std::move(s));
  }
  return d;
}

std::unique_ptr<Head> FillHead(const Synthetic& d) {
  auto head = std::make_unique<Head>();
  std::vector<SeriesRef> refs(d.labels.size(), 0);
  for (int k = 0; k < kSamples; ++k) {
    std::unique_ptr<Appender> app = head->NewAppender();
    for (size_t i = 0; i < d.labels.size(); ++i) {
      refs[i] = *app->Append(refs[i], d.labels[i], d.samples[i][k].first, d.samples[i][k].second);
    }
    if (!app->Commit().ok()) std::abort();
  }
  return head;
}

uint64_t DirBytes(MemFileSystem& fs, const std::string& dir) {
  uint64_t n = 0;
  std::vector<std::string> entries = *fs.List(dir);
  for (const std::string& e : entries) {
    std::string p = JoinPath(dir, e);
    if (*fs.IsDirectory(p)) {
      n += DirBytes(fs, p);
    } else {
      n += *fs.FileSize(p);
    }
  }
  return n;
}

void BM_WriteBlock(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  Synthetic d = MakeData(series);
  std::unique_ptr<Head> head = FillHead(d);
  uint64_t bytes = 0;
  for (auto _ : state) {
    MemFileSystem fs;
    auto q = head->NewQuerier(kT0, kT0 + kRange - 1);
    absl::StatusOr<BlockMeta> meta = WriteBlock(&fs, "/data", **q, kT0, kT0 + kRange);
    if (!meta.ok()) std::abort();
    state.PauseTiming();
    bytes = DirBytes(fs, JoinPath("/data", meta->ulid));
    state.ResumeTiming();
  }
  const double samples = double(series) * kSamples;
  state.counters["samples_per_second"] =
      benchmark::Counter(samples * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["bytes_per_sample"] = double(bytes) / samples;
}
BENCHMARK(BM_WriteBlock)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_SelectIterate(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  MemFileSystem fs;
  std::string dir;
  {
    Synthetic d = MakeData(series);
    std::unique_ptr<Head> head = FillHead(d);
    auto q = head->NewQuerier(kT0, kT0 + kRange - 1);
    absl::StatusOr<BlockMeta> meta = WriteBlock(&fs, "/data", **q, kT0, kT0 + kRange);
    if (!meta.ok()) std::abort();
    dir = JoinPath("/data", meta->ulid);
  }
  absl::StatusOr<std::shared_ptr<Block>> b = Block::Open(&fs, dir);
  if (!b.ok()) std::abort();
  Matcher m = *Matcher::Create(MatchType::kRegexp, "__name__", ".+");
  uint64_t n = 0;
  for (auto _ : state) {
    auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
    std::unique_ptr<SeriesSet> set = (*q)->Select({}, {&m, 1});
    double sum = 0;
    n = 0;
    while (set->Next()) {
      std::unique_ptr<SampleIterator> it = set->At().Iterator();
      while (it->Next() == ValueType::kFloat) {
        sum += it->At().second;
        ++n;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  if (n != uint64_t(series) * kSamples) std::abort();
  state.counters["samples_per_second"] =
      benchmark::Counter(double(n) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SelectIterate)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// A query over 12 h: six consecutive 2 h blocks of the same series, merged as the DB merges
// them, every sample read one Next()/At() at a time (arg 1 = 0) or in NextFloats batches of
// 256 as the PromQL selectors read (arg 1 = 1).
void BM_MergedBlocksRead(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const bool batches = state.range(1) != 0;
  constexpr int kBlocks = 6;
  MemFileSystem fs;
  std::vector<std::shared_ptr<Block>> blocks;
  {
    Synthetic d = MakeData(series);
    for (int b = 0; b < kBlocks; ++b) {
      Head head;
      std::vector<SeriesRef> refs(d.labels.size(), 0);
      for (int k = 0; k < kSamples; ++k) {
        std::unique_ptr<Appender> app = head.NewAppender();
        for (size_t i = 0; i < d.labels.size(); ++i) {
          refs[i] = *app->Append(refs[i], d.labels[i], d.samples[i][k].first + b * kRange,
                                 d.samples[i][k].second);
        }
        if (!app->Commit().ok()) std::abort();
      }
      const Timestamp mint = kT0 + b * kRange;
      auto q = head.NewQuerier(mint, mint + kRange - 1);
      absl::StatusOr<BlockMeta> meta = WriteBlock(&fs, "/data", **q, mint, mint + kRange);
      if (!meta.ok()) std::abort();
      blocks.push_back(*Block::Open(&fs, JoinPath("/data", meta->ulid)));
    }
  }
  Matcher m = *Matcher::Create(MatchType::kRegexp, "__name__", ".+");
  uint64_t n = 0;
  Timestamp tb[256];
  double vb[256];
  for (auto _ : state) {
    std::vector<std::unique_ptr<Querier>> parts;
    for (const auto& b : blocks) parts.push_back(*b->NewQuerier(INT64_MIN, INT64_MAX));
    std::unique_ptr<Querier> q = NewMergeQuerier(std::move(parts));
    std::unique_ptr<SeriesSet> set = q->Select({}, {&m, 1});
    double sum = 0;
    n = 0;
    while (set->Next()) {
      std::unique_ptr<SampleIterator> it = set->At().Iterator();
      if (batches) {
        for (size_t got; (got = it->NextFloats(tb, vb, 256)) > 0;) {
          for (size_t i = 0; i < got; ++i) sum += vb[i];
          n += got;
        }
      } else {
        while (it->Next() == ValueType::kFloat) {
          sum += it->At().second;
          ++n;
        }
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  if (n != uint64_t(series) * kSamples * kBlocks) std::abort();
  state.counters["samples_per_second"] =
      benchmark::Counter(double(n) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MergedBlocksRead)->Args({10000, 0})->Args({10000, 1})->Unit(benchmark::kMillisecond);

// The same data as OpenMetrics through `promtool tsdb create-blocks-from openmetrics` (Prometheus
// 2.42's block writer): bytes per sample of the blocks it writes, for comparison.
void BM_PrometheusBytesPerSample(benchmark::State& state) {
  if (access("/usr/bin/promtool", X_OK) != 0) {
    state.SkipWithError("promtool not installed");
    return;
  }
  const int series = static_cast<int>(state.range(0));
  Synthetic d = MakeData(series);
  std::string dir =
      StrCat(std::filesystem::temp_directory_path().string(), "/sundial_block_bench_", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream om(dir + "/in.om");
    for (std::string_view name :
         {"http_requests_total", "node_memory_free_bytes", "latency_bucket"}) {
      for (size_t i = 0; i < d.labels.size(); ++i) {
        if (d.labels[i].MetricName() != name) continue;
        std::string ls;
        for (const Label& l : d.labels[i]) {
          if (l.name == "__name__") continue;
          StrAppend(&ls, ls.empty() ? "" : ",", l.name, "=\"", l.value, "\"");
        }
        for (const auto& [t, v] : d.samples[i]) {
          char buf[64];
          std::snprintf(buf, sizeof(buf), " %.17g %.3f\n", v, t / 1000.0);
          om << name << "{" << ls << "}" << buf;
        }
      }
    }
    om << "# EOF\n";
  }
  uint64_t bytes = 0;
  for (auto _ : state) {
    std::filesystem::remove_all(dir + "/out");
    std::string cmd = StrCat("/usr/bin/promtool tsdb create-blocks-from openmetrics ", dir,
                             "/in.om ", dir, "/out > /dev/null 2>&1");
    if (std::system(cmd.c_str()) != 0) std::abort();
    bytes = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/out")) {
      if (e.is_regular_file()) bytes += e.file_size();
    }
  }
  std::filesystem::remove_all(dir);
  state.counters["bytes_per_sample"] = double(bytes) / (double(series) * kSamples);
}
BENCHMARK(BM_PrometheusBytesPerSample)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sundial::tsdb::block

BENCHMARK_MAIN();
