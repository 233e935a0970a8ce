// Server memory of one large query_range (or query) answer: Sundial binaries (one or more, e.g.
// before and after a change) and the Debian Prometheus 2.42 start empty, get the SAME --series x
// --samples float samples by remote write (one sample every --interval_s seconds, ending now),
// then each answers the same range queries over every sample (--series x --samples points),
// interleaved server by server, --runs times. For each answer the server's peak RSS growth is
// measured: /proc/<pid>/clear_refs resets VmHWM to the current RSS just before the request, and
// VmHWM - VmRSS(before) is read after the whole body arrived; CPU seconds are the server's
// utime+stime over the request. A benchmark, not a test: nothing is asserted.
//
//   build/bench/range_query_memory --series=1000 --samples=1000 --runs=3
//   build/bench/range_query_memory --sundial=build/src/sundial --sundial=/tmp/sundial-before
//   build/bench/range_query_memory --instant --series=1000000 --samples=2 --runs=1
// With --instant the same queries are instant queries (/api/v1/query) at the last sample.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/flag_value.h"
#include "integration/api/peers.h"
#include "integration/process.h"
#include "remotewrite/prompb_v1.pb.h"
#include "snappy.h"

namespace {

using sundial::testing::ChildProcess;
using sundial::testing::HttpRequest;
using sundial::testing::HttpResult;
using sundial::testing::MakeTempDir;
using sundial::testing::api::Form;
using sundial::testing::api::PickFreePort;
using sundial::testing::api::RemoteWrite;
using namespace std::chrono_literals;

struct Server {
  std::string name;
  std::unique_ptr<ChildProcess> process;
  int port = 0;
};

// A field of /proc/<pid>/status in KiB ("VmHWM", "VmRSS"); -1 if absent.
int64_t StatusKiB(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size(), field) == 0 && line[field.size()] == ':') {
      return std::atoll(line.c_str() + field.size() + 1);
    }
  }
  return -1;
}

// utime + stime of pid in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

bool ResetPeak(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  return static_cast<bool>(out);
}

// Sends samples [from, to) of series {__name__="range_bench", series="<k>"}, k in [first, last).
bool LoadSeries(int port, int first, int last, int64_t base_ms, int64_t step_ms, int from, int to) {
  sundial::remotewrite::prompb::WriteRequest req;
  for (int k = first; k < last; ++k) {
    auto* ts = req.add_timeseries();
    auto* l = ts->add_labels();
    l->set_name("__name__");
    l->set_value("range_bench");
    l = ts->add_labels();
    l->set_name("series");
    l->set_value(std::to_string(100000 + k));
    for (int i = from; i < to; ++i) {
      auto* s = ts->add_samples();
      s->set_timestamp(base_ms + i * step_ms);
      s->set_value(static_cast<double>((k * 7919 + i * 104729) % 100003) / 7.0);
    }
  }
  const std::string raw = req.SerializeAsString();
  std::string payload, body;
  snappy::Compress(raw.data(), raw.size(), &payload);
  const int status = RemoteWrite(port, payload, &body);
  if (status == 204 || status == 200) return true;
  std::fprintf(stderr, "remote write to port %d: %d %s\n", port, status, body.c_str());
  return false;
}

// LoadSeries of every series, 10,000 series per request.
bool Load(int port, int series, int64_t base_ms, int64_t step_ms, int from, int to) {
  for (int first = 0; first < series; first += 10000) {
    if (!LoadSeries(port, first, std::min(series, first + 10000), base_ms, step_ms, from, to)) {
      return false;
    }
  }
  return true;
}

bool StartSundial(const std::string& binary, const std::string& dir, Server* s) {
  s->process = std::make_unique<ChildProcess>(std::vector<std::string>{
      binary, "--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
      "--web.listen-address=127.0.0.1:0", "--web.enable-remote-write-receiver"});
  if (!s->process->WaitForStderr("Server is ready to receive web requests.", 120s)) return false;
  std::smatch m;
  const std::string log = s->process->Stderr();
  if (!std::regex_search(
          log, m, std::regex("msg=\"Start listening for connections\" address=127.0.0.1:(\\d+)")))
    return false;
  s->port = std::stoi(m[1]);
  return true;
}

bool StartPrometheus(const std::string& binary, const std::string& dir, Server* s) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    s->port = PickFreePort();
    s->process = std::make_unique<ChildProcess>(std::vector<std::string>{
        binary, "--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
        "--web.listen-address=127.0.0.1:" + std::to_string(s->port),
        "--web.enable-remote-write-receiver"});
    if (s->process->WaitForStderr("Server is ready to receive web requests.", 120s)) return true;
  }
  return false;
}

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int series = 1000, samples = 1000, interval_s = 5, runs = 3;
  bool instant = false;
  std::string prometheus = "/usr/bin/prometheus";
  std::vector<std::string> sundials;
  for (int i = 1; i < argc; ++i) {
    auto val = [&](std::string_view flag) { return sundial::bench::FlagValue(argv[i], flag); };
    if (const char* v = val("--series")) {
      series = std::atoi(v);
    } else if (const char* v = val("--samples")) {
      samples = std::atoi(v);
    } else if (const char* v = val("--interval_s")) {
      interval_s = std::atoi(v);
    } else if (const char* v = val("--runs")) {
      runs = std::atoi(v);
    } else if (std::string_view(argv[i]) == "--instant") {
      instant = true;
    } else if (const char* v = val("--prometheus")) {
      prometheus = v;
    } else if (const char* v = val("--sundial")) {
      sundials.emplace_back(v);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--series=N] [--samples=N] [--interval_s=S] [--runs=R] "
                   "[--instant] [--prometheus=P] [--sundial=S]...\n",
                   argv[0]);
      return 2;
    }
  }
  if (sundials.empty()) sundials.emplace_back(SUNDIAL_BINARY);

  std::vector<Server> servers;
  for (size_t i = 0; i <= sundials.size(); ++i) {
    const std::string dir = MakeTempDir();
    FILE* f = std::fopen((dir + "/prometheus.yml").c_str(), "w");
    std::fputs("global:\n  scrape_interval: 15s\n", f);
    std::fclose(f);
    Server& s = servers.emplace_back();
    const bool prom = i == sundials.size();
    s.name = prom ? "prometheus" : "sundial " + sundials[i];
    if (!(prom ? StartPrometheus(prometheus, dir, &s) : StartSundial(sundials[i], dir, &s))) {
      std::fprintf(stderr, "%s did not start\n%s\n", s.name.c_str(),
                   s.process ? s.process->Stderr().c_str() : "");
      return 1;
    }
  }

  const int64_t step_ms = interval_s * 1000LL;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t end_ms = now_ms / step_ms * step_ms;
  const int64_t base_ms = end_ms - (samples - 1) * step_ms;
  // Slices of 10 minutes keep every sample inside each head's appendable window.
  const int slice = std::max(1, 600 / interval_s);
  for (int from = 0; from < samples; from += slice) {
    for (const Server& s : servers) {
      if (!Load(s.port, series, base_ms, step_ms, from, std::min(samples, from + slice))) return 1;
    }
  }
  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  std::printf("loaded %d series x %d samples into %zu servers; /proc/loadavg: %s\n", series,
              samples, servers.size(), load.c_str());

  const std::vector<std::string> queries = {"range_bench", "rate(range_bench[1m])",
                                            "sum by (series) (range_bench)"};
  // "same": the body is byte-identical to the first server's.
  std::printf("\n%-32s | %-50.50s | %10s | %9s | %7s | %9s | %s\n", "query", "server", "peak +MiB",
              "idle MiB", "cpu s", "body MiB", "same");
  for (const std::string& q : queries) {
    const std::string target =
        instant
            ? "/api/v1/query?" +
                  Form({{"query", q}, {"time", Num(static_cast<double>(end_ms) / 1000)}})
            : "/api/v1/query_range?" + Form({{"query", q},
                                             {"start", Num(static_cast<double>(base_ms) / 1000)},
                                             {"end", Num(static_cast<double>(end_ms) / 1000)},
                                             {"step", Num(static_cast<double>(step_ms) / 1000)}});
    std::vector<std::vector<double>> peak(servers.size()), cpu(servers.size());
    std::vector<double> idle(servers.size()), body(servers.size());
    std::vector<bool> same(servers.size());
    std::string first;
    for (int r = 0; r < runs; ++r) {
      for (size_t i = 0; i < servers.size(); ++i) {
        const pid_t pid = servers[i].process->pid();
        const int64_t rss = StatusKiB(pid, "VmRSS");
        if (!ResetPeak(pid)) std::fprintf(stderr, "cannot reset VmHWM of %d\n", pid);
        const double cpu0 = CpuSeconds(pid);
        HttpResult res = HttpRequest(servers[i].port, "GET", target);
        const double cpu1 = CpuSeconds(pid);
        const int64_t hwm = StatusKiB(pid, "VmHWM");
        if (res.status != 200) {
          std::fprintf(stderr, "%s: %d %.300s\n", servers[i].name.c_str(), res.status,
                       res.body.c_str());
        }
        peak[i].push_back(static_cast<double>(hwm - rss) / 1024);
        cpu[i].push_back(cpu1 - cpu0);
        idle[i] = static_cast<double>(rss) / 1024;
        body[i] = static_cast<double>(res.body.size()) / (1 << 20);
        if (i == 0) first = std::move(res.body);
        same[i] = i == 0 || res.body == first;
      }
    }
    for (size_t i = 0; i < servers.size(); ++i) {
      std::printf("%-32s | %-50.50s | %10.1f | %9.1f | %7.3f | %9.1f | %s\n", q.c_str(),
                  servers[i].name.c_str(), Median(peak[i]), idle[i], Median(cpu[i]), body[i],
                  same[i] ? "yes" : "no");
    }
  }
  return 0;
}
