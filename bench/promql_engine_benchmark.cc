// PromQL engine throughput on a synthetic in-memory head: dashboard-style instant and range
// queries over 10k series (100 services x 10 instances x 10 status codes of a counter, plus a
// classic histogram of 10 buckets per service and instance), 15s scrape interval, 2h of data.
// Each benchmark reports time per query and processed samples/s (from QueryStats).
//
//   build/bench/promql_engine_benchmark --benchmark_filter=Range
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "promql/engine.h"
#include "tsdb/head.h"

namespace {

using sundial::Labels;
using sundial::promql::Engine;
using sundial::promql::Result;

constexpr int64_t kScrapeMs = 15000;
constexpr int64_t kSpanMs = 2 * 60 * 60 * 1000;
constexpr int kServices = 100, kInstances = 10, kCodes = 10;
constexpr const char* kBuckets[] = {"0.005", "0.01", "0.025", "0.05", "0.1",
                                    "0.25",  "0.5",  "1",     "2.5",  "+Inf"};

// Built once; about 10k counter series and 10k bucket series x 480 samples.
sundial::tsdb::Head* SharedHead() {
  static sundial::tsdb::Head* head = [] {
    auto* h = new sundial::tsdb::Head();
    std::vector<Labels> series;
    for (int s = 0; s < kServices; ++s) {
      const std::string svc = "svc" + std::to_string(s);
      for (int i = 0; i < kInstances; ++i) {
        const std::string inst = "10.0." + std::to_string(s) + "." + std::to_string(i) + ":9090";
        for (int c = 0; c < kCodes; ++c) {
          series.push_back(Labels{{"__name__", "http_requests_total"},
                                  {"service", svc},
                                  {"instance", inst},
                                  {"code", std::to_string(200 + c * 50)}});
        }
        for (const char* le : kBuckets) {
          series.push_back(Labels{{"__name__", "http_request_duration_seconds_bucket"},
                                  {"service", svc},
                                  {"instance", inst},
                                  {"le", le}});
        }
      }
    }
    std::vector<sundial::tsdb::SeriesRef> refs(series.size(), 0);
    for (int64_t t = 0; t <= kSpanMs; t += kScrapeMs) {
      auto app = h->NewAppender();
      for (size_t k = 0; k < series.size(); ++k) {
        // Counters growing at a per-series rate; buckets cumulative by construction.
        const double rate = 1.0 + static_cast<double>(k % 37);
        auto ref = app->Append(refs[k], series[k], t, rate * static_cast<double>(t) / 1000.0);
        if (!ref.ok()) std::abort();
        refs[k] = *ref;
      }
      if (!app->Commit().ok()) std::abort();
    }
    return h;
  }();
  return head;
}

const char* kQueries[] = {
    "sum by (service) (rate(http_requests_total[5m]))",
    "sum by (service) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (service) "
    "(rate(http_requests_total[5m]))",
    "histogram_quantile(0.99, sum by (service, le) "
    "(rate(http_request_duration_seconds_bucket[5m])))",
    "topk(10, sum by (instance) (rate(http_requests_total[5m])))",
    "sum(rate(http_requests_total{instance=~\"10.0.1.*\"}[5m]))",
    "quantile_over_time(0.9, http_requests_total{service=\"svc1\"}[30m])",
    "max_over_time(sum by (service) (rate(http_requests_total[5m]))[30m:1m])",
};

void Report(benchmark::State& state, int64_t samples) {
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}

void BM_Instant(benchmark::State& state) {
  sundial::tsdb::Head* head = SharedHead();
  Engine engine;
  const char* q = kQueries[state.range(0)];
  state.SetLabel(q);
  int64_t samples = 0;
  for (auto _ : state) {
    Result r = engine.InstantQuery(head, q, kSpanMs);
    if (!r.status.ok()) std::abort();
    samples += r.stats.samples_loaded;
    benchmark::DoNotOptimize(r.value);
  }
  Report(state, samples);
}
BENCHMARK(BM_Instant)->DenseRange(0, 6)->Unit(benchmark::kMillisecond);

// A 1h range query at a 15s step (240 steps), the last hour of the data.
void BM_Range1h(benchmark::State& state) {
  sundial::tsdb::Head* head = SharedHead();
  Engine engine;
  const char* q = kQueries[state.range(0)];
  state.SetLabel(q);
  int64_t samples = 0;
  for (auto _ : state) {
    Result r = engine.RangeQuery(head, q, kSpanMs - 3600 * 1000, kSpanMs, kScrapeMs);
    if (!r.status.ok()) std::abort();
    samples += r.stats.samples_loaded;
    benchmark::DoNotOptimize(r.value);
  }
  Report(state, samples);
}
BENCHMARK(BM_Range1h)->DenseRange(0, 6)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  // As the server: Debian's Abseil checks every lock order otherwise (debug deadlock detection).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
