// Remote write receive throughput: snappy + protobuf decoding, validation and appending of
// 1,000-sample requests (1,000 series, one sample each, as Prometheus batches them) into a Head
// holding 100k series. items_per_second counts samples.
//
//   BM_DecodeAppend/1   remote write 1.0 into a Head
//   BM_DecodeAppend/2   remote write 2.0 into a Head
//   BM_DecodeAppend/3   remote write 1.0 into a Head with a SeriesCache (as the server runs it)
//   BM_DecodeOnly/1|2   the same requests into an Appendable that discards them (decode cost)
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "remotewrite/payloads.h"
#include "remotewrite/series_cache.h"
#include "remotewrite/write_handler.h"
#include "tsdb/head.h"

namespace sundial::remotewrite {
namespace {

constexpr int kSeries = 100'000;
constexpr int kSamplesPerRequest = 1'000;

// Series [first, first + kSamplesPerRequest) at time t.
std::string Request(bool v2, int first, int64_t t) {
  std::vector<testing::TestSeries> series;
  series.reserve(kSamplesPerRequest);
  for (int i = first; i < first + kSamplesPerRequest; ++i) {
    series.push_back({{{"__name__", "bench_metric_" + std::to_string(i % 100)},
                       {"env", "prod"},
                       {"instance", "host-" + std::to_string(i / 100) + ":9100"},
                       {"job", "node"},
                       {"region", "eu-west-1"}},
                      {{t, static_cast<double>(i) + t}}});
  }
  return testing::Snappy(v2 ? testing::EncodeV2(series) : testing::EncodeV1(series));
}

WriteRequestInfo Info(bool v2, const std::string& body) {
  return {.content_type = v2 ? testing::kV2ContentType : testing::kV1ContentType,
          .content_encoding = "snappy",
          .body = body};
}

// One round: a request per block of series, all at time t.
std::vector<std::string> Round(bool v2, int64_t t) {
  std::vector<std::string> requests;
  for (int first = 0; first < kSeries; first += kSamplesPerRequest) {
    requests.push_back(Request(v2, first, t));
  }
  return requests;
}

void BM_DecodeAppend(benchmark::State& state) {
  const bool v2 = state.range(0) == 2;
  tsdb::Head head;
  SeriesCache cache;
  WriteOptions options;
  if (state.range(0) == 3) options.series_cache = &cache;
  int64_t t = 0;
  for (const std::string& body : Round(v2, t)) HandleWrite(Info(v2, body), &head, options);
  std::vector<std::string> round;
  size_t next = 0;
  for (auto _ : state) {
    if (next == round.size()) {  // every series needs a newer timestamp for the next round
      state.PauseTiming();
      t += 15'000;
      round = Round(v2, t);
      next = 0;
      state.ResumeTiming();
    }
    WriteResponse r = HandleWrite(Info(v2, round[next++]), &head, options);
    if (r.status != 204) state.SkipWithError(r.body.c_str());
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerRequest);
  state.counters["head_series"] = static_cast<double>(head.NumSeries());
}
BENCHMARK(BM_DecodeAppend)->Arg(1)->Arg(2)->Arg(3)->Unit(benchmark::kMicrosecond);

class DiscardingAppendable : public tsdb::Appendable {
  class Appender : public tsdb::Appender {
    absl::Status Commit() override { return absl::OkStatus(); }
    void Rollback() override {}
    absl::StatusOr<tsdb::SeriesRef> AppendSample(tsdb::SeriesRef, const Labels&, tsdb::Timestamp,
                                                 double, const tsdb::AppendOptions&) override {
      return 1;
    }
  };

 public:
  std::unique_ptr<tsdb::Appender> NewAppender() override { return std::make_unique<Appender>(); }
};

void BM_DecodeOnly(benchmark::State& state) {
  const bool v2 = state.range(0) == 2;
  DiscardingAppendable sink;
  const std::string body = Request(v2, 0, 1000);
  for (auto _ : state) {
    WriteResponse r = HandleWrite(Info(v2, body), &sink);
    if (r.status != 204) state.SkipWithError(r.body.c_str());
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerRequest);
  state.counters["request_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_DecodeOnly)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sundial::remotewrite

int main(int argc, char** argv) {
  // As the server does (cli/server.cc): Debian's Abseil is a debug build whose Mutex deadlock
  // detection would otherwise dominate the Head's cost.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
