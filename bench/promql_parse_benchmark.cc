// BM_ParseDashboardQueries: parse throughput on the `expr:` queries of the shared rule files
// (read at start from $SUNDIAL_SOURCE_DIR/../shared/user-configs). Reports time per query.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "promql/parser.h"

namespace {

// Collects `expr:` values: single-line ones and `expr: |` blocks.
std::vector<std::string> LoadQueries() {
  const char* src = std::getenv("SUNDIAL_SOURCE_DIR");
  std::string dir = std::string(src ? src : "/work/main") + "/../shared/user-configs/";
  std::vector<std::string> out;
  for (const char* file : {"recording_rules.yaml", "alerting_rules.yaml", "k8s_rules.yaml"}) {
    std::ifstream in(dir + file);
    std::string line, block;
    size_t block_indent = std::string::npos;
    while (std::getline(in, line)) {
      size_t ind = line.find_first_not_of(' ');
      if (block_indent != std::string::npos) {
        if (ind != std::string::npos && ind > block_indent) {
          block += line.substr(ind) + "\n";
          continue;
        }
        out.push_back(block);
        block.clear();
        block_indent = std::string::npos;
      }
      if (ind == std::string::npos) continue;
      std::string rest = line.substr(ind);
      if (rest.rfind("expr:", 0) != 0 && rest.rfind("- expr:", 0) != 0) continue;
      std::string value = rest.substr(rest.find("expr:") + 5);
      value.erase(0, value.find_first_not_of(' '));
      if (value == "|" || value == ">" || value == "|-" || value == ">-") {
        block_indent = ind;
      } else if (!value.empty()) {
        if (value.front() == '\'' || value.front() == '"')
          value = value.substr(1, value.size() - 2);
        out.push_back(value);
      }
    }
    if (!block.empty()) out.push_back(block);
  }
  return out;
}

void BM_ParseDashboardQueries(benchmark::State& state) {
  static const std::vector<std::string> queries = LoadQueries();
  if (queries.empty()) {
    state.SkipWithError("no queries found under $SUNDIAL_SOURCE_DIR/../shared/user-configs");
    return;
  }
  sundial::promql::ParseOptions opts = sundial::promql::ParseOptions::AllEnabled();
  int failures = 0;
  for (auto _ : state) {
    for (const std::string& q : queries) {
      auto e = sundial::promql::Parse(q, opts);
      failures += !e.ok();
      benchmark::DoNotOptimize(e);
    }
  }
  state.SetItemsProcessed(state.iterations() * queries.size());
  state.counters["queries"] = static_cast<double>(queries.size());
  state.counters["failed"] = static_cast<double>(failures) / state.iterations();
  state.counters["us_per_query"] = benchmark::Counter(
      static_cast<double>(state.iterations() * queries.size()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::OneK::kIs1000);
}
BENCHMARK(BM_ParseDashboardQueries)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
