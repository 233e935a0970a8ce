// Exposition parser throughput: samples per second on realistic exporter bodies.
//   BM_ParseText/BM_ParseOpenMetrics: Next() + Series() + Value() per sample (cache hits).
//   ..._WithLabels: also decodes every label set (all cache misses).
// Bodies: a node-exporter-like body (~1.2k series) and 10k series dominated by histograms.
#include <benchmark/benchmark.h>

#include <string>

#include "base/str_cat.h"
#include "scrape/openmetrics_parser.h"
#include "scrape/text_parser.h"

namespace sundial::scrape {
namespace {

// counter families are named without _total in OpenMetrics metadata and with it on samples.
void AddCounter(std::string* b, bool om, std::string_view name, std::string_view labels, int n,
                double base) {
  StrAppend(b, "# HELP ", name, "_total Total ", name, ".\n# TYPE ", name, om ? "" : "_total",
            " counter\n");
  for (int i = 0; i < n; ++i) {
    StrAppend(b, name, "_total{", labels, "=\"", i, "\"} ", base + i * 1234.5, "\n");
  }
}

void AddGauge(std::string* b, std::string_view name, std::string_view labels, int n) {
  StrAppend(b, "# HELP ", name, " Current ", name, ".\n# TYPE ", name, " gauge\n");
  for (int i = 0; i < n; ++i) {
    StrAppend(b, name, "{", labels, "\"", i, "\"} ", 1.5e9 + i * 4096, "\n");
  }
}

void AddHistogram(std::string* b, std::string_view name, std::string_view labels, int series) {
  static constexpr std::string_view kLe[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                                             "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
  StrAppend(b, "# HELP ", name, " Request latency.\n# TYPE ", name, " histogram\n");
  for (int s = 0; s < series; ++s) {
    for (size_t i = 0; i < std::size(kLe); ++i) {
      StrAppend(b, name, "_bucket{", labels, "\"", s, "\",le=\"", kLe[i], "\"} ", s * 10 + i * 7,
                "\n");
    }
    StrAppend(b, name, "_sum{", labels, "\"", s, "\"} ", s * 0.731, "\n");
    StrAppend(b, name, "_count{", labels, "\"", s, "\"} ", s * 10 + 77, "\n");
  }
}

std::string NodeExporterLike(bool om) {
  std::string b;
  for (int cpu = 0; cpu < 16; ++cpu) {
    for (std::string_view mode :
         {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"}) {
      if (cpu == 0 && mode == "idle") {
        StrAppend(&b, "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n",
                  "# TYPE node_cpu_seconds", om ? "" : "_total", " counter\n");
      }
      StrAppend(&b, "node_cpu_seconds_total{cpu=\"", cpu, "\",mode=\"", mode, "\"} ",
                123456.78 + cpu * 11.5, "\n");
    }
  }
  AddGauge(&b, "node_filesystem_avail_bytes",
           "device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=", 40);
  AddGauge(&b, "node_filesystem_size_bytes",
           "device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=", 40);
  AddCounter(&b, om, "node_network_receive_bytes", "device", 60, 9.87654321e10);
  AddCounter(&b, om, "node_network_transmit_bytes", "device", 60, 1.23456789e10);
  AddCounter(&b, om, "node_disk_read_bytes", "device", 30, 5.5e9);
  for (int i = 0; i < 300; ++i) {
    StrAppend(&b, "# HELP node_memory_M", i, "_bytes Memory information field M", i, ".\n",
              "# TYPE node_memory_M", i, "_bytes gauge\nnode_memory_M", i, "_bytes ",
              1.6e10 - i * 4096, "\n");
  }
  AddGauge(&b, "node_hwmon_temp_celsius", "chip=\"platform_coretemp_0\",sensor=", 200);
  AddCounter(&b, om, "node_interrupts", "cpu=\"0\",devices=\"i8042\",type", 400, 17);
  AddHistogram(&b, "go_gc_pauses_seconds", "g=", 4);
  if (om) b += "# EOF\n";
  return b;
}

std::string TenThousandWithHistograms(bool om) {
  std::string b;
  // 600 histogram series x 14 lines = 8400, plus 1600 counters.
  AddHistogram(&b, "http_request_duration_seconds",
               "job=\"api\",method=\"GET\",code=\"200\",handler=", 600);
  AddCounter(&b, om, "http_requests", "job=\"api\",method=\"GET\",code=\"200\",handler", 1600, 1e6);
  if (om) b += "# EOF\n";
  return b;
}

template <typename P>
void Run(benchmark::State& state, const std::string& body, bool labels) {
  int64_t samples = 0;
  LabelsBuilder builder;
  for (auto _ : state) {
    P p(body);
    for (;;) {
      absl::StatusOr<Entry> e = p.Next();
      if (!e.ok()) {
        state.SkipWithError(std::string(e.status().message()).c_str());
        return;
      }
      if (*e == Entry::kEof) break;
      if (*e != Entry::kSeries) continue;
      benchmark::DoNotOptimize(p.Series().data());
      benchmark::DoNotOptimize(p.Value());
      if (labels) p.Labels(&builder);
      ++samples;
    }
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_ParseText(benchmark::State& state) {
  static const std::string node = NodeExporterLike(false), big = TenThousandWithHistograms(false);
  Run<TextParser>(state, state.range(0) == 0 ? node : big, state.range(1) != 0);
}
void BM_ParseOpenMetrics(benchmark::State& state) {
  static const std::string node = NodeExporterLike(true), big = TenThousandWithHistograms(true);
  Run<OpenMetricsParser>(state, state.range(0) == 0 ? node : big, state.range(1) != 0);
}

// Args: {0 = node-exporter-like, 1 = 10k series with histograms}, {decode labels?}.
BENCHMARK(BM_ParseText)->ArgNames({"body", "labels"})->ArgsProduct({{0, 1}, {0, 1}});
BENCHMARK(BM_ParseOpenMetrics)->ArgNames({"body", "labels"})->ArgsProduct({{0, 1}, {0, 1}});

}  // namespace
}  // namespace sundial::scrape

BENCHMARK_MAIN();
