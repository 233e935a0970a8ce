// Self-metrics hot paths: counter increments (one thread, and all threads on one counter),
// a histogram observation, a cached-miss label lookup, and a full /metrics exposition.
//
//   build/bench/metrics_benchmark --benchmark_filter=BM_CounterInc
#include <benchmark/benchmark.h>

#include <string>

#include "base/metrics_registry.h"

namespace sundial::metrics {
namespace {

void BM_CounterInc(benchmark::State& state) {
  static Counter* counter = new Counter;  // shared by all threads of the run
  for (auto _ : state) counter->Inc();
}
BENCHMARK(BM_CounterInc)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

void BM_CounterAddFraction(benchmark::State& state) {
  static Counter* counter = new Counter;
  for (auto _ : state) counter->Add(0.5);  // compare-and-swap path
}
BENCHMARK(BM_CounterAddFraction)->Threads(1)->Threads(8)->UseRealTime();

void BM_HistogramObserve(benchmark::State& state) {
  static Histogram* histogram = new Histogram(DefaultBuckets());
  double v = 0;
  for (auto _ : state) {
    histogram->Observe(v);
    v = v < 20 ? v + 0.013 : 0;
  }
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(8)->UseRealTime();

void BM_WithLabelValues(benchmark::State& state) {
  Registry r;
  CounterFamily& f = r.NewCounterFamily("bench_requests_total", "Requests.", {"handler", "code"});
  f.WithLabelValues({"/api/v1/query", "200"});
  for (auto _ : state) f.WithLabelValues({"/api/v1/query", "200"}).Inc();
}
BENCHMARK(BM_WithLabelValues);

// 1000 series: 10 families of 30 counters with two labels, and 10 histograms of 5 children
// with the 11 default buckets (14 lines each).
void BM_Expose(benchmark::State& state) {
  Registry r;
  int series = 0;
  for (int f = 0; f < 10; ++f) {
    CounterFamily& counters = r.NewCounterFamily("bench_counter_" + std::to_string(f) + "_total",
                                                 "A benchmark counter.", {"handler", "code"});
    for (int i = 0; i < 30; ++i, ++series) {
      counters.WithLabelValues({"/api/v1/handler_" + std::to_string(i), "200"}).Add(i * 1.5);
    }
    HistogramFamily& histograms = r.NewHistogramFamily(
        "bench_histogram_" + std::to_string(f) + "_seconds", "A benchmark histogram.", {"op"});
    for (int i = 0; i < 5; ++i) {
      Histogram& h = histograms.WithLabelValues({"op_" + std::to_string(i)});
      for (int k = 0; k < 20; ++k) h.Observe(k * 0.37);
      series += 14;
    }
  }
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = r.Expose();
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["series"] = series;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_Expose);

}  // namespace
}  // namespace sundial::metrics

BENCHMARK_MAIN();
