#include "integration/api/peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>

#include "remotewrite/prompb_v1.pb.h"
#include "snappy.h"

namespace sundial::testing::api {
namespace {

using namespace std::chrono_literals;

// Prometheus' stale marker: a NaN with this exact bit pattern.
constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

using LabelList = std::vector<std::pair<std::string, std::string>>;

void AddSeries(remotewrite::prompb::WriteRequest* request, const LabelList& labels,
               const std::vector<double>& values) {
  remotewrite::prompb::TimeSeries* ts = request->add_timeseries();
  for (const auto& [name, value] : labels) {
    remotewrite::prompb::Label* l = ts->add_labels();
    l->set_name(name);
    l->set_value(value);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    remotewrite::prompb::Sample* s = ts->add_samples();
    s->set_timestamp(BaseMs() + static_cast<int64_t>(i) * kStepMs);
    s->set_value(values[i]);
  }
}

// The dataset; see the header. Values are deterministic functions of the step index.
remotewrite::prompb::WriteRequest Dataset() {
  struct Service {
    const char* name;
    const char* job;
    std::vector<const char*> instances;
    double scale;  // traffic multiplier
  };
  const std::vector<Service> services = {
      {"auth-server", "auth-server-rust", {"auth-rust-1:8080", "auth-rust-2:8080"}, 1.0},
      {"bff-proxy", "bff-proxy-go", {"bff-proxy:8080"}, 2.5},
      {"config-server", "config-server-rust", {"config-rust:8080"}, 0.3},
  };
  const std::vector<std::pair<const char*, double>> statuses = {
      {"200", 10}, {"404", 0.7}, {"500", 0.25}};
  const std::vector<std::pair<const char*, double>> buckets = {
      {"0.05", 0.31}, {"0.1", 0.52}, {"0.25", 0.74}, {"0.5", 0.87},
      {"1", 0.95},    {"2.5", 0.99}, {"+Inf", 1.0}};
  remotewrite::prompb::WriteRequest request;
  for (size_t s = 0; s < services.size(); ++s) {
    const Service& svc = services[s];
    for (size_t k = 0; k < svc.instances.size(); ++k) {
      const std::string instance = svc.instances[k];
      LabelList target = {{"instance", instance}, {"job", svc.job}, {"service", svc.name}};
      // up: 1, except the second auth instance is down for the last third.
      std::vector<double> up(kPoints, 1.0);
      if (s == 0 && k == 1) {
        for (int i = 80; i < kPoints; ++i) up[i] = 0;
      }
      LabelList up_labels = target;
      up_labels.insert(up_labels.begin(), {"__name__", "up"});
      AddSeries(&request, up_labels, up);

      for (const char* method : {"GET", "POST"}) {
        for (const auto& [status, weight] : statuses) {
          std::vector<double> counter(kPoints);
          double total = 0;
          for (int i = 0; i < kPoints; ++i) {
            double step = svc.scale * weight * (std::strcmp(method, "GET") == 0 ? 3 : 1) *
                          (1 + (i % 4) * 0.25 + static_cast<double>(k));
            total += step;
            // bff-proxy GET 200 restarts at step 75: the counter resets to its new increments.
            if (s == 1 && std::strcmp(method, "GET") == 0 && std::strcmp(status, "200") == 0 &&
                i == 75) {
              total = step;
            }
            counter[i] = total;
          }
          LabelList labels = {{"__name__", "http_requests_total"},
                              {"instance", instance},
                              {"job", svc.job},
                              {"method", method},
                              {"service", svc.name},
                              {"status", status}};
          AddSeries(&request, labels, counter);
        }
      }

      // A classic histogram: per step, 20 * scale requests spread over the buckets.
      std::vector<double> count(kPoints), sum(kPoints);
      for (int i = 0; i < kPoints; ++i) {
        count[i] = 20 * svc.scale * (k + 1) * i;
        sum[i] = count[i] * (0.08 + 0.01 * static_cast<double>(s)) + 0.001 * (i % 7);
      }
      for (const auto& [le, fraction] : buckets) {
        std::vector<double> bucket(kPoints);
        for (int i = 0; i < kPoints; ++i) {
          // Slow services put fewer requests in the low buckets.
          double f = fraction == 1.0 ? 1.0 : fraction * (1.0 - 0.1 * static_cast<double>(s));
          bucket[i] = std::floor(count[i] * f);
        }
        LabelList labels = {{"__name__", "http_request_duration_seconds_bucket"},
                            {"instance", instance},
                            {"job", svc.job},
                            {"le", le},
                            {"service", svc.name}};
        AddSeries(&request, labels, bucket);
      }
      LabelList sum_labels = {{"__name__", "http_request_duration_seconds_sum"},
                              {"instance", instance},
                              {"job", svc.job},
                              {"service", svc.name}};
      AddSeries(&request, sum_labels, sum);
      LabelList count_labels = sum_labels;
      count_labels[0].second = "http_request_duration_seconds_count";
      AddSeries(&request, count_labels, count);

      // Gauges with fractional values.
      std::vector<double> memory(kPoints), inflight(kPoints);
      for (int i = 0; i < kPoints; ++i) {
        memory[i] = 5.0e7 * svc.scale + 12345.678 * i - 1000.0 * (i % 5);
        inflight[i] = (i % 9) / 3.0 + 0.1 * static_cast<double>(k);
      }
      LabelList mem_labels = target;
      mem_labels.insert(mem_labels.begin(), {"__name__", "process_resident_memory_bytes"});
      AddSeries(&request, mem_labels, memory);
      LabelList inflight_labels = target;
      inflight_labels.insert(inflight_labels.begin(), {"__name__", "http_requests_in_flight"});
      AddSeries(&request, inflight_labels, inflight);
    }
  }
  // A queue-depth gauge of a worker that went away: its last sample, at step 70, is a stale
  // marker, so instant queries after that no longer see it.
  std::vector<double> depth(71);
  for (int i = 0; i < 70; ++i) depth[i] = 100 + 7 * (i % 6);
  double stale = 0;
  std::memcpy(&stale, &kStaleNaNBits, sizeof stale);
  depth[70] = stale;
  AddSeries(&request,
            {{"__name__", "dlq_queue_depth"},
             {"instance", "dlq-manager:8080"},
             {"job", "dlq-manager"},
             {"service", "dlq-manager"}},
            depth);
  return request;
}

// POSTs a remote write 1.0 body; returns the HTTP status (0 when the connection failed) and
// appends the response body to *body.
int PostRemoteWrite(int port, const std::string& payload, std::string* body) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return 0;
  }
  std::string req =
      "POST /api/v1/write HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
      "X-Prometheus-Remote-Write-Version: 0.1.0\r\nUser-Agent: sundial-api-test\r\n"
      "Content-Length: " +
      std::to_string(payload.size()) + "\r\n\r\n" + payload;
  size_t written = 0;
  while (written < req.size()) {
    ssize_t n = write(fd, req.data() + written, req.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  if (raw.size() < 12) return 0;
  body->append(raw);
  return std::atoi(raw.substr(9, 3).c_str());
}

}  // namespace

int64_t BaseMs() {
  static const int64_t base = [] {
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    return now / 60'000 * 60'000 - 35 * 60'000;
  }();
  return base;
}

std::string Seconds(int64_t ms) {
  std::string out = std::to_string(ms / 1000);
  int64_t frac = ms % 1000;
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

std::string At(int64_t offset_ms) { return Seconds(BaseMs() + offset_ms); }

std::string Escape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

std::string Form(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += Escape(k) + "=" + Escape(v);
  }
  return out;
}

Peers* Peers::Get(std::string* skip, std::string* error, bool admin_api, bool exemplar_storage) {
  // Destroyed at exit, which kills both children and removes the temp dir.
  static std::unique_ptr<Peers> peers;
  static std::string start_error;
  static bool started = false;
  if (access(kPrometheusBinary, X_OK) != 0) {
    *skip = std::string(kPrometheusBinary) + " is not installed";
    return nullptr;
  }
  if (!started) {
    started = true;
    peers.reset(new Peers());
    start_error = peers->Start(admin_api, exemplar_storage);
    if (!start_error.empty()) peers.reset();
  }
  *error = start_error;
  return peers.get();
}

std::string Peers::Start(bool admin_api, bool exemplar_storage) {
  if (dir_.path().empty()) return "cannot make a temp dir";
  const std::string config = dir_.File("prometheus.yml");
  // No scrape configs: the only data is the dataset, so label and series lists are comparable.
  std::ofstream(config) << "global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n";

  for (int attempt = 0; attempt < 3 && prometheus_port_ == 0; ++attempt) {
    int port = PickFreePort();
    std::vector<std::string> argv = {kPrometheusBinary, "--config.file=" + config,
                                     "--storage.tsdb.path=" + dir_.File("prometheus-data"),
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                     "--web.enable-remote-write-receiver"};
    if (admin_api) argv.push_back("--web.enable-admin-api");
    if (exemplar_storage) argv.push_back("--enable-feature=exemplar-storage");
    auto child = std::make_unique<ChildProcess>(argv);
    if (child->WaitForStderr("Server is ready to receive web requests.", 60s)) {
      prometheus_ = std::move(child);
      prometheus_port_ = port;
    } else if (child->Stderr().find("address already in use") == std::string::npos) {
      return "prometheus did not start:\n" + child->Stderr();
    }
  }
  if (prometheus_port_ == 0) return "prometheus found no free port";

  std::vector<std::string> argv = {
      SUNDIAL_BINARY, "--config.file=" + config, "--storage.tsdb.path=" + sundial_data_dir(),
      "--web.listen-address=127.0.0.1:0", "--web.enable-remote-write-receiver"};
  if (admin_api) argv.push_back("--web.enable-admin-api");
  if (exemplar_storage) argv.push_back("--enable-feature=exemplar-storage");
  sundial_ = std::make_unique<ChildProcess>(argv);
  if (!sundial_->WaitForStderr("Server is ready to receive web requests.", 60s)) {
    return "sundial did not start:\n" + sundial_->Stderr();
  }
  std::smatch m;
  std::string log = sundial_->Stderr();
  if (!std::regex_search(
          log, m, std::regex("msg=\"Start listening for connections\" address=127.0.0.1:(\\d+)"))) {
    return "no listen address in sundial's log:\n" + log;
  }
  sundial_port_ = std::stoi(m[1]);

  const std::string raw = Dataset().SerializeAsString();
  std::string payload;
  snappy::Compress(raw.data(), raw.size(), &payload);
  for (auto [name, port] : {std::pair<const char*, int>{"prometheus", prometheus_port_},
                            std::pair<const char*, int>{"sundial", sundial_port_}}) {
    std::string body;
    int status = PostRemoteWrite(port, payload, &body);
    if (status != 204) {
      return std::string("remote write to ") + name + " answered " + std::to_string(status) +
             ":\n" + body;
    }
  }
  return "";
}

int RemoteWrite(int port, const std::string& payload, std::string* response) {
  return PostRemoteWrite(port, payload, response);
}

bool SundialLacks(int sundial_port, const std::string& path) {
  HttpResult r = HttpRequest(sundial_port, "GET", path);
  return r.status == 404 && r.body.find("\"status\"") == std::string::npos;
}

}  // namespace sundial::testing::api
