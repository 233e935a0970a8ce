// Merge querier micro benchmarks: Select + iterate over several in-memory sources, so the figure
// is the merge's own cost (heap of series sets, heap of iterators, deduplication).
//
//   build/bench/tsdb_compact_benchmark --benchmark_min_time=0.2
//
// BM_MergeSelect/sources:N/overlap:O: N sources of 1000 series x 1000 samples. overlap 0: every
// source has its own series (a merge of sets only); 1: every series is in every source with
// interleaved timestamps (every sample goes through the iterator heap); 2: every source holds
// the same samples (each yielded sample drops N-1 duplicates).
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tsdb/compact/merge_querier.h"
#include "tsdb/compact/test_storage.h"

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

}  // namespace
}  // namespace sundial::tsdb

BENCHMARK_MAIN();
