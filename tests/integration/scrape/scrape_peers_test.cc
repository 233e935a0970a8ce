// Sundial and the Debian Prometheus 2.42 scrape the same real targets — a Debian node-exporter and
// Prometheus' own /metrics — and an OpenMetrics body with exemplars, with the same configuration
// and --enable-feature=exemplar-storage; the series they store, their target health, the
// staleness after a target dies, the metric metadata and the exemplars must agree.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "integration/api/json.h"
#include "integration/api/peers.h"
#include "integration/process.h"
#include "net/test_server.h"
#include "testing/temp_dir.h"

namespace sundial::testing {
namespace {

using namespace std::chrono_literals;
using api::Escape;
using api::kPrometheusBinary;

constexpr char kNodeExporter[] = "/usr/bin/prometheus-node-exporter";

// Collectors whose series set does not change from one scrape to the next on any machine.
const std::vector<std::string> kNodeCollectors = {"cpu",  "loadavg", "meminfo", "stat",
                                                  "time", "uname",   "vmstat"};

struct Server {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  std::string name;
};

// An OpenMetrics body whose exemplars carry timestamps, so that both servers store the same ones.
std::string OpenMetricsBody(int64_t ts_s) {
  const std::string ts = std::to_string(ts_s);
  return "# TYPE om_requests counter\n# HELP om_requests Requests.\n"
         "om_requests_total{code=\"200\"} 10 # {trace_id=\"a1\"} 1 " +
         ts + ".5\nom_requests_total{code=\"500\"} 2\n" +
         "# TYPE om_latency_seconds histogram\n# UNIT om_latency_seconds seconds\n"
         "om_latency_seconds_bucket{le=\"0.1\"} 3 # {trace_id=\"b1\",span_id=\"s\"} 0.05 " +
         ts + "\nom_latency_seconds_bucket{le=\"+Inf\"} 4 # {trace_id=\"b2\"} 7 " + ts +
         ".25\nom_latency_seconds_count 4\nom_latency_seconds_sum 7.3\n# EOF\n";
}

std::string Config(int node_port, int prometheus_port, int om_port) {
  return "global:\n"
         "  scrape_interval: 1s\n"
         "  scrape_timeout: 1s\n"
         "scrape_configs:\n"
         "  - job_name: node\n"
         "    static_configs:\n"
         "      - targets: ['127.0.0.1:" +
         std::to_string(node_port) +
         "']\n"
         "        labels: {env: test}\n"
         "  - job_name: prometheus\n"
         "    static_configs:\n"
         "      - targets: ['127.0.0.1:" +
         std::to_string(prometheus_port) +
         "']\n"
         "    metric_relabel_configs:\n"
         "      - source_labels: [__name__]\n"
         "        regex: 'go_.*|process_.*|prometheus_build_info|prometheus_tsdb_head_.*'\n"
         "        action: keep\n"
         "  - job_name: om\n"
         "    static_configs:\n"
         "      - targets: ['127.0.0.1:" +
         std::to_string(om_port) + "']\n";
}

json::Value Get(const Server& s, const std::string& target) {
  HttpResult r = HttpRequest(s.port, "GET", target);
  json::Value v;
  std::string error;
  EXPECT_EQ(r.status, 200) << s.name << " " << target << ": " << r.body;
  EXPECT_TRUE(json::Parse(r.body, &v, &error)) << s.name << ": " << error;
  return v;
}

// The label sets of the series matching `selector`, canonical JSON each.
std::set<std::string> SeriesSet(const Server& s, const std::string& selector) {
  json::Value v = Get(s, "/api/v1/series?match[]=" + Escape(selector) +
                             "&start=" + std::to_string(::time(nullptr) - 120));
  std::set<std::string> out;
  if (const json::Value* data = v.Find("data"); data != nullptr) {
    for (const json::Value& series : data->items) out.insert(json::Canonical(series));
  }
  return out;
}

// The instant query result at now as a set of "labels => value" (values only when with_values).
std::set<std::string> Instant(const Server& s, const std::string& query, bool with_values) {
  json::Value v = Get(s, "/api/v1/query?query=" + Escape(query));
  std::set<std::string> out;
  const json::Value* data = v.Find("data");
  const json::Value* result = data == nullptr ? nullptr : data->Find("result");
  if (result == nullptr) return out;
  for (const json::Value& sample : result->items) {
    std::string line = json::Canonical(*sample.Find("metric"));
    if (with_values) line += " => " + sample.Find("value")->items[1].text;
    out.insert(line);
  }
  return out;
}

// Polls until both servers answer the query with a non-empty result satisfying `done`.
bool WaitBoth(const std::vector<Server*>& servers, const std::string& query,
              std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (Server* s : servers) all = all && !Instant(*s, query, false).empty();
    if (all) return true;
    std::this_thread::sleep_for(250ms);
  }
  return false;
}

// Polls until both servers give the same answer to query (values included), for values of a
// target that may change between one server's scrape and the other's (Prometheus' own /metrics
// grows as the test queries it). Returns the last two answers.
std::pair<std::set<std::string>, std::set<std::string>> SameAnswerSoon(
    const Server& a, const Server& b, const std::string& query, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::set<std::string> x = Instant(a, query, true), y = Instant(b, query, true);
    if (x == y || std::chrono::steady_clock::now() >= deadline) return {x, y};
    std::this_thread::sleep_for(250ms);
  }
}

class ScrapePeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPrometheusBinary, X_OK) != 0) GTEST_SKIP() << "no " << kPrometheusBinary;
    if (access(kNodeExporter, X_OK) != 0) GTEST_SKIP() << "no " << kNodeExporter;
    node_port_ = PickFreePort();
    std::vector<std::string> node_argv = {
        kNodeExporter, "--web.listen-address=127.0.0.1:" + std::to_string(node_port_),
        "--collector.disable-defaults"};
    for (const std::string& c : kNodeCollectors) node_argv.push_back("--collector." + c);
    node_ = std::make_unique<ChildProcess>(node_argv);
    ASSERT_TRUE(node_->WaitForStderr("Listening on", 60s)) << node_->Stderr();

    prometheus_.name = "prometheus";
    prometheus_.port = PickFreePort();
    const std::string config = dir_ + "/prometheus.yml";
    exemplar_ts_s_ = ::time(nullptr) - 60;
    om_ = std::make_unique<net::testing::TestServer>([this](const net::testing::ServerRequest&) {
      return net::testing::ServerResponse{
          .status = 200,
          .headers = {{"Content-Type", "application/openmetrics-text; version=1.0.0"}},
          .body = OpenMetricsBody(exemplar_ts_s_)};
    });
    std::ofstream(config) << Config(node_port_, prometheus_.port, om_->port());
    prometheus_.process = std::make_unique<ChildProcess>(std::vector<std::string>{
        kPrometheusBinary, "--config.file=" + config,
        "--storage.tsdb.path=" + dir_ + "/prometheus-data",
        "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_.port),
        "--enable-feature=exemplar-storage"});
    ASSERT_TRUE(prometheus_.process->WaitForStderr("Server is ready to receive web requests.", 60s))
        << prometheus_.process->Stderr();

    sundial_.name = "sundial";
    sundial_.process = std::make_unique<ChildProcess>(std::vector<std::string>{
        SUNDIAL_BINARY, "--config.file=" + config, "--storage.tsdb.path=" + dir_ + "/sundial-data",
        "--web.listen-address=127.0.0.1:0", "--enable-feature=exemplar-storage"});
    ASSERT_TRUE(sundial_.process->WaitForStderr("Server is ready to receive web requests.", 60s))
        << sundial_.process->Stderr();
    std::smatch m;
    const std::string log = sundial_.process->Stderr();
    ASSERT_TRUE(std::regex_search(
        log, m, std::regex("msg=\"Start listening for connections\" address=127.0.0.1:(\\d+)")))
        << log;
    sundial_.port = std::stoi(m[1]);
  }

  std::vector<Server*> Both() { return {&prometheus_, &sundial_}; }

  const TempDir tmp_;  // outlives the servers
  const std::string& dir_ = tmp_.path();
  int64_t exemplar_ts_s_ = 0;
  std::unique_ptr<net::testing::TestServer> om_;
  int node_port_ = 0;
  std::unique_ptr<ChildProcess> node_;
  Server prometheus_;
  Server sundial_;
};

TEST_F(ScrapePeersTest, SameSeriesHealthAndStaleness) {
  // Three successful scrapes of each target on both servers.
  ASSERT_TRUE(WaitBoth(Both(), "count_over_time(up{job=\"node\"}[1m]) >= 3", 60s));
  ASSERT_TRUE(WaitBoth(Both(), "count_over_time(up{job=\"prometheus\"}[1m]) >= 3", 60s));

  for (const char* job : {"node", "prometheus"}) {
    SCOPED_TRACE(job);
    const std::string selector = std::string("{job=\"") + job + "\"}";
    const std::set<std::string> want = SeriesSet(prometheus_, selector);
    const std::set<std::string> got = SeriesSet(sundial_, selector);
    EXPECT_GT(want.size(), 20u);
    std::vector<std::string> missing, extra;
    for (const std::string& s : want) {
      if (!got.contains(s)) missing.push_back(s);
    }
    for (const std::string& s : got) {
      if (!want.contains(s)) extra.push_back(s);
    }
    EXPECT_TRUE(missing.empty()) << missing.size() << " series only in Prometheus, first "
                                 << missing.front();
    EXPECT_TRUE(extra.empty()) << extra.size() << " series only in Sundial, first "
                               << extra.front();
    // Per target: healthy, and the same number of samples scraped and kept after relabeling.
    const std::string by = std::string("{job=\"") + job + "\"}";
    for (const char* metric :
         {"up", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling"}) {
      auto [got_values, want_values] = SameAnswerSoon(sundial_, prometheus_, metric + by, 30s);
      EXPECT_EQ(got_values, want_values) << metric;
    }
  }
  // Values that do not move between scrapes are equal.
  for (const char* stable : {"node_memory_MemTotal_bytes", "node_uname_info",
                             "count by (cpu) (node_cpu_seconds_total)", "prometheus_build_info"}) {
    EXPECT_EQ(Instant(sundial_, stable, true), Instant(prometheus_, stable, true)) << stable;
  }

  // The node exporter goes away: both mark it down and its series go stale.
  node_->Signal(SIGKILL);
  node_->Wait(10s);
  ASSERT_TRUE(WaitBoth(Both(), "up{job=\"node\"} == 0", 30s));
  for (Server* s : Both()) {
    EXPECT_TRUE(Instant(*s, "node_load1", false).empty()) << s->name << " still serves node_load1";
  }
  EXPECT_EQ(Instant(sundial_, "{job=\"node\"}", false),
            Instant(prometheus_, "{job=\"node\"}", false));
  EXPECT_EQ(Instant(sundial_, "scrape_samples_scraped{job=\"node\"}", true),
            Instant(prometheus_, "scrape_samples_scraped{job=\"node\"}", true));

  // The targets API agrees on health and labels.
  for (const char* state : {"up", "down"}) {
    std::set<std::string> per_server[2];
    for (int i = 0; i < 2; ++i) {
      json::Value v = Get(*Both()[i], "/api/v1/targets?state=active");
      for (const json::Value& t : v.Find("data")->Find("activeTargets")->items) {
        if (t.Find("health")->text != state) continue;
        per_server[i].insert(json::Canonical(*t.Find("labels")) + " " +
                             json::Canonical(*t.Find("discoveredLabels")));
      }
    }
    EXPECT_EQ(per_server[1], per_server[0]) << state;
  }
}

// An API answer made order-insensitive where Prometheus' order comes from Go maps: the entries
// of /targets/metadata, and each family's entries of /metadata, as a set of canonical lines.
// An error answer is its canonical JSON and status.
std::set<std::string> MetadataAnswer(const Server& s, const std::string& target) {
  HttpResult r = HttpRequest(s.port, "GET", target);
  json::Value v;
  std::string error;
  EXPECT_TRUE(json::Parse(r.body, &v, &error)) << s.name << ": " << error;
  const json::Value* data = v.Find("data");
  if (r.status != 200 || data == nullptr) {
    return {std::to_string(r.status) + " " + json::Canonical(v)};
  }
  std::set<std::string> out;
  if (data->is_array()) {
    for (const json::Value& e : data->items) out.insert(json::Canonical(e));
  }
  for (const json::Member& family : data->members) {
    for (const json::Value& e : family.second.items) {
      out.insert(family.first + " " + json::Canonical(e));
    }
  }
  if (out.empty()) out.insert("(empty)");
  return out;
}

// The number of families (/metadata) or entries (/targets/metadata) of an answer.
size_t MetadataCount(const Server& s, const std::string& target) {
  json::Value v = Get(s, target);
  const json::Value* data = v.Find("data");
  if (data == nullptr) return 0;
  return data->is_array() ? data->items.size() : data->members.size();
}

TEST_F(ScrapePeersTest, SameMetadata) {
  ASSERT_TRUE(WaitBoth(Both(), "count_over_time(up{job=\"node\"}[1m]) >= 2", 60s));
  ASSERT_TRUE(WaitBoth(Both(), "count_over_time(up{job=\"prometheus\"}[1m]) >= 2", 60s));
  const std::string node_target = Escape(R"({job="node"})");
  const std::vector<std::string> targets = {
      "/api/v1/metadata",
      "/api/v1/metadata?metric=node_load1",
      "/api/v1/metadata?metric=node_cpu_seconds_total",
      "/api/v1/metadata?metric=no_such_metric",
      "/api/v1/metadata?limit=-1",
      "/api/v1/metadata?limit=0",
      "/api/v1/metadata?limit=x",
      "/api/v1/metadata?limit=1.5",
      "/api/v1/targets/metadata",
      "/api/v1/targets/metadata?metric=node_load1",
      "/api/v1/targets/metadata?metric=go_goroutines",
      "/api/v1/targets/metadata?match_target=" + node_target,
      "/api/v1/targets/metadata?match_target=" + node_target + "&metric=node_memory_MemTotal_bytes",
      "/api/v1/targets/metadata?match_target=" + Escape(R"({job="none"})"),
      "/api/v1/targets/metadata?match_target=" + Escape("{job="),
      "/api/v1/targets/metadata?match_target=" + Escape("{}"),
      "/api/v1/targets/metadata?limit=0",
      "/api/v1/targets/metadata?limit=y",
  };
  for (const std::string& target : targets) {
    SCOPED_TRACE(target);
    // Prometheus' own /metrics can gain a family between the two servers' scrapes.
    std::set<std::string> want, got;
    for (const auto deadline = std::chrono::steady_clock::now() + 30s;;) {
      want = MetadataAnswer(prometheus_, target);
      got = MetadataAnswer(sundial_, target);
      if (want == got || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(250ms);
    }
    EXPECT_EQ(got, want);
  }
  EXPECT_GT(MetadataCount(prometheus_, "/api/v1/metadata"), 50u);
  EXPECT_EQ(MetadataCount(sundial_, "/api/v1/metadata?limit=5"), 5u);
  EXPECT_EQ(MetadataCount(prometheus_, "/api/v1/metadata?limit=5"), 5u);
  // The limit of /targets/metadata is checked per target: the first target's entries all count.
  for (const Server* s : Both()) {
    EXPECT_EQ(MetadataCount(*s, "/api/v1/targets/metadata?limit=1&match_target=" + node_target),
              MetadataCount(*s, "/api/v1/targets/metadata?match_target=" + node_target))
        << s->name;
  }
}

TEST_F(ScrapePeersTest, SameScrapedExemplars) {
  ASSERT_TRUE(WaitBoth(Both(), "count_over_time(up{job=\"om\"}[1m]) >= 2", 60s));
  const std::string range = "&start=" + std::to_string(exemplar_ts_s_ - 10) +
                            "&end=" + std::to_string(exemplar_ts_s_ + 10);
  for (const char* query : {"om_requests_total", "om_latency_seconds_bucket", R"({job="om"})",
                            "rate(om_requests_total[1m])"}) {
    SCOPED_TRACE(query);
    json::Value want = Get(prometheus_, "/api/v1/query_exemplars?query=" + Escape(query) + range);
    json::Value got = Get(sundial_, "/api/v1/query_exemplars?query=" + Escape(query) + range);
    EXPECT_EQ(json::Canonical(got), json::Canonical(want));
    const json::Value* data = want.Find("data");
    ASSERT_NE(data, nullptr);
    EXPECT_FALSE(data->items.empty());
  }
}

}  // namespace
}  // namespace sundial::testing
