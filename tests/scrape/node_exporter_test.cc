// Parses a real node-exporter /metrics body, fetched over a plain blocking socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "integration/process.h"
#include "scrape/content_type.h"

namespace sundial::scrape {
namespace {

constexpr char kNodeExporter[] = "/usr/bin/prometheus-node-exporter";

// GET path with an HTTP/1.0 request; returns the whole response ("" if the connect fails).
std::string HttpGet(int port, const std::string& accept) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string request =
      "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string response;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, n);
  close(fd);
  return response;
}

std::string HeaderValue(std::string_view head, std::string_view name) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    std::string_view line = head.substr(pos, head.find("\r\n", pos) - pos);
    if (line.size() > name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0 &&
        line[name.size()] == ':') {
      std::string_view v = line.substr(name.size() + 1);
      while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
      return std::string(v);
    }
  }
  return "";
}

class NodeExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kNodeExporter, X_OK) != 0) GTEST_SKIP() << kNodeExporter << " not installed";
    port_ = testing::PickFreePort();
    pid_ = fork();
    if (pid_ == 0) {
      std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
      execl(kNodeExporter, kNodeExporter, listen.c_str(), "--log.level=error",
            static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  // Retries until the exporter listens (up to ~10 s).
  std::string Fetch(const std::string& accept) {
    for (int i = 0; i < 100; ++i) {
      std::string r = HttpGet(port_, accept);
      if (r.starts_with("HTTP/1.") && r.find("\r\n\r\n") != std::string::npos) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "";
  }
  // Parses the body with the parser the Content-Type selects; checks the sample count against a
  // naive count of lines that are neither comments nor blank.
  void ParseAndCount(const std::string& accept, std::optional<Format> want_format) {
    std::string response = Fetch(accept);
    ASSERT_FALSE(response.empty()) << "node exporter did not answer";
    size_t split = response.find("\r\n\r\n");
    std::string_view head(response.data(), split);
    std::string_view body = std::string_view(response).substr(split + 4);
    ASSERT_TRUE(head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200")) << head;
    FormatChoice choice = ChooseFormat(HeaderValue(head, "Content-Type"));
    if (want_format) {
      EXPECT_EQ(choice.format, *want_format) << HeaderValue(head, "Content-Type");
    }

    size_t naive = 0;
    for (size_t pos = 0; pos < body.size();) {
      size_t eol = body.find('\n', pos);
      if (eol == std::string_view::npos) eol = body.size();
      std::string_view line = body.substr(pos, eol - pos);
      if (!line.empty() && line[0] != '#') ++naive;
      pos = eol + 1;
    }
    std::unique_ptr<Parser> p = NewParser(choice.format, body);
    size_t samples = 0, help = 0;
    LabelsBuilder b;
    for (;;) {
      absl::StatusOr<Entry> e = p->Next();
      ASSERT_TRUE(e.ok()) << e.status();
      if (*e == Entry::kEof) break;
      if (*e == Entry::kHelp) ++help;
      if (*e != Entry::kSeries) continue;
      ++samples;
      p->Labels(&b);
      EXPECT_FALSE(b.Get("__name__").empty()) << p->Series();
    }
    EXPECT_GT(samples, 100u);
    EXPECT_GT(help, 10u);
    EXPECT_EQ(samples, naive);
  }

  int port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(NodeExporterTest, TextFormatBodyParses) {
  ParseAndCount("text/plain;version=0.0.4", Format::kPrometheusText);
}

TEST_F(NodeExporterTest, NegotiatedBodyParses) {
  // Prometheus' Accept header: Debian's node-exporter answers in the text format, builds with
  // OpenMetrics enabled in OpenMetrics; either must parse.
  ParseAndCount(AcceptHeader({}), std::nullopt);
}

}  // namespace
}  // namespace sundial::scrape
