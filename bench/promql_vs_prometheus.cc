// Side-by-side PromQL timing through the HTTP API: Sundial against the Debian Prometheus 2.42.
// Both servers start empty on ephemeral ports with the remote write receiver on and get the SAME
// generated RED dataset (tests/integration/api/peers.h supplies the process, HTTP and remote
// write helpers); then every query runs interleaved (Sundial, Prometheus, Sundial, ...) R times
// per server (--runs=R, and more until the query has taken --min_ms of both servers' time; 250 by
// default) and the medians are printed as a table. A benchmark, not a test: nothing is
// asserted about speed. The first answers of both servers are compared (same series, values
// within 1e-9 relative; the table's last column) and the differences are listed at the end.
// Besides wall-time medians it prints each server's mean CPU ms per query (/proc/<pid>/stat,
// 10 ms ticks), which a loaded machine distorts less.
//
//   build/bench/promql_vs_prometheus --series=10000 --hours=2 --runs=5
//   build/bench/promql_vs_prometheus --series=100000 --hours=2 --runs=3 --ranges=1h
//
// Loading 100k series takes minutes, so --data_dir=DIR keeps both servers' data there
// (DIR/sundial-data, DIR/prometheus-data, DIR/dataset.txt naming the dataset and its times);
// a later run with --data_dir=DIR --reuse_data starts both servers on it (each replays its WAL)
// and queries at the recorded times instead of loading again. Without --data_dir a fresh
// temporary directory is used. --filter=REGEX times only the queries it finds in. --gzip asks
// for gzip-compressed answers, as Grafana does (timed until the compressed answer is in).
//
// Dataset and queries: bench/promql_red_dataset.h, samples every --interval_s seconds ending now.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench/flag_value.h"
#include "bench/promql_red_dataset.h"
#include "integration/api/json.h"
#include "integration/api/peers.h"
#include "integration/process.h"
#include "remotewrite/prompb_v1.pb.h"
#include "snappy.h"
#include "web/test_client.h"
#include "yaml-cpp/yaml.h"

namespace {

using sundial::testing::ChildProcess;
using sundial::testing::HttpRequest;
using sundial::testing::HttpResult;
using sundial::testing::MakeTempDir;
using sundial::testing::api::Form;
using sundial::testing::api::PickFreePort;
using sundial::testing::api::RemoteWrite;
using namespace std::chrono_literals;

// The most times one query is run per server (see Options::min_ms).
constexpr int kMaxRuns = 200;

struct Options {
  int series = 10000;
  double hours = 2;
  int interval_s = 15;
  int runs = 5;
  // A query is also repeated until both servers together spent this long on it (at most
  // kMaxRuns times), so a sub-millisecond query's median is not that of a handful of runs.
  double min_ms = 250;
  std::string ranges = "1h,24h";  // range query spans to time (besides the instant queries)
  std::string rules_glob = "/work/shared/user-configs";
  std::string prometheus = "/usr/bin/prometheus";
  std::string sundial = SUNDIAL_BINARY;
  std::string data_dir;  // empty: a fresh temporary directory
  bool reuse_data = false;
  std::string filter;  // an ECMAScript regex: only the queries it finds in
  bool gzip = false;   // Accept-Encoding: gzip
};

// The dataset a data dir holds: what was loaded and when, so that a reuse queries it at the same
// times.
struct DatasetInfo {
  int series = 0;
  double hours = 0;
  int interval_s = 0;
  int64_t base_ms = 0;
  int64_t end_ms = 0;
};

std::string DatasetPath(const std::string& dir) { return dir + "/dataset.txt"; }

bool ReadDataset(const std::string& dir, DatasetInfo* d) {
  FILE* f = std::fopen(DatasetPath(dir).c_str(), "r");
  if (f == nullptr) return false;
  long long base = 0, end = 0;
  const int n = std::fscanf(f, "series=%d hours=%lf interval_s=%d base_ms=%lld end_ms=%lld",
                            &d->series, &d->hours, &d->interval_s, &base, &end);
  std::fclose(f);
  d->base_ms = base;
  d->end_ms = end;
  return n == 5;
}

void WriteDataset(const std::string& dir, const DatasetInfo& d) {
  FILE* f = std::fopen(DatasetPath(dir).c_str(), "w");
  std::fprintf(f, "series=%d hours=%g interval_s=%d base_ms=%lld end_ms=%lld\n", d.series, d.hours,
               d.interval_s, static_cast<long long>(d.base_ms), static_cast<long long>(d.end_ms));
  std::fclose(f);
}

// User+system CPU ms a process has used so far (clock ticks of /proc/<pid>/stat).
double CpuMs(pid_t pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return 0;
  char buf[1024];
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return 0;
  unsigned long long utime = 0, stime = 0;
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) !=
      2)
    return 0;
  return static_cast<double>(utime + stime) * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Sends samples [from, to) of every series, in time order, in requests of about 200k samples.
// Remote-writes samples [from, to) of every series to both servers. Each request is built once
// and sent to the two servers at the same time, so the load takes about as long as the slower
// server's ingestion rather than the sum of both plus two encodings.
bool Load(const std::vector<int>& ports, const std::vector<sundial::bench::RedSeries>& series,
          int64_t base_ms, int64_t step_ms, int from, int to) {
  const size_t per_request = std::max<size_t>(1, 200000 / static_cast<size_t>(to - from));
  for (size_t first = 0; first < series.size(); first += per_request) {
    sundial::remotewrite::prompb::WriteRequest req;
    for (size_t k = first; k < std::min(series.size(), first + per_request); ++k) {
      const sundial::bench::RedSeries& g = series[k];
      auto* ts = req.add_timeseries();
      for (const auto& [n, v] : g.labels) {
        auto* l = ts->add_labels();
        l->set_name(n);
        l->set_value(v);
      }
      for (int i = from; i < to; ++i) {
        const int64_t t = base_ms + i * step_ms;
        auto* s = ts->add_samples();
        s->set_timestamp(t);
        s->set_value(sundial::bench::RedValue(g, k, i, step_ms));
      }
    }
    const std::string raw = req.SerializeAsString();
    std::string payload;
    snappy::Compress(raw.data(), raw.size(), &payload);
    std::vector<int> status(ports.size());
    std::vector<std::string> body(ports.size());
    {
      std::vector<std::jthread> senders;
      for (size_t p = 0; p < ports.size(); ++p) {
        senders.emplace_back([&, p] { status[p] = RemoteWrite(ports[p], payload, &body[p]); });
      }
    }
    for (size_t p = 0; p < ports.size(); ++p) {
      if (status[p] != 204 && status[p] != 200) {
        std::fprintf(stderr, "remote write to port %d: %d %s\n", ports[p], status[p],
                     body[p].c_str());
        return false;
      }
    }
  }
  return true;
}

std::vector<std::string> RuleExprs(const std::string& dir) {
  std::vector<std::string> out;
  for (const char* name : {"recording_rules.yaml", "recording_rules.yml", "k8s_rules.yaml"}) {
    try {
      YAML::Node root = YAML::LoadFile(dir + "/" + name);
      for (const auto& group : root["groups"]) {
        for (const auto& rule : group["rules"]) {
          if (rule["record"]) out.push_back(rule["expr"].as<std::string>());
        }
      }
    } catch (const std::exception&) {
      // missing or unreadable: skipped
    }
  }
  for (std::string& e : out) {
    std::replace(e.begin(), e.end(), '\n', ' ');
    e = std::regex_replace(e, std::regex(" +"), " ");
  }
  return out;
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// Wall time of one query in ms, and the number of result series (-1 on error). Keeps the answer
// in *body when body is not null.
std::pair<double, int> Time(int port, const std::string& target, bool gzip,
                            std::string* body = nullptr) {
  const auto t0 = std::chrono::steady_clock::now();
  HttpResult r = HttpRequest(
      port, "GET", target, "",
      gzip ? std::vector<std::string>{"Accept-Encoding: gzip"} : std::vector<std::string>{});
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (r.headers["content-encoding"] == "gzip") r.body = sundial::web::testing::Gunzip(r.body);
  if (body != nullptr) *body = r.body;
  if (r.status != 200) return {ms, -1};
  // Result entries are the objects holding "metric".
  int n = 0;
  for (size_t p = r.body.find("\"metric\""); p != std::string::npos;
       p = r.body.find("\"metric\"", p + 1)) {
    ++n;
  }
  if (n == 0 && r.body.find("\"resultType\":\"scalar\"") != std::string::npos) n = 1;
  return {ms, n};
}

// "" when both answers hold the same series with values equal within 1e-9 relative (result order
// is not compared: ties and unsorted results may come in any order), else the first difference.
std::string CompareAnswers(const std::string& sundial, const std::string& prometheus) {
  sundial::testing::json::Value s, p;
  std::string error;
  if (!sundial::testing::json::Parse(sundial, &s, &error)) return "sundial: " + error;
  if (!sundial::testing::json::Parse(prometheus, &p, &error)) return "prometheus: " + error;
  const sundial::testing::json::Value* ds = s.Find("data");
  const sundial::testing::json::Value* dp = p.Find("data");
  if (ds == nullptr || dp == nullptr) {
    return "no data: sundial " + sundial.substr(0, 200) + " prometheus " +
           prometheus.substr(0, 200);
  }
  sundial::testing::json::DiffOptions options;
  options.unordered = [](const std::string& path) { return path == "$.data.result"; };
  return sundial::testing::json::Diff(*dp, *ds, options, "$.data");
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int64_t ParseSpan(const std::string& s) {
  const double n = std::atof(s.c_str());
  switch (s.back()) {
    case 'd':
      return static_cast<int64_t>(n * 86400000);
    case 'h':
      return static_cast<int64_t>(n * 3600000);
    case 'm':
      return static_cast<int64_t>(n * 60000);
    default:
      return static_cast<int64_t>(n * 1000);
  }
}

int StartSundial(const Options& o, const std::string& dir, std::unique_ptr<ChildProcess>* out) {
  *out = std::make_unique<ChildProcess>(std::vector<std::string>{
      o.sundial, "--config.file=" + dir + "/prometheus.yml",
      "--storage.tsdb.path=" + dir + "/sundial-data", "--web.listen-address=127.0.0.1:0",
      "--web.enable-remote-write-receiver"});
  if (!(*out)->WaitForStderr("Server is ready to receive web requests.", 1200s)) return 0;
  std::smatch m;
  const std::string log = (*out)->Stderr();
  if (!std::regex_search(
          log, m, std::regex("msg=\"Start listening for connections\" address=127.0.0.1:(\\d+)")))
    return 0;
  return std::stoi(m[1]);
}

int StartPrometheus(const Options& o, const std::string& dir, std::unique_ptr<ChildProcess>* out) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int port = PickFreePort();
    *out = std::make_unique<ChildProcess>(
        std::vector<std::string>{o.prometheus, "--config.file=" + dir + "/prometheus.yml",
                                 "--storage.tsdb.path=" + dir + "/prometheus-data",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                 "--web.enable-remote-write-receiver"});
    if ((*out)->WaitForStderr("Server is ready to receive web requests.", 1200s)) return port;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
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
    } else if (const char* v = val("--min_ms")) {
      o.min_ms = std::atof(v);
    } else if (const char* v = val("--ranges")) {
      o.ranges = v;
    } else if (const char* v = val("--rules_dir")) {
      o.rules_glob = v;
    } else if (const char* v = val("--prometheus")) {
      o.prometheus = v;
    } else if (const char* v = val("--sundial")) {
      o.sundial = v;
    } else if (const char* v = val("--data_dir")) {
      o.data_dir = v;
    } else if (const char* v = val("--filter")) {
      o.filter = v;
    } else if (std::string_view(argv[i]) == "--reuse_data") {
      o.reuse_data = true;
    } else if (std::string_view(argv[i]) == "--gzip") {
      o.gzip = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--series=N] [--hours=H] [--interval_s=S] [--runs=R] [--min_ms=M] "
                   "[--ranges=1h,24h] [--rules_dir=D] [--prometheus=P] [--sundial=S] "
                   "[--data_dir=DIR [--reuse_data]] [--filter=REGEX] [--gzip]\n",
                   argv[0]);
      return 2;
    }
  }
  std::string dir = o.data_dir;
  if (dir.empty()) {
    if (o.reuse_data) {
      std::fprintf(stderr, "--reuse_data needs --data_dir\n");
      return 2;
    }
    dir = MakeTempDir();
  }
  DatasetInfo data;
  if (o.reuse_data) {
    if (!ReadDataset(dir, &data)) {
      std::fprintf(stderr,
                   "--reuse_data: %s is missing or unreadable (load with --data_dir first)\n",
                   DatasetPath(dir).c_str());
      return 2;
    }
    o.series = data.series;
    o.hours = data.hours;
    o.interval_s = data.interval_s;
  } else if (std::system(("mkdir -p '" + dir + "'").c_str()) != 0 || ReadDataset(dir, &data)) {
    std::fprintf(stderr, "%s: cannot create it, or it already holds a dataset (--reuse_data)\n",
                 dir.c_str());
    return 2;
  }
  {
    FILE* f = std::fopen((dir + "/prometheus.yml").c_str(), "w");
    std::fputs("global:\n  scrape_interval: 15s\n", f);
    std::fclose(f);
  }
  std::unique_ptr<ChildProcess> prom, sun;
  const auto start0 = std::chrono::steady_clock::now();
  const int prom_port = StartPrometheus(o, dir, &prom);
  const double prom_start_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start0).count();
  const int sun_port = StartSundial(o, dir, &sun);
  if (prom_port == 0 || sun_port == 0) {
    std::fprintf(stderr, "servers did not start\n%s\n%s\n", prom ? prom->Stderr().c_str() : "",
                 sun ? sun->Stderr().c_str() : "");
    return 1;
  }
  std::printf("servers ready: prometheus %.1f s (%.1f CPU-s), sundial %.1f CPU-s\n", prom_start_s,
              CpuMs(prom->pid()) / 1000, CpuMs(sun->pid()) / 1000);

  const std::vector<sundial::bench::RedSeries> series = sundial::bench::MakeRedSeries(o.series);
  const int64_t step_ms = o.interval_s * 1000LL;
  const int points = static_cast<int>(o.hours * 3600 / o.interval_s) + 1;
  if (!o.reuse_data) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    data = {o.series, o.hours, o.interval_s, 0, now_ms / step_ms * step_ms};
    data.base_ms = data.end_ms - (points - 1) * step_ms;
  }
  const int64_t end_ms = data.end_ms;
  const int64_t base_ms = data.base_ms;
  std::printf("dataset: %zu series x %d samples (%.1fh at %ds) = %.1fM samples\n", series.size(),
              points, o.hours, o.interval_s, series.size() * static_cast<double>(points) / 1e6);
  std::fflush(stdout);
  if (!o.reuse_data) {
    const auto load0 = std::chrono::steady_clock::now();
    // 10-minute slices keep every sample inside both heads' appendable window.
    const int slice = std::max(1, 600 / o.interval_s);
    for (int from = 0; from < points; from += slice) {
      const int to = std::min(points, from + slice);
      if (!Load({prom_port, sun_port}, series, base_ms, step_ms, from, to)) return 1;
    }
    WriteDataset(dir, data);
    std::printf("loaded both in %.0f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - load0).count());
  }

  std::vector<std::string> queries = sundial::bench::RedQueries();
  for (std::string& e : RuleExprs(o.rules_glob)) queries.push_back(std::move(e));
  if (!o.filter.empty()) {
    const std::regex re(o.filter);
    std::erase_if(queries, [&](const std::string& q) { return !std::regex_search(q, re); });
  }

  struct Kind {
    std::string name;
    int64_t span_ms;  // 0: instant
    int64_t step_ms;
  };
  std::vector<Kind> kinds = {{"instant", 0, 0}};
  for (size_t p = 0; p < o.ranges.size();) {
    size_t q = o.ranges.find(',', p);
    if (q == std::string::npos) q = o.ranges.size();
    const std::string r = o.ranges.substr(p, q - p);
    p = q + 1;
    if (r.empty()) continue;
    const int64_t span = ParseSpan(r);
    // Grafana-like resolution: about 250 points, at least the scrape interval.
    kinds.push_back({"range " + r, span, std::max<int64_t>(step_ms, span / 250 / 1000 * 1000)});
  }

  std::vector<std::string> mismatches;
  std::printf("\n%-10s | %-90.90s | %10s | %10s | %7s | %10s | %10s | %7s | %s\n", "kind", "query",
              "sundial ms", "prom ms", "ratio", "sun cpu ms", "prom cpu", "cpu rat",
              "series s/p answers");
  for (const Kind& k : kinds) {
    for (const std::string& q : queries) {
      std::vector<std::pair<std::string, std::string>> params = {{"query", q}};
      std::string path;
      // 1 ms before the samples' times, so that no sample sits on a range's left edge, which
      // Prometheus 3.x (and Sundial) excludes and 2.42 includes: the answers can be compared.
      const int64_t at_ms = end_ms - 1;
      if (k.span_ms == 0) {
        params.push_back({"time", Num(Seconds(at_ms))});
        path = "/api/v1/query?";
      } else {
        const int64_t start = std::max(base_ms, end_ms - k.span_ms) - 1;
        params.push_back({"start", Num(Seconds(start))});
        params.push_back({"end", Num(Seconds(at_ms))});
        params.push_back({"step", Num(Seconds(k.step_ms))});
        path = "/api/v1/query_range?";
      }
      const std::string target = path + Form(params);
      std::vector<double> ts, tp;
      double cs = 0, cp = 0;
      int ns = 0, np = 0;
      std::string body_s, body_p;  // warm-up, both; their answers are compared
      Time(sun_port, target, o.gzip, &body_s);
      Time(prom_port, target, o.gzip, &body_p);
      const std::string diff = CompareAnswers(body_s, body_p);
      if (!diff.empty()) {
        mismatches.push_back(k.name + " " + q + "\n    " + diff.substr(0, 600));
      }
      int n = 0;  // interleaved pairs run
      for (double spent = 0; n < o.runs || (spent < o.min_ms && n < kMaxRuns); ++n) {
        const double s0 = CpuMs(sun->pid());
        auto [a, na] = Time(sun_port, target, o.gzip);
        const double s1 = CpuMs(sun->pid());
        const double p0 = CpuMs(prom->pid());
        auto [b, nb] = Time(prom_port, target, o.gzip);
        cp += CpuMs(prom->pid()) - p0;
        cs += s1 - s0;
        ts.push_back(a);
        tp.push_back(b);
        spent += a + b;
        ns = na;
        np = nb;
      }
      const double ms = Median(ts), mp = Median(tp);
      std::printf(
          "%-10s | %-90.90s | %10.1f | %10.1f | %6.2fx | %10.0f | %10.0f | %6.2fx | %d/%d %s\n",
          k.name.c_str(), q.c_str(), ms, mp, mp / ms, cs / n, cp / n, cs > 0 ? cp / cs : 0.0, ns,
          np, diff.empty() ? "same" : "DIFFERENT");
      std::fflush(stdout);
    }
  }
  std::printf(
      "\nratio = Prometheus median / Sundial median (above 1: Sundial faster); cpu: mean "
      "CPU ms per query of each server process\n");
  std::printf("%zu of %zu answers differ%s\n", mismatches.size(), kinds.size() * queries.size(),
              mismatches.empty() ? "" : ":");
  for (const std::string& m : mismatches) std::printf("  %s\n", m.c_str());
  prom->Signal(SIGTERM);
  sun->Signal(SIGTERM);
  prom->Wait(120s);
  sun->Wait(120s);
  return 0;
}
