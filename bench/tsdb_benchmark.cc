// TSDB micro benchmarks: XOR chunk encode/decode, head appends, postings lookups.
//
//   build/bench/tsdb_benchmark --benchmark_min_time=0.2
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "tsdb/head.h"
#include "tsdb/postings.h"
#include "tsdb/xor_chunk.h"

namespace sundial::tsdb {
namespace {

constexpr int kSamplesPerChunk = 120;

// Scrape-like data: 15s interval with a few ms of jitter; kind 0 is a counter with varying
// increments, kind 1 a gauge jittering around a level with two decimals.
std::vector<std::pair<Timestamp, double>> RealisticSamples(int kind, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<Timestamp, double>> out;
  Timestamp t = 1700000000000;
  double v = kind == 0 ? 1000 : 50;
  for (int i = 0; i < n; ++i) {
    t += 15000 + static_cast<int64_t>(rng() % 5) - 2;
    if (kind == 0) {
      v += static_cast<double>(rng() % 20 == 0 ? rng() % 5000 : rng() % 100);
    } else {
      v = std::round((50 + std::normal_distribution<double>(0, 5)(rng)) * 100) / 100;
    }
    out.push_back({t, v});
  }
  return out;
}

void BM_XorAppend(benchmark::State& state) {
  const auto samples = RealisticSamples(static_cast<int>(state.range(0)), kSamplesPerChunk, 1);
  size_t bytes = 0;
  for (auto _ : state) {
    XorChunk c;
    for (auto [t, v] : samples) c.Append(t, v);
    bytes = c.bytes().size();
    benchmark::DoNotOptimize(c.bytes().data());
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerChunk);
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / kSamplesPerChunk;
}
BENCHMARK(BM_XorAppend)->Arg(0)->Arg(1)->ArgName("gauge");

void BM_XorIterate(benchmark::State& state) {
  XorChunk c;
  for (auto [t, v] : RealisticSamples(static_cast<int>(state.range(0)), kSamplesPerChunk, 1)) {
    c.Append(t, v);
  }
  for (auto _ : state) {
    XorIterator it(c.bytes());
    double sum = 0;
    while (it.Next() == ValueType::kFloat) sum += it.At().second;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerChunk);
  state.counters["bytes_per_sample"] = static_cast<double>(c.bytes().size()) / kSamplesPerChunk;
}
BENCHMARK(BM_XorIterate)->Arg(0)->Arg(1)->ArgName("gauge");

Labels SeriesLabels(int i) {
  return Labels{{"__name__", "metric_" + std::to_string(i % 1000)},
                {"instance", "host-" + std::to_string(i / 1000)},
                {"job", "job-" + std::to_string(i % 10)}};
}

// A head with n series, each holding one sample, built once per size.
struct HeadFixture {
  explicit HeadFixture(int n) {
    for (int i = 0; i < n; ++i) labels.push_back(SeriesLabels(i));
    std::unique_ptr<Appender> app = head.NewAppender();
    for (const Labels& l : labels) refs.push_back(*app->Append(0, l, 0, 0));
    (void)app->Commit();
  }
  Head head;
  std::vector<Labels> labels;
  std::vector<SeriesRef> refs;
  Timestamp next_t = 15000;
};

HeadFixture& Fixture(int n) {
  static std::map<int, std::unique_ptr<HeadFixture>> fixtures;
  auto& f = fixtures[n];
  if (f == nullptr) f = std::make_unique<HeadFixture>(n);
  return *f;
}

// Batches of 1000 samples to consecutive series, as one scrape of a big target.
void BM_HeadAppend(benchmark::State& state) {
  HeadFixture& f = Fixture(static_cast<int>(state.range(0)));
  const bool use_refs = state.range(1) != 0;
  const size_t n = f.refs.size();
  constexpr size_t kBatch = 1000;
  size_t next = 0;
  for (auto _ : state) {
    std::unique_ptr<Appender> app = f.head.NewAppender();
    for (size_t i = 0; i < kBatch; ++i) {
      const SeriesRef ref = use_refs ? f.refs[next] : 0;
      benchmark::DoNotOptimize(app->Append(ref, f.labels[next], f.next_t, 1.0 * f.next_t));
      if (++next == n) {
        next = 0;
        f.next_t += 15000;
      }
    }
    (void)app->Commit();
  }
  // Leave every series at the same timestamp for the next run.
  if (next != 0) f.next_t += 15000;
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_HeadAppend)
    ->ArgsProduct({{100000, 1000000}, {1, 0}})
    ->ArgNames({"series", "ref_hint"})
    ->Unit(benchmark::kMicrosecond);

MemPostings& PostingsFixture(int n) {
  static std::map<int, std::unique_ptr<MemPostings>> fixtures;
  auto& p = fixtures[n];
  if (p == nullptr) {
    p = std::make_unique<MemPostings>();
    for (int i = 0; i < n; ++i) p->Add(static_cast<SeriesRef>(i + 1), SeriesLabels(i));
  }
  return *p;
}

void BM_PostingsSelect(benchmark::State& state) {
  MemPostings& index = PostingsFixture(static_cast<int>(state.range(0)));
  std::vector<Matcher> matchers;
  switch (state.range(1)) {
    case 0:  // job="job-3": 10% of series
      matchers.push_back(*Matcher::Create(MatchType::kEqual, "job", "job-3"));
      break;
    case 1:  // 5 instances
      matchers.push_back(
          *Matcher::Create(MatchType::kRegexp, "instance", "host-1|host-2|host-3|host-4|host-5"));
      break;
    case 2:  // metric_1, metric_1x, metric_1xx: 111 names
      matchers.push_back(*Matcher::Create(MatchType::kRegexp, "__name__", "metric_1.*"));
      break;
    case 3:  // 90% of series
      matchers.push_back(*Matcher::Create(MatchType::kNotEqual, "job", "job-3"));
      break;
    default:  // a typical query: name plus a negative matcher
      matchers.push_back(*Matcher::Create(MatchType::kEqual, "__name__", "metric_7"));
      matchers.push_back(*Matcher::Create(MatchType::kNotEqual, "job", "job-3"));
  }
  size_t found = 0;
  for (auto _ : state) {
    Postings p = PostingsForMatchers(index, matchers);
    found = p.size();
    benchmark::DoNotOptimize(p.data());
  }
  state.counters["series"] = static_cast<double>(found);
}
BENCHMARK(BM_PostingsSelect)
    ->ArgsProduct({{1000000}, {0, 1, 2, 3, 4}})
    ->ArgNames({"index_series", "matcher"})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sundial::tsdb

// Debian's Abseil is built without NDEBUG, so absl::Mutex runs deadlock detection (a global
// lock graph) on every lock unless told otherwise; the server binary turns it off the same way.
int main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
