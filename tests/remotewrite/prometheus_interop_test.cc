// Interop with the real peer: Prometheus 2.42 scrapes itself and remote-writes to a loopback
// web::Server whose /api/v1/write route is web::RemoteWriteHandler over a Head. Skipped when
// /usr/bin/prometheus is missing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/io_pool.h"
#include "remotewrite/payloads.h"
#include "tsdb/head.h"
#include "web/remote_write_handler.h"
#include "web/router.h"
#include "web/server.h"

extern char** environ;

namespace sundial::remotewrite {
namespace {

constexpr char kPrometheus[] = "/usr/bin/prometheus";

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// A child process killed (SIGTERM, then SIGKILL) when this goes out of scope.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ChildProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  bool running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rw-interop-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

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
  const int prom_port = FreePort();
  ASSERT_NE(prom_port, 0);
  const std::string prom_address = "127.0.0.1:" + std::to_string(prom_port);
  {
    std::ofstream config(dir.path() / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           << "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n"
           << "      - targets: ['" << prom_address << "']\n"
           << "remote_write:\n  - url: http://127.0.0.1:" << (*server)->port()
           << "/api/v1/write\n    queue_config:\n      batch_send_deadline: 1s\n";
  }
  const auto started = std::chrono::system_clock::now();
  ChildProcess prometheus({kPrometheus, "--config.file=" + (dir.path() / "prometheus.yml").string(),
                           "--storage.tsdb.path=" + (dir.path() / "data").string(),
                           "--web.listen-address=" + prom_address},
                          (dir.path() / "prometheus.log").string());

  const std::string up = "{__name__=\"up\", instance=\"" + prom_address + "\", job=\"prometheus\"}";
  testing::HeadContents contents;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    contents = testing::ReadHead(head);
    if (contents.count(up) && contents[up].size() >= 3) break;
  }
  ASSERT_TRUE(prometheus.running()) << "prometheus exited; see its log";
  std::ifstream log_file(dir.path() / "prometheus.log");
  const std::string log((std::istreambuf_iterator<char>(log_file)), {});
  ASSERT_TRUE(contents.count(up)) << "series received: " << contents.size() << "\n" << log;

  // Every up sample is 1, at scrape times after the start, one second apart.
  const int64_t start_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(started.time_since_epoch()).count();
  const auto& up_samples = contents[up];
  ASSERT_GE(up_samples.size(), 3u);
  for (size_t i = 0; i < up_samples.size(); ++i) {
    EXPECT_EQ(up_samples[i].second, 1.0);
    EXPECT_GE(up_samples[i].first, start_ms - 1000);
    EXPECT_LE(up_samples[i].first, start_ms + 60000);
    if (i > 0) {
      EXPECT_NEAR(up_samples[i].first - up_samples[i - 1].first, 1000, 200);
    }
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
