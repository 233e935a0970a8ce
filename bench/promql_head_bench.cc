// The queries of promql_vs_prometheus run in-process: the same RED dataset appended straight
// into a tsdb::Head, then every query evaluated by the engine (no HTTP, no JSON) --runs times;
// prints the median wall and CPU time (of the querying thread: the engine evaluates a query on
// one thread, so this stays meaningful on a loaded machine) per query. Meant for profiling the
// engine (`perf record -g -- ...`) and for quick before/after comparisons; the side-by-side numbers
// come from promql_vs_prometheus.
//
//   build/bench/promql_head_bench --series=100000 --hours=2 --runs=5 --ranges=1h
//   build/bench/promql_head_bench --series=100000 --filter=topk --kinds=instant
//   build/bench/promql_head_bench --query='sum(rate(http_requests_total[30d]))' --kinds=instant
//   build/bench/promql_head_bench --read=http_requests_total   # the head read alone, see below
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "bench/flag_value.h"
#include "bench/promql_red_dataset.h"
#include "promql/engine.h"
#include "tsdb/head.h"

namespace {

using sundial::Labels;
using sundial::LabelsBuilder;

struct Options {
  int series = 100000;
  double hours = 2;
  int interval_s = 15;
  int runs = 5;
  std::string ranges = "1h";
  std::string filter;      // only queries containing this
  std::string query;       // this query instead of the dashboard ones
  std::string kinds = "";  // "instant" or "range" to run only those
  std::string read;        // a metric: time the head read of its last 5m instead of queries
};

// CPU time of the calling thread in ms.
double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Selects `metric` over the last 5m before end_ms and reads every series as the engine does
// (Seek, then NextFloats), with a new iterator per series and with one reused through
// IteratorReusing, alternated `runs` times; prints the median thread CPU of each.
int ReadHead(sundial::tsdb::Head* head, const std::string& metric, int64_t end_ms, int runs) {
  const int64_t mint = end_ms - 300000;
  auto m = sundial::Matcher::Create(sundial::MatchType::kEqual, "__name__", metric);
  if (!m.ok()) return 1;
  const std::vector<sundial::Matcher> matchers = {*m};
  std::vector<double> fresh, reused;
  size_t samples = 0;
  for (int r = 0; r < 2 * runs; ++r) {
    const bool reuse = r % 2 == 1;
    const double c0 = ThreadCpuMs();
    auto q = head->NewQuerier(mint, end_ms);
    if (!q.ok()) return 1;
    std::unique_ptr<sundial::tsdb::SeriesSet> set = (*q)->Select({}, matchers);
    std::unique_ptr<sundial::tsdb::SampleIterator> it;
    int64_t ts[64];
    double vs[64];
    samples = 0;
    while (set->Next()) {
      it = reuse ? set->At().IteratorReusing(std::move(it)) : set->At().Iterator();
      if (it->Seek(mint) == sundial::tsdb::ValueType::kNone) continue;
      ++samples;
      for (size_t n; (n = it->NextFloats(ts, vs, 64)) > 0;) samples += n;
    }
    (reuse ? reused : fresh).push_back(ThreadCpuMs() - c0);
  }
  std::printf("read %s last 5m: %zu samples; thread CPU ms: new iterators %.2f, reused %.2f\n",
              metric.c_str(), samples, Median(fresh), Median(reused));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);  // as the server
  Options o;
  for (int i = 1; i < argc; ++i) {
    auto val = [&](std::string_view flag) { return sundial::bench::FlagValue(argv[i], flag); };
    if (const char* v = val("--series")) {
      o.series = std::atoi(v);
    } else if (const char* v = val("--hours")) {
      o.hours = std::atof(v);
    } else if (const char* v = val("--interval_s")) {
      o.interval_s = std::atoi(v);
    } else if (const char* v = val("--runs")) {
      o.runs = std::atoi(v);
    } else if (const char* v = val("--ranges")) {
      o.ranges = v;
    } else if (const char* v = val("--filter")) {
      o.filter = v;
    } else if (const char* v = val("--kinds")) {
      o.kinds = v;
    } else if (const char* v = val("--query")) {
      o.query = v;
    } else if (const char* v = val("--read")) {
      o.read = v;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--series=N] [--hours=H] [--interval_s=S] [--runs=R] "
                   "[--ranges=1h] [--filter=TEXT] [--kinds=instant|range] [--query=PROMQL] "
                   "[--read=METRIC]\n",
                   argv[0]);
      return 2;
    }
  }
  const std::vector<sundial::bench::RedSeries> series = sundial::bench::MakeRedSeries(o.series);
  std::vector<Labels> labels;
  labels.reserve(series.size());
  for (const auto& g : series) {
    LabelsBuilder b;
    for (const auto& [n, v] : g.labels) b.Set(n, v);
    labels.push_back(b.Build());
  }
  const int64_t step_ms = o.interval_s * 1000LL;
  const int points = static_cast<int>(o.hours * 3600 / o.interval_s) + 1;
  const int64_t base_ms = 1700000000000LL;
  const int64_t end_ms = base_ms + (points - 1) * step_ms;
  sundial::tsdb::Head head;
  std::vector<sundial::tsdb::SeriesRef> refs(series.size(), 0);
  const auto load0 = std::chrono::steady_clock::now();
  for (int i = 0; i < points; ++i) {
    auto app = head.NewAppender();
    for (size_t k = 0; k < series.size(); ++k) {
      auto ref = app->Append(refs[k], labels[k], base_ms + i * step_ms,
                             sundial::bench::RedValue(series[k], k, i, step_ms));
      if (!ref.ok()) {
        std::fprintf(stderr, "append: %s\n", std::string(ref.status().message()).c_str());
        return 1;
      }
      refs[k] = *ref;
    }
    if (!app->Commit().ok()) return 1;
  }
  std::printf("dataset: %zu series x %d samples, loaded in %.1f s\n", series.size(), points,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - load0).count());

  if (!o.read.empty()) return ReadHead(&head, o.read, end_ms, o.runs);

  struct Kind {
    std::string name;
    int64_t span_ms;  // 0: instant
    int64_t step_ms;
  };
  std::vector<Kind> kinds;
  if (o.kinds != "range") kinds.push_back({"instant", 0, 0});
  for (size_t p = 0; o.kinds != "instant" && p < o.ranges.size();) {
    size_t q = o.ranges.find(',', p);
    if (q == std::string::npos) q = o.ranges.size();
    const std::string r = o.ranges.substr(p, q - p);
    p = q + 1;
    if (r.empty()) continue;
    const double n = std::atof(r.c_str());
    const int64_t span = static_cast<int64_t>(r.back() == 'h' ? n * 3600000 : n * 60000);
    kinds.push_back({"range " + r, span, std::max<int64_t>(step_ms, span / 250 / 1000 * 1000)});
  }
  sundial::promql::Engine engine;
  std::printf("%-10s | %-90.90s | %8s | %8s | %8s\n", "kind", "query", "wall ms", "cpu ms",
              "series");
  for (const Kind& k : kinds) {
    const std::vector<std::string> queries =
        o.query.empty() ? sundial::bench::RedQueries() : std::vector<std::string>{o.query};
    for (const std::string& q : queries) {
      if (!o.filter.empty() && q.find(o.filter) == std::string::npos) continue;
      std::vector<double> ms, cpu;
      size_t n = 0;
      for (int r = 0; r < o.runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = ThreadCpuMs();
        sundial::promql::Result res =
            k.span_ms == 0 ? engine.InstantQuery(&head, q, end_ms)
                           : engine.RangeQuery(&head, q, std::max(base_ms, end_ms - k.span_ms),
                                               end_ms, k.step_ms);
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        cpu.push_back(ThreadCpuMs() - c0);
        if (!res.status.ok()) {
          std::fprintf(stderr, "%s: %s\n", q.c_str(), std::string(res.status.message()).c_str());
          return 1;
        }
        if (const auto* v = std::get_if<sundial::promql::Vector>(&res.value)) n = v->size();
        if (const auto* m = std::get_if<sundial::promql::Matrix>(&res.value)) n = m->size();
      }
      std::printf("%-10s | %-90.90s | %8.1f | %8.1f | %8zu\n", k.name.c_str(), q.c_str(),
                  Median(ms), Median(cpu), n);
      std::fflush(stdout);
    }
  }
  return 0;
}
