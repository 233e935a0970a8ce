// Remote write ingestion side by side on one machine: Sundial, the Debian Prometheus 2.42 and
// VictoriaMetrics get the SAME remote write 1.0 requests, one server at a time, each starting
// empty in a fresh data directory. A benchmark, not a test: nothing is asserted about speed.
//
//   build/bench/ingest_vs_peers --series=20000 --samples_per_series=30     # about a minute
//   build/bench/ingest_vs_peers                                            # 1M series x 120
//
// Before any server starts, every request is generated, serialized and snappy-compressed in
// memory: Kubernetes-like pods of 20 series each (http_requests_total by method and status,
// http_request_duration_seconds buckets/_sum/_count, container_memory_working_set_bytes, up;
// labels app, container, instance, job, namespace, pod), --per_request series with one sample
// each per request as a Prometheus remote write shard batches them, and --samples_per_series
// rounds 15 s apart ending at generation time. --senders connections (HTTP/1.1 keep-alive) then
// send the requests in round order.
//
// Per server: samples/s, CPU seconds (utime+stime of the server process) per million samples
// during the sends and through a 5 s settle after them, RSS before (idle), peak (VmHWM) and
// after ingestion, RSS per series. Then it checks that the server holds the data: the number
// of series answered by count({__name__=~".+"}) and the server's own appended-samples counter
// (VictoriaMetrics: after /internal/force_flush). Then a restart on the same data directory:
// SIGTERM, start again, and the time until the readiness endpoint answers 200 and until the
// count query returns every series, with the server's CPU seconds by then (what a loaded machine
// distorts least). --perf=FILE records Sundial with `perf record -g` during its sends (FILE) and
// its restart (FILE.restart).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench/flag_value.h"
#include "integration/api/peers.h"
#include "integration/process.h"
#include "remotewrite/prompb_v1.pb.h"
#include "snappy.h"

namespace {

using sundial::testing::HttpRequest;
using sundial::testing::HttpResult;
using sundial::testing::MakeTempDir;
using sundial::testing::api::Form;
using sundial::testing::api::PickFreePort;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  int series = 1'000'000;
  int samples_per_series = 120;
  int per_request = 1000;
  int senders = 4;
  int interval_s = 15;
  std::string servers = "sundial,prometheus,victoriametrics";
  bool restart = true;
  std::string perf_file;  // perf record -g of Sundial: its sends, and its restart to <file>.restart
  std::string sundial = SUNDIAL_BINARY;
  std::string prometheus = "/usr/bin/prometheus";
  std::string victoriametrics = "/usr/bin/victoria-metrics";
};

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ---- the dataset -------------------------------------------------------------------------------

constexpr int kSeriesPerPod = 20;
constexpr int kApps = 200;
constexpr const char* kMethods[] = {"GET", "POST"};
constexpr double kMethodShare[] = {0.7, 0.3};
constexpr const char* kStatuses[] = {"200", "404", "500"};
constexpr double kStatusShare[] = {0.95, 0.04, 0.01};
constexpr const char* kBuckets[] = {"0.005", "0.01", "0.025", "0.05", "0.1",
                                    "0.25",  "0.5",  "1",     "2.5",  "+Inf"};
constexpr double kBucketShare[] = {0.1, 0.25, 0.45, 0.65, 0.8, 0.9, 0.95, 0.98, 0.995, 1.0};

uint32_t Mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352d;
  x ^= x >> 15;
  x *= 0x846ca68b;
  return x ^ (x >> 16);
}

// Labels of series k, sorted by name as remote write requires.
std::vector<std::pair<std::string, std::string>> SeriesLabels(int k) {
  const int p = k / kSeriesPerPod, kind = k % kSeriesPerPod;
  const std::string app = "app-" + std::to_string(p % kApps);
  char pod[64], instance[32];
  std::snprintf(pod, sizeof pod, "%s-%08x-%05x", app.c_str(), Mix(p), Mix(p + 1) & 0xfffff);
  std::snprintf(instance, sizeof instance, "10.%d.%d.%d:8080", (p >> 16) & 255, (p >> 8) & 255,
                p & 255);
  const std::string ns = "ns-" + std::to_string(p % kApps % 25);
  std::vector<std::pair<std::string, std::string>> l;
  auto common = [&](const char* name) {
    l.push_back({"__name__", name});
    l.push_back({"app", app});
    l.push_back({"container", app});
    l.push_back({"instance", instance});
    l.push_back({"job", "kubernetes-pods"});
  };
  auto tail = [&] {
    l.push_back({"namespace", ns});
    l.push_back({"pod", pod});
  };
  if (kind < 6) {
    common("http_requests_total");
    l.push_back({"method", kMethods[kind / 3]});
    tail();
    l.push_back({"status", kStatuses[kind % 3]});
  } else if (kind < 16) {
    common("http_request_duration_seconds_bucket");
    l.push_back({"le", kBuckets[kind - 6]});
    tail();
  } else if (kind == 16) {
    common("http_request_duration_seconds_sum");
    tail();
  } else if (kind == 17) {
    common("http_request_duration_seconds_count");
    tail();
  } else if (kind == 18) {
    common("container_memory_working_set_bytes");
    tail();
  } else {
    common("up");
    tail();
  }
  return l;
}

// Value of series k in round r: counters grow at the pod's traffic, gauges jitter.
double Value(int k, int r, int interval_s) {
  const int p = k / kSeriesPerPod, kind = k % kSeriesPerPod;
  const double requests = (1 + (p * 7919 % 97) / 10.0) * r * interval_s;
  if (kind < 6) {
    return std::floor(requests * kMethodShare[kind / 3] * kStatusShare[kind % 3]);
  }
  if (kind < 16) return std::floor(requests * kBucketShare[kind - 6]);
  if (kind == 16) return requests * 0.137 + r * 0.001 * (p % 13);
  if (kind == 17) return std::floor(requests);
  if (kind == 18) return 150e6 + (p % 50) * 4e6 + ((r * 7 + p) % 11) * 65536.0;
  return 1;
}

struct Payloads {
  std::vector<std::string> requests;  // round-major: round r, block b at r * blocks + b
  int blocks = 0;
  size_t bytes = 0;    // compressed, in total
  int64_t end_ms = 0;  // the last round's time (pods' scrape offsets go below it)
};

Payloads Generate(const Options& o) {
  Payloads out;
  out.blocks = (o.series + o.per_request - 1) / o.per_request;
  out.requests.resize(static_cast<size_t>(out.blocks) * o.samples_per_series);
  const int64_t step = o.interval_s * 1000LL;
  out.end_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() /
               step * step;
  const int64_t base = out.end_ms - (o.samples_per_series - 1) * step;
  const int threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::string raw;
      for (int b = t; b < out.blocks; b += threads) {
        const int first = b * o.per_request, last = std::min(o.series, first + o.per_request);
        sundial::remotewrite::prompb::WriteRequest req;
        for (int k = first; k < last; ++k) {
          auto* ts = req.add_timeseries();
          for (auto& [n, v] : SeriesLabels(k)) {
            auto* l = ts->add_labels();
            l->set_name(n);
            l->set_value(v);
          }
          ts->add_samples();
        }
        for (int r = 0; r < o.samples_per_series; ++r) {
          for (int k = first; k < last; ++k) {
            // Each pod is scraped at its own offset inside the interval, as Prometheus does.
            const int64_t offset = Mix(k / kSeriesPerPod) % step;
            auto* s = req.mutable_timeseries(k - first)->mutable_samples(0);
            s->set_timestamp(base + r * step - offset);
            s->set_value(Value(k, r, o.interval_s));
          }
          req.SerializeToString(&raw);
          std::string& compressed = out.requests[static_cast<size_t>(r) * out.blocks + b];
          snappy::Compress(raw.data(), raw.size(), &compressed);
          compressed.shrink_to_fit();  // Compress leaves the capacity of the worst case
        }
      }
    });
  }
  for (std::thread& th : pool) th.join();
  for (const std::string& r : out.requests) out.bytes += r.size();
  return out;
}

// ---- HTTP/1.1 keep-alive POSTs -----------------------------------------------------------------

class Connection {
 public:
  explicit Connection(int port) : port_(port) {}
  ~Connection() { Close(); }

  // POSTs body to /api/v1/write as remote write 1.0; returns the HTTP status (0: no answer)
  // and the response body in *response. Reconnects once when a kept-alive connection is gone.
  int Post(const std::string& body, std::string* response) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return 0;
      bool answered = false;
      const int status = Exchange(body, response, &answered);
      if (status != 0 || answered) return status;
      Close();
    }
    return 0;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{120, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      Close();
      return false;
    }
    buf_.clear();
    return true;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool Fill() {
    char tmp[16384];
    ssize_t n;
    do {
      n = read(fd_, tmp, sizeof tmp);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  // Reads until buf_ holds n bytes.
  bool Need(size_t n) {
    while (buf_.size() < n) {
      if (!Fill()) return false;
    }
    return true;
  }

  int Exchange(const std::string& body, std::string* response, bool* answered) {
    const std::string head =
        "POST /api/v1/write HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
        "Content-Encoding: snappy\r\nX-Prometheus-Remote-Write-Version: 0.1.0\r\n"
        "User-Agent: ingest_vs_peers\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                    {const_cast<char*>(body.data()), body.size()}};
    size_t left = head.size() + body.size();
    int i = 0;
    while (left > 0) {
      ssize_t n = writev(fd_, iov + i, 2 - i);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return 0;
      left -= static_cast<size_t>(n);
      for (size_t m = static_cast<size_t>(n); m > 0 && i < 2;) {
        const size_t take = std::min(m, iov[i].iov_len);
        iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + take;
        iov[i].iov_len -= take;
        m -= take;
        if (iov[i].iov_len == 0) ++i;
      }
    }
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    *answered = true;
    if (buf_.size() < 12) return 0;
    const int status = std::atoi(buf_.substr(9, 3).c_str());
    std::string headers = buf_.substr(0, end);
    for (char& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    buf_.erase(0, end + 4);
    response->clear();
    bool keep = headers.find("connection: close") == std::string::npos;
    if (size_t p = headers.find("content-length:"); p != std::string::npos) {
      const size_t n = std::strtoul(headers.c_str() + p + 15, nullptr, 10);
      if (!Need(n)) return 0;
      response->assign(buf_, 0, n);
      buf_.erase(0, n);
    } else if (headers.find("transfer-encoding: chunked") != std::string::npos) {
      for (;;) {
        size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return 0;
        }
        const size_t n = std::strtoul(buf_.c_str(), nullptr, 16);
        if (!Need(eol + 2 + n + 2)) return 0;
        response->append(buf_, eol + 2, n);
        buf_.erase(0, eol + 2 + n + 2);
        if (n == 0) break;
      }
    } else if (status != 204 && status != 304) {
      while (Fill()) {
      }
      *response = buf_;
      keep = false;
    }
    if (!keep) Close();
    return status;
  }

  int port_;
  int fd_ = -1;
  std::string buf_;
};

struct SendResult {
  size_t failed = 0;
  std::string first_error;
  double seconds = 0;
};

SendResult Send(int port, const Payloads& payloads, int senders) {
  SendResult result;
  std::atomic<size_t> next{0};
  std::atomic<size_t> failed{0};
  std::mutex mu;
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int s = 0; s < senders; ++s) {
    pool.emplace_back([&] {
      Connection conn(port);
      std::string response;
      for (size_t i; (i = next.fetch_add(1)) < payloads.requests.size();) {
        const int status = conn.Post(payloads.requests[i], &response);
        if (status / 100 != 2) {
          if (failed.fetch_add(1) == 0) {
            std::lock_guard<std::mutex> lock(mu);
            result.first_error = "HTTP " + std::to_string(status) + ": " + response.substr(0, 300);
          }
        }
      }
    });
  }
  for (std::thread& t : pool) t.join();
  result.seconds = Since(t0);
  result.failed = failed.load();
  return result;
}

// ---- processes ---------------------------------------------------------------------------------

// A server process with stdout and stderr appended to a log file.
class Server {
 public:
  Server(const std::vector<std::string>& argv, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    if (running()) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  bool running() {
    if (pid_ <= 0 || exited_) return false;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) exited_ = true;
    return !exited_;
  }
  // SIGTERM, then SIGKILL after timeout; returns the seconds until the process was gone.
  double Stop(std::chrono::seconds timeout) {
    const auto t0 = Clock::now();
    kill(pid_, SIGTERM);
    while (running() && Clock::now() - t0 < timeout) std::this_thread::sleep_for(10ms);
    if (running()) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      exited_ = true;
    }
    return Since(t0);
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

// utime + stime of pid in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t p = s.rfind(')');
  if (p == std::string::npos) return 0;
  // After ")": state is field 3; utime and stime are fields 14 and 15.
  std::vector<std::string> fields;
  size_t i = p + 2;
  while (i < s.size() && fields.size() < 13) {
    const size_t j = s.find(' ', i);
    fields.push_back(s.substr(i, j - i));
    i = j == std::string::npos ? s.size() : j + 1;
  }
  if (fields.size() < 13) return 0;
  return (std::atof(fields[11].c_str()) + std::atof(fields[12].c_str())) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A "VmRSS:"/"VmHWM:" line of /proc/pid/status in MiB.
double StatusMiB(pid_t pid, const std::string& key) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);) {
    if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + key.size()) / 1024;
  }
  return 0;
}

// ---- the servers -------------------------------------------------------------------------------

struct Peer {
  std::string name;
  std::function<std::vector<std::string>(int port, const std::string& dir)> argv;
  std::string ready_path;      // answers 200 once the server serves
  std::string samples_metric;  // its counter of samples taken into storage
  bool flush_before_query = false;
};

std::vector<Peer> SelectPeers(const Options& o, const std::string& config) {
  std::vector<Peer> all = {
      {"sundial",
       [&o, config](int port, const std::string& dir) {
         return std::vector<std::string>{o.sundial, "--config.file=" + config,
                                         "--storage.tsdb.path=" + dir,
                                         "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                         "--web.enable-remote-write-receiver"};
       },
       "/-/ready", "prometheus_tsdb_head_samples_appended_total"},
      {"prometheus",
       [&o, config](int port, const std::string& dir) {
         return std::vector<std::string>{o.prometheus, "--config.file=" + config,
                                         "--storage.tsdb.path=" + dir,
                                         "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                         "--web.enable-remote-write-receiver"};
       },
       "/-/ready", "prometheus_tsdb_head_samples_appended_total"},
      {"victoriametrics",
       [&o](int port, const std::string& dir) {
         return std::vector<std::string>{o.victoriametrics, "-storageDataPath=" + dir,
                                         "-httpListenAddr=127.0.0.1:" + std::to_string(port),
                                         "-retentionPeriod=10y",
                                         "-search.maxUniqueTimeseries=100000000"};
       },
       "/health", "vm_rows_added_to_storage_total", true},
  };
  std::vector<Peer> out;
  for (Peer& p : all) {
    if (("," + o.servers + ",").find("," + p.name + ",") != std::string::npos) {
      out.push_back(std::move(p));
    }
  }
  return out;
}

bool WaitReady(int port, const std::string& path, Server& server, std::chrono::seconds timeout) {
  const auto t0 = Clock::now();
  while (Clock::now() - t0 < timeout && server.running()) {
    if (HttpRequest(port, "GET", path).status == 200) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// Sum of every sample of the metric family `name` on /metrics (-1 when unreachable).
double MetricSum(int port, const std::string& name) {
  HttpResult r = HttpRequest(port, "GET", "/metrics");
  if (r.status != 200) return -1;
  double sum = 0;
  for (size_t p = 0; p < r.body.size();) {
    size_t eol = r.body.find('\n', p);
    if (eol == std::string::npos) eol = r.body.size();
    std::string_view line(r.body.data() + p, eol - p);
    if (line.substr(0, name.size()) == name && line.size() > name.size() &&
        (line[name.size()] == '{' || line[name.size()] == ' ')) {
      sum += std::atof(std::string(line.substr(line.rfind(' ') + 1)).c_str());
    }
    p = eol + 1;
  }
  return sum;
}

// count({__name__=~".+"}) at t_ms through /api/v1/query (-1 on error or no result).
double CountSeries(int port, int64_t t_ms) {
  char at[32];
  std::snprintf(at, sizeof at, "%.3f", static_cast<double>(t_ms) / 1000);
  HttpResult r = HttpRequest(
      port, "GET", "/api/v1/query?" + Form({{"query", "count({__name__=~\".+\"})"}, {"time", at}}));
  const size_t v = r.body.find("\"value\":[");
  if (r.status != 200 || v == std::string::npos) return -1;
  const size_t q = r.body.find(",\"", v);
  return q == std::string::npos ? -1 : std::atof(r.body.c_str() + q + 2);
}

struct Result {
  std::string name;
  bool ok = false;
  std::string error;
  SendResult send;
  double cpu_send = 0, cpu_settled = 0;
  double rss_idle = 0, hwm = 0, rss_after = 0;
  double series_seen = -1, samples_seen = -1;
  double stop_s = 0, ready_s = 0, full_s = -1, rss_restarted = 0;
  double cpu_restart = -1;  // server CPU seconds from the restart to every series answered
};

// perf record -g of pid into file while the returned process runs, for Sundial when --perf is set.
std::unique_ptr<Server> Profile(const Options& o, const Peer& peer, pid_t pid,
                                const std::string& file, const std::string& root) {
  if (o.perf_file.empty() || peer.name != "sundial") return nullptr;
  return std::make_unique<Server>(std::vector<std::string>{"/usr/bin/perf", "record", "-g", "-o",
                                                           file, "-p", std::to_string(pid)},
                                  root + "/perf.log");
}

void EndProfile(std::unique_ptr<Server> perf) {
  if (!perf) return;
  kill(perf->pid(), SIGINT);
  while (perf->running()) std::this_thread::sleep_for(50ms);
}

Result Run(const Options& o, const Peer& peer, const Payloads& payloads, const std::string& root) {
  Result res;
  res.name = peer.name;
  const std::string dir = root + "/" + peer.name + "-data";
  const std::string log = root + "/" + peer.name + ".log";
  const int port = PickFreePort();
  auto server = std::make_unique<Server>(peer.argv(port, dir), log);
  if (!WaitReady(port, peer.ready_path, *server, 120s)) {
    res.error = "did not become ready; see " + log;
    return res;
  }
  std::this_thread::sleep_for(2s);
  std::fprintf(stderr, "%s: sending %zu requests\n", peer.name.c_str(), payloads.requests.size());
  const pid_t pid = server->pid();
  res.rss_idle = StatusMiB(pid, "VmRSS:");

  std::unique_ptr<Server> perf = Profile(o, peer, pid, o.perf_file, root);
  const double cpu0 = CpuSeconds(pid);
  res.send = Send(port, payloads, o.senders);
  res.cpu_send = CpuSeconds(pid) - cpu0;
  EndProfile(std::move(perf));
  res.hwm = StatusMiB(pid, "VmHWM:");
  std::this_thread::sleep_for(5s);
  res.cpu_settled = CpuSeconds(pid) - cpu0;
  res.rss_after = StatusMiB(pid, "VmRSS:");

  const double want_samples =
      static_cast<double>(o.series) * static_cast<double>(o.samples_per_series);
  std::fprintf(stderr, "%s: sent in %.1f s, checking what it stored\n", peer.name.c_str(),
               res.send.seconds);
  if (peer.flush_before_query) HttpRequest(port, "GET", "/internal/force_flush");
  for (const auto t0 = Clock::now(); Clock::now() - t0 < 60s; std::this_thread::sleep_for(1s)) {
    res.samples_seen = MetricSum(port, peer.samples_metric);
    if (res.samples_seen >= want_samples) break;
  }
  for (const auto t0 = Clock::now(); Clock::now() - t0 < 60s; std::this_thread::sleep_for(1s)) {
    res.series_seen = CountSeries(port, payloads.end_ms);
    if (res.series_seen >= o.series) break;
  }
  res.ok = res.send.failed == 0 && res.series_seen == o.series && res.samples_seen == want_samples;
  if (!o.restart) return res;

  std::fprintf(stderr, "%s: restarting\n", peer.name.c_str());
  res.stop_s = server->Stop(600s);
  server.reset();
  const auto t0 = Clock::now();
  server = std::make_unique<Server>(peer.argv(port, dir), log);
  perf = Profile(o, peer, server->pid(), o.perf_file + ".restart", root);
  if (!WaitReady(port, peer.ready_path, *server, 1200s)) {
    res.error = "did not become ready after the restart; see " + log;
    return res;
  }
  res.ready_s = Since(t0);
  while (Clock::now() - t0 < 1200s && server->running()) {
    if (CountSeries(port, payloads.end_ms) == o.series) {
      res.full_s = Since(t0);
      res.cpu_restart = CpuSeconds(server->pid());
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  EndProfile(std::move(perf));
  res.rss_restarted = StatusMiB(server->pid(), "VmRSS:");
  server->Stop(600s);
  return res;
}

void PrintHeader() {
  std::printf("\n%-16s %4s %10s %9s %9s %8s %8s %8s %9s %9s %7s %8s %9s %8s\n", "server", "ok",
              "samples/s", "cpu_s/1M", "+settle", "rss_idle", "peak_rss", "rss_end", "B/series",
              "B/ser-idle", "stop_s", "ready_s", "all_ser_s", "rss_rest");
}

void PrintRow(const Options& o, const Result& r) {
  const double samples = static_cast<double>(o.series) * o.samples_per_series;
  std::printf(
      "%-16s %4s %10.0f %9.3f %9.3f %7.0fM %7.0fM %7.0fM %9.0f %9.0f %7.2f %8.2f %9.2f %7.0fM\n",
      r.name.c_str(), r.ok ? "yes" : "NO", samples / r.send.seconds, r.cpu_send / (samples / 1e6),
      r.cpu_settled / (samples / 1e6), r.rss_idle, r.hwm, r.rss_after,
      r.rss_after * 1048576 / o.series, (r.rss_after - r.rss_idle) * 1048576 / o.series, r.stop_s,
      r.ready_s, r.full_s, r.rss_restarted);
  std::printf(
      "  %zu failed requests, %.0f/%d series, %.0f/%.0f samples, restart %.2f CPU-s%s%s%s%s\n",
      r.send.failed, r.series_seen, o.series, r.samples_seen, samples, r.cpu_restart,
      r.send.first_error.empty() ? "" : ", first error ", r.send.first_error.c_str(),
      r.error.empty() ? "" : ", ERROR ", r.error.c_str());
  std::fflush(stdout);
}

void PrintComparison(const Options& o, const std::vector<Result>& results) {
  const Result* s = nullptr;
  for (const Result& r : results) {
    if (r.name == "sundial") s = &r;
  }
  if (s == nullptr) return;
  std::printf("\n");
  for (const Result& r : results) {
    if (&r == s) continue;
    std::printf(
        "sundial vs %s: %.2fx samples/s, %.2fx samples per CPU-second, %.2fx the RSS per series "
        "(%.2fx above idle)",
        r.name.c_str(), r.send.seconds / s->send.seconds, r.cpu_send / s->cpu_send,
        s->rss_after / r.rss_after, (s->rss_after - s->rss_idle) / (r.rss_after - r.rss_idle));
    if (o.restart && s->full_s > 0 && r.full_s > 0) {
      std::printf(", restart to all series %.2fx faster (%.2fx less CPU)", r.full_s / s->full_s,
                  r.cpu_restart / s->cpu_restart);
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    auto val = [&](std::string_view flag) { return sundial::bench::FlagValue(argv[i], flag); };
    if (const char* v = val("--series")) {
      o.series = std::atoi(v);
    } else if (const char* v = val("--samples_per_series")) {
      o.samples_per_series = std::atoi(v);
    } else if (const char* v = val("--per_request")) {
      o.per_request = std::atoi(v);
    } else if (const char* v = val("--senders")) {
      o.senders = std::atoi(v);
    } else if (const char* v = val("--interval_s")) {
      o.interval_s = std::atoi(v);
    } else if (const char* v = val("--servers")) {
      o.servers = v;
    } else if (const char* v = val("--restart")) {
      o.restart = std::string_view(v) != "false";
    } else if (const char* v = val("--perf")) {
      o.perf_file = v;
    } else if (const char* v = val("--sundial")) {
      o.sundial = v;
    } else if (const char* v = val("--prometheus")) {
      o.prometheus = v;
    } else if (const char* v = val("--victoriametrics")) {
      o.victoriametrics = v;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--series=N] [--samples_per_series=N] [--per_request=N] "
                   "[--senders=K] [--interval_s=S] [--servers=sundial,prometheus,victoriametrics] "
                   "[--restart=false] [--perf=FILE] [--sundial=P] [--prometheus=P] "
                   "[--victoriametrics=P]\n",
                   argv[0]);
      return 2;
    }
  }
  // Requests of one round for the same series must not race with the next round's.
  if (o.series < 1 || o.samples_per_series < 1 || o.per_request < 1 || o.senders < 1 ||
      o.interval_s < 1 || (o.series + o.per_request - 1) / o.per_request < 2 * o.senders) {
    std::fprintf(stderr, "need positive values and at least 2 x senders requests per round\n");
    return 2;
  }

  std::printf("generating %d series x %d samples in requests of %d samples...\n", o.series,
              o.samples_per_series, o.per_request);
  std::fflush(stdout);
  const auto g0 = Clock::now();
  const Payloads payloads = Generate(o);
  std::printf("%zu requests, %.1f MiB compressed (%.1f bytes/sample), generated in %.1f s\n",
              payloads.requests.size(), static_cast<double>(payloads.bytes) / 1048576,
              static_cast<double>(payloads.bytes) / o.series / o.samples_per_series, Since(g0));
  std::fflush(stdout);

  const std::string root = MakeTempDir();
  const std::string config = root + "/prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 15s\n";
  std::printf(
      "columns: cpu_s/1M = server CPU seconds per million samples during the sends, "
      "+settle = through 5 s after them; rss_end = RSS 5 s after the sends; B/series = "
      "rss_end per series, B/ser-idle = (rss_end - rss_idle) per series; stop_s = SIGTERM "
      "to exit; ready_s / all_ser_s = restart to ready / to a count of every series; "
      "rss_rest = RSS then\n");
  PrintHeader();
  std::vector<Result> results;
  for (const Peer& peer : SelectPeers(o, config)) {
    results.push_back(Run(o, peer, payloads, root));
    PrintRow(o, results.back());
    std::error_code ignored;
    std::filesystem::remove_all(root + "/" + peer.name + "-data", ignored);
  }
  PrintComparison(o, results);
  std::printf("logs in %s\n", root.c_str());
  return 0;
}
