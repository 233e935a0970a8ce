// Interop with the real peer: Prometheus 2.42 scrapes itself and remote-writes to a loopback
// web::Server whose /api/v1/write route is web::RemoteWriteHandler over a Head. Skipped when
// /usr/bin/prometheus is missing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    prometheus.Stderr();  // keeps its log pipe drained
    contents = testing::ReadHead(head);
    if (contents.count(up) && contents[up].size() >= 3) break;
  }
  const std::string log = prometheus.Stderr();
  ASSERT_EQ(prometheus.Wait(std::chrono::milliseconds(100)), -1) << "prometheus exited:\n" << log;
  ASSERT_TRUE(contents.count(up)) << "series received: " << contents.size() << "\n" << log;

  // Every up sample is 1, at increasing scrape times after the start, one second apart on
  // average (Prometheus' own scrapes run late on a loaded machine, and catch up).
  const int64_t start_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(started.time_since_epoch()).count();
  const auto& up_samples = contents[up];
  ASSERT_GE(up_samples.size(), 3u);
  for (size_t i = 0; i < up_samples.size(); ++i) {
    EXPECT_EQ(up_samples[i].second, 1.0);
    EXPECT_GE(up_samples[i].first, start_ms - 1000);
    EXPECT_LE(up_samples[i].first, start_ms + 60000);
    if (i > 0) {
      EXPECT_GT(up_samples[i].first, up_samples[i - 1].first);
    }
  }
  const double mean_gap = static_cast<double>(up_samples.back().first - up_samples.front().first) /
                          static_cast<double>(up_samples.size() - 1);
  EXPECT_NEAR(mean_gap, 1000, 250);
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
