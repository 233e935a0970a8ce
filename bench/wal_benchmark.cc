// WAL throughput on the real file system (a fresh directory under $TMPDIR or /tmp):
//   BM_WalLogSamples/<compress>: Log() of one 1000-sample record per iteration (no fsync).
//   BM_WalReplay/<compress>:     reading and decoding a 2000-record WAL written beforehand.
//   BM_EncodeSamples, BM_Crc32c/<hardware>: the CPU parts on their own.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "base/crc32c.h"
#include "base/file_system.h"
#include "base/str_cat.h"
#include "tsdb/wal/records.h"
#include "tsdb/wal/replay.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb::wal {
namespace {

std::string TempDir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl = StrCat(base != nullptr ? base : "/tmp", "/sundial_wal_bench_XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) abort();
  return tmpl;
}

// One scrape's worth: 1000 series, one timestamp, counter-like values.
std::vector<RefSample> Scrape(int round) {
  std::vector<RefSample> samples;
  for (int i = 0; i < 1000; ++i) {
    samples.push_back({static_cast<HeadSeriesRef>(i + 1), 1700000000000 + 15000 * int64_t{round},
                       static_cast<double>(round * (i % 17) + i)});
  }
  return samples;
}

void BM_EncodeSamples(benchmark::State& state) {
  std::vector<RefSample> samples = Scrape(1);
  std::string rec;
  for (auto _ : state) {
    rec.clear();
    EncodeSamples(samples, &rec);
    benchmark::DoNotOptimize(rec.data());
  }
  state.SetItemsProcessed(state.iterations() * samples.size());
}
BENCHMARK(BM_EncodeSamples);

void BM_WalLogSamples(benchmark::State& state) {
  const bool compress = state.range(0) != 0;
  const std::string dir = TempDir();
  FileSystem* fs = FileSystem::Default();
  auto w = *Writer::Open(fs, dir, {.compress = compress});
  std::vector<std::string> records;
  for (int r = 0; r < 64; ++r) {
    records.emplace_back();
    EncodeSamples(Scrape(r), &records.back());
  }
  size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const std::string& rec = records[i++ % records.size()];
    if (!w->Log(rec).ok()) state.SkipWithError("Log failed");
    bytes += rec.size();
  }
  const int64_t on_disk =
      int64_t{w->position().segment} * kDefaultSegmentSize + w->position().offset;
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());  // records
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * 1000,
                                                   benchmark::Counter::kIsRate);
  state.counters["disk_ratio"] = static_cast<double>(on_disk) / static_cast<double>(bytes);
  w.reset();
  fs->RemoveAll(dir).IgnoreError();
}
BENCHMARK(BM_WalLogSamples)->Arg(0)->Arg(1)->ArgName("compress");

void BM_WalReplay(benchmark::State& state) {
  const bool compress = state.range(0) != 0;
  const std::string dir = TempDir();
  FileSystem* fs = FileSystem::Default();
  size_t bytes = 0;
  {
    auto w = *Writer::Open(fs, dir, {.compress = compress});
    std::string series;
    std::vector<RefSeries> refs;
    for (int i = 0; i < 1000; ++i) {
      refs.push_back(
          {static_cast<HeadSeriesRef>(i + 1), Labels{{"__name__", "http_requests_total"},
                                                     {"instance", StrCat("host-", i % 50, ":9100")},
                                                     {"job", "node"},
                                                     {"code", StrCat(200 + i % 5)}}});
    }
    EncodeSeries(refs, &series);
    if (!w->Log(series).ok()) abort();
    for (int r = 0; r < 2000; ++r) {
      std::string rec;
      EncodeSamples(Scrape(r), &rec);
      bytes += rec.size();
      if (!w->Log(rec).ok()) abort();
    }
    if (!w->Close().ok()) abort();
  }
  size_t samples = 0;
  for (auto _ : state) {
    auto r = *Replayer::Open(fs, dir);
    while (r->Next()) {
      if (r->type() == RecordType::kSamples) samples += r->samples().size();
    }
    if (!r->status().ok()) state.SkipWithError("replay failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes * state.iterations()));
  state.SetItemsProcessed(static_cast<int64_t>(samples));
  fs->RemoveAll(dir).IgnoreError();
}
BENCHMARK(BM_WalReplay)->Arg(0)->Arg(1)->ArgName("compress")->Unit(benchmark::kMillisecond);

void BM_Crc32c(benchmark::State& state) {
  const bool hardware = state.range(0) != 0;
  if (hardware && !crc32c_internal::HasHardwareCrc32c()) {
    state.SkipWithError("no SSE4.2");
    return;
  }
  std::string data(32 * 1024, 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(hardware
                                 ? crc32c_internal::ExtendHardware(0, data.data(), data.size())
                                 : crc32c_internal::ExtendPortable(0, data.data(), data.size()));
  }
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_Crc32c)->Arg(0)->Arg(1)->ArgName("hardware");

}  // namespace
}  // namespace sundial::tsdb::wal

BENCHMARK_MAIN();
