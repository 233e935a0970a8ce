// The scrape manager with file_sd_configs, and against the real node-exporter.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/test_server.h"
#include "scrape/manager.h"
#include "scrape/scrape_test_util.h"
#include "tsdb/value.h"

extern char** environ;

namespace sundial::scrape {
namespace {

using testing::FailuresAfterSuccess;
using testing::Query;
using testing::StoredSeries;
using testing::WaitUntil;
using namespace std::chrono_literals;

void WriteAtomically(const std::string& path, const std::string& content) {
  {
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << content;
  }
  std::filesystem::rename(path + ".tmp", path);
}

config::Config ParseConfig(const std::string& yaml) {
  absl::StatusOr<config::Config> cfg = config::Parse(yaml, "test.yml");
  EXPECT_TRUE(cfg.ok()) << cfg.status();
  return cfg.ok() ? *cfg : config::Config();
}

int StaleCount(tsdb::Head& head, std::vector<std::pair<std::string, std::string>> eq) {
  int n = 0;
  for (const StoredSeries& s : Query(head, std::move(eq))) {
    for (auto [t, v] : s.samples) n += tsdb::IsStaleNaN(v);
  }
  return n;
}

size_t Samples(tsdb::Head& head, std::vector<std::pair<std::string, std::string>> eq) {
  size_t n = 0;
  for (const StoredSeries& s : Query(head, std::move(eq))) n += s.samples.size();
  return n;
}

// The values of up of the target at address, in time order.
std::vector<double> Up(tsdb::Head& head, const std::string& address) {
  std::vector<double> out;
  for (const StoredSeries& s : Query(head, {{"__name__", "up"}, {"instance", address}})) {
    for (auto [t, v] : s.samples) out.push_back(v);
  }
  return out;
}

double FileSdReadErrors() {
  const std::string text = metrics::Registry::Default().Expose();
  constexpr std::string_view kName = "\nprometheus_sd_file_read_errors_total ";
  const size_t at = text.find(kName);
  return at == std::string::npos ? 0 : std::stod(text.substr(at + kName.size()));
}

TEST(ScrapeFileSdTest, RewrittenFileMovesTargetsAndBrokenFileKeepsThem) {
  net::testing::TestServer a([](const net::testing::ServerRequest&) {
    return net::testing::ServerResponse{.body = "from_a 1\n"};
  });
  net::testing::TestServer b([](const net::testing::ServerRequest&) {
    return net::testing::ServerResponse{.body = "from_b 1\n"};
  });
  net::testing::TempDir dir;
  const std::string file = dir.path() + "/targets.json";
  auto targets_json = [](const net::testing::TestServer& s) {
    return StrCat("[{\"targets\": [\"127.0.0.1:", s.port(), "\"], \"labels\": {\"team\": \"t\"}}]");
  };
  WriteAtomically(file, targets_json(a));

  net::IoPool pool(2);
  tsdb::Head head;
  Manager manager({.appendable = &head, .io_pool = &pool, .discovery_update_interval = 10ms});
  ASSERT_TRUE(manager
                  .ApplyConfig(ParseConfig(
                      StrCat("scrape_configs:\n  - job_name: f\n    scrape_interval: 200ms\n"
                             "    scrape_timeout: 150ms\n    file_sd_configs:\n      - files: ['",
                             dir.path(), "/*.json']\n        refresh_interval: 1h\n")))
                  .ok());
  const std::string address_a = StrCat("127.0.0.1:", a.port());
  const std::string address_b = StrCat("127.0.0.1:", b.port());
  ASSERT_TRUE(WaitUntil([&] { return Samples(head, {{"__name__", "from_a"}}) >= 2; }));
  std::vector<StoredSeries> from_a = Query(head, {{"__name__", "from_a"}});
  ASSERT_EQ(from_a.size(), 1u);
  EXPECT_EQ(from_a[0].labels.Get("team"), "t");
  EXPECT_FALSE(from_a[0].labels.Has("__meta_filepath"));
  std::vector<TargetStatus> active = manager.Targets().active;
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].discovered_labels.Get("__meta_filepath"), file);

  // Rewrite the file while scrapes run: b replaces a, and a's series go stale. a's loop is
  // stopped once its up is marked stale; from_a has then one marker for each scrape that failed
  // after a successful one (on a loaded machine a scrape of a local endpoint can time out) and one
  // for the removal, unless the last scrape failed and so already marked it.
  WriteAtomically(file, targets_json(b));
  ASSERT_TRUE(WaitUntil([&] { return Samples(head, {{"__name__", "from_b"}}) >= 2; }));
  ASSERT_TRUE(WaitUntil([&] {
    return StaleCount(head, {{"__name__", "up"}, {"instance", address_a}}) == 1;
  }));
  const std::vector<double> up_a = Up(head, address_a);
  ASSERT_GE(up_a.size(), 2u);
  EXPECT_TRUE(std::isnan(up_a.back()));
  const bool last_ok = up_a[up_a.size() - 2] == 1;
  EXPECT_EQ(StaleCount(head, {{"__name__", "from_a"}}),
            FailuresAfterSuccess(up_a) + (last_ok ? 1 : 0));

  // A broken rewrite keeps b as the target: once discovery has read it, b goes on being scraped
  // and nothing of b is marked stale but after its own failed scrapes. (The counts are read apart
  // while b is scraped, so they are compared until they agree.)
  const double read_errors = FileSdReadErrors();
  WriteAtomically(file, "[{\"targets\": [");
  ASSERT_TRUE(WaitUntil([&] { return FileSdReadErrors() > read_errors; }));
  const size_t before = Samples(head, {{"__name__", "from_b"}});
  ASSERT_TRUE(WaitUntil([&] { return Samples(head, {{"__name__", "from_b"}}) >= before + 2; }));
  EXPECT_EQ(StaleCount(head, {{"__name__", "up"}, {"instance", address_b}}), 0);
  EXPECT_TRUE(WaitUntil([&] {
    return StaleCount(head, {{"__name__", "from_b"}}) == FailuresAfterSuccess(Up(head, address_b));
  }));
  EXPECT_EQ(manager.Targets().active.size(), 1u);
  manager.Stop();
}

// Starts /usr/bin/prometheus-node-exporter on a free loopback port; kills it on destruction.
class NodeExporter {
 public:
  static constexpr const char* kPath = "/usr/bin/prometheus-node-exporter";
  NodeExporter() {
    net::testing::TestServer probe(
        [](const net::testing::ServerRequest&) { return net::testing::ServerResponse{}; });
    port_ = probe.port();  // free once probe closes
  }
  bool Start() {
    std::string listen = StrCat("--web.listen-address=127.0.0.1:", port_);
    std::vector<std::string> args = {kPath, listen, "--log.level=error"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return posix_spawn(&pid_, kPath, nullptr, nullptr, argv.data(), environ) == 0;
  }
  ~NodeExporter() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  uint16_t port() const { return port_; }

 private:
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

TEST(ScrapeNodeExporterTest, TwoCyclesEverySampleStored) {
  if (access(NodeExporter::kPath, X_OK) != 0) GTEST_SKIP() << "node-exporter not installed";
  NodeExporter exporter;
  ASSERT_TRUE(exporter.Start());
  net::IoPool pool(2);
  tsdb::Head head;
  Manager manager({.appendable = &head, .io_pool = &pool, .discovery_update_interval = 10ms});
  ASSERT_TRUE(manager
                  .ApplyConfig(ParseConfig(
                      StrCat("scrape_configs:\n  - job_name: node\n    scrape_interval: 1s\n"
                             "    scrape_timeout: 1s\n    static_configs:\n"
                             "      - targets: ['127.0.0.1:",
                             exporter.port(), "']\n")))
                  .ok());
  // Until the exporter listens, scrapes fail; wait for two good ones. (Under a host that steals
  // CPU, the exporter, in the same CPU-starved cgroup, has taken seconds to start.)
  auto good_scrapes = [&] {
    std::vector<int64_t> ts;
    for (const StoredSeries& s : Query(head, {{"__name__", "up"}})) {
      for (auto [t, v] : s.samples) {
        if (v == 1) ts.push_back(t);
      }
    }
    return ts;
  };
  ASSERT_TRUE(WaitUntil([&] { return good_scrapes().size() >= 2; }, 60s));
  manager.Stop();
  for (int64_t t : good_scrapes()) {
    double scraped = -1, post = -1;
    size_t stored = 0;
    for (const StoredSeries& s : Query(head, {{"job", "node"}})) {
      for (auto [st, v] : s.samples) {
        if (st != t) continue;
        std::string_view name = s.labels.MetricName();
        if (name == "scrape_samples_scraped") scraped = v;
        if (name == "scrape_samples_post_metric_relabeling") post = v;
        if (name == "up" || name.starts_with("scrape_")) continue;
        ++stored;
      }
    }
    EXPECT_GT(scraped, 100);
    EXPECT_EQ(post, scraped);
    EXPECT_EQ(static_cast<double>(stored), scraped) << "scrape at " << t;
  }
}

}  // namespace
}  // namespace sundial::scrape
