// Merge querier micro benchmarks: Select + iterate over several in-memory sources, so the figure
// is the merge's own cost (heap of series sets, heap of iterators, deduplication).
//
//   build/bench/tsdb_compact_benchmark --benchmark_min_time=0.2
//
// BM_CompactBlocks/series:N: a level compaction of three adjacent blocks of N series x 120
// samples each (15s scrapes, counters) into one, in memory: block queriers -> merge -> block
// writer. items_per_second is samples compacted per second; bytes_per_sample is the output.
//
// BM_MergeSelect/sources:N/overlap:O: N sources of 1000 series x 1000 samples. overlap 0: every
// source has its own series (a merge of sets only); 1: every series is in every source with
// interleaved timestamps (every sample goes through the iterator heap); 2: every source holds
// the same samples (each yielded sample drops N-1 duplicates).
#include <memory>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "benchmark/benchmark.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/compact/merge_querier.h"
#include "tsdb/compact/test_storage.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

using testing_storage::SeriesData;
using testing_storage::VectorQuerier;

constexpr int kSeries = 1000;
constexpr int kSamples = 1000;

std::vector<SeriesData> MakeSources(int sources, int overlap) {
  std::vector<SeriesData> out(sources);
  for (int s = 0; s < sources; ++s) {
    for (int i = 0; i < kSeries; ++i) {
      std::string instance = std::to_string(overlap == 0 ? i * sources + s : i);
      std::vector<testing_storage::Sample>& samples =
          out[s][Labels{{"__name__", "http_requests_total"}, {"instance", instance}}];
      samples.reserve(kSamples);
      for (int k = 0; k < kSamples; ++k) {
        const Timestamp t = overlap == 1 ? (int64_t{k} * sources + s) * 15000 : k * 15000;
        samples.emplace_back(t, k);
      }
    }
  }
  return out;
}

void BM_MergeSelect(benchmark::State& state) {
  const int sources = static_cast<int>(state.range(0));
  const std::vector<SeriesData> data = MakeSources(sources, static_cast<int>(state.range(1)));
  int64_t samples = 0;
  double sum = 0;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Querier>> qs;
    for (const SeriesData& d : data) qs.push_back(std::make_unique<VectorQuerier>(&d));
    std::unique_ptr<Querier> q = NewMergeQuerier(std::move(qs));
    std::unique_ptr<SeriesSet> set = q->Select(SelectHints{}, {});
    while (set->Next()) {
      std::unique_ptr<SampleIterator> it = set->At().Iterator();
      while (it->Next() == ValueType::kFloat) {
        sum += it->At().second;
        ++samples;
      }
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(samples);
}
BENCHMARK(BM_MergeSelect)
    ->ArgNames({"sources", "overlap"})
    ->ArgsProduct({{1, 2, 4, 8}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond);

void BM_CompactBlocks(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  constexpr int kPerBlock = 120;
  constexpr int64_t kStep = 15000;
  constexpr int64_t kRange = kPerBlock * kStep;
  MemFileSystem fs;
  if (!fs.CreateDirs("/data").ok()) state.SkipWithError("mkdir");
  std::vector<std::shared_ptr<block::Block>> blocks;
  for (int b = 0; b < 3; ++b) {
    Head head;
    for (int k = 0; k < kPerBlock; ++k) {
      std::unique_ptr<Appender> app = head.NewAppender();
      const Timestamp t = b * kRange + k * kStep;
      for (int i = 0; i < series; ++i) {
        Labels l{{"__name__", "http_requests_total"},
                 {"instance", std::to_string(i % 100)},
                 {"path", std::to_string(i / 100)}};
        (void)app->Append(0, l, t, static_cast<double>((b * kPerBlock + k) * (i % 7 + 1)));
      }
      (void)app->Commit();
    }
    auto q = head.NewQuerier(b * kRange, (b + 1) * kRange - 1);
    auto meta = block::WriteBlock(&fs, "/data", **q, b * kRange, (b + 1) * kRange);
    if (!meta.ok()) state.SkipWithError("write");
    blocks.push_back(*block::Block::Open(&fs, JoinPath("/data", meta->ulid)));
  }
  int64_t samples = 0;
  double bytes_per_sample = 0;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Querier>> qs;
    for (const auto& b : blocks) qs.push_back(*b->NewQuerier(0, 3 * kRange - 1));
    std::unique_ptr<Querier> merged = NewMergeQuerier(std::move(qs));
    auto meta = block::WriteBlock(&fs, "/out", *merged, 0, 3 * kRange);
    if (!meta.ok()) {
      state.SkipWithError("compact");
      break;
    }
    samples += static_cast<int64_t>(meta->stats.num_samples);
    state.PauseTiming();
    auto out = block::Block::Open(&fs, JoinPath("/out", meta->ulid));
    if (out.ok()) {
      bytes_per_sample =
          static_cast<double>((*out)->Size()) / static_cast<double>(meta->stats.num_samples);
    }
    (void)fs.RemoveAll("/out");
    state.ResumeTiming();
  }
  state.SetItemsProcessed(samples);
  state.counters["bytes_per_sample"] = bytes_per_sample;
}
BENCHMARK(BM_CompactBlocks)
    ->ArgName("series")
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sundial::tsdb

BENCHMARK_MAIN();
