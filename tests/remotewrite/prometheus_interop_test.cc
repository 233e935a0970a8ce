// Interop with the real peer: Prometheus 2.42 scrapes itself and remote-writes to a loopback
// web::Server whose /api/v1/write route is web::RemoteWriteHandler over a Head. Skipped when
// /usr/bin/prometheus is missing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/json.h"
#include "integration/process.h"
#include "net/io_pool.h"
#include "remotewrite/payloads.h"
#include "testing/temp_dir.h"
#include "tsdb/head.h"
#include "web/remote_write_handler.h"
#include "web/router.h"
#include "web/server.h"

namespace sundial::remotewrite {
namespace {

constexpr char kPrometheus[] = "/usr/bin/prometheus";

using sundial::testing::TempDir;
using Samples = std::vector<std::pair<int64_t, double>>;

// The samples of the one series in a range query answer of the Prometheus API.
Samples ApiMatrixSamples(const std::string& body) {
  Samples samples;
  absl::StatusOr<Json> doc = Json::Parse(body);
  if (!doc.ok()) return samples;
  for (const Json& series : (*doc)["data"]["result"].items()) {
    for (const Json& point : series["values"].items()) {
      const std::vector<Json>& pair = point.items();
      if (pair.size() != 2) continue;
      samples.emplace_back(std::llround(pair[0].number() * 1000), std::stod(pair[1].str()));
    }
  }
  return samples;
}

TEST(PrometheusInteropTest, ReceivesPrometheusOwnSeries) {
  if (access(kPrometheus, X_OK) != 0) GTEST_SKIP() << kPrometheus << " not installed";

  tsdb::Head head;
  net::IoPool pool(2);
  web::Router router;
  router.Post("/api/v1/write", web::RemoteWriteHandler(&head));
  std::mutex mu;
  std::vector<int> statuses;
  web::ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.observer = [&](std::string_view, int status, std::chrono::nanoseconds) {
    std::lock_guard<std::mutex> lock(mu);
    statuses.push_back(status);
  };
  absl::StatusOr<std::unique_ptr<web::Server>> server =
      web::Server::Create(options, &pool, &router);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Start().ok());

  TempDir dir;
  const int prom_port = sundial::testing::PickFreePort();
  ASSERT_NE(prom_port, 0);
  const std::string prom_address = "127.0.0.1:" + std::to_string(prom_port);
  {
    std::ofstream config(std::filesystem::path(dir.path()) / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           << "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n"
           << "      - targets: ['" << prom_address << "']\n"
           << "remote_write:\n  - url: http://127.0.0.1:" << (*server)->port()
           << "/api/v1/write\n    queue_config:\n      batch_send_deadline: 1s\n";
  }
  const auto started = std::chrono::system_clock::now();
  sundial::testing::ChildProcess prometheus(
      {kPrometheus,
       "--config.file=" + (std::filesystem::path(dir.path()) / "prometheus.yml").string(),
       "--storage.tsdb.path=" + (std::filesystem::path(dir.path()) / "data").string(),
       "--web.listen-address=" + prom_address});

  const std::string up = "{__name__=\"up\", instance=\"" + prom_address + "\", job=\"prometheus\"}";
  testing::HeadContents contents;
  // Generous: a Prometheus starting on a loaded or stalled host takes a while to scrape three
  // times; the loop ends as soon as it has.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    prometheus.Stderr();  // keeps its log pipe drained
    contents = testing::ReadHead(head);
    if (contents.count(up) && contents[up].size() >= 3) break;
  }
  const auto to_ms = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  const int64_t read_ms = to_ms(std::chrono::system_clock::now());
  const std::string log = prometheus.Stderr();
  ASSERT_EQ(prometheus.Wait(std::chrono::milliseconds(100)), -1) << "prometheus exited:\n" << log;
  ASSERT_TRUE(contents.count(up)) << "series received: " << contents.size() << "\n" << log;

  // Every up sample is 1, at increasing scrape times between the start and the read.
  const int64_t start_ms = to_ms(started);
  const auto& up_samples = contents[up];
  ASSERT_GE(up_samples.size(), 3u);
  for (size_t i = 0; i < up_samples.size(); ++i) {
    EXPECT_EQ(up_samples[i].second, 1.0);
    EXPECT_GE(up_samples[i].first, start_ms - 1000);
    EXPECT_LE(up_samples[i].first, read_ms);
    if (i > 0) {
      EXPECT_GT(up_samples[i].first, up_samples[i - 1].first);
    }
  }
  // They are the samples Prometheus stored itself, at the same milliseconds: it writes a sample
  // to its own head before it remote-writes it, so each one received is in its up[10m] now.
  sundial::testing::HttpResult own =
      sundial::testing::HttpRequest(prom_port, "GET", "/api/v1/query?query=up%5B10m%5D");
  ASSERT_EQ(own.status, 200) << own.body;
  const Samples own_samples = ApiMatrixSamples(own.body);
  for (const auto& sample : up_samples) {
    EXPECT_THAT(own_samples, ::testing::Contains(sample)) << own.body;
  }
  bool build_info = false;
  for (const auto& [series, samples] : contents) {
    if (series.starts_with("{__name__=\"prometheus_build_info\"")) {
      build_info = true;
      EXPECT_THAT(series, ::testing::HasSubstr("version=\"2."));
      EXPECT_EQ(samples.back().second, 1.0);
    }
  }
  EXPECT_TRUE(build_info);
  EXPECT_GT(contents.size(), 100u);  // Prometheus exposes hundreds of its own series.
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_FALSE(statuses.empty());
  for (int status : statuses) EXPECT_EQ(status, 204);
}

}  // namespace
}  // namespace sundial::remotewrite
