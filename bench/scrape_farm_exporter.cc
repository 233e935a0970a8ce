// A synthetic exporter farm for the end-to-end scrape benchmark (bench/scrape_farm.sh): one
// process listening on `targets` consecutive ports of 127.0.0.1, each port one target serving
// `series` series in the Prometheus text format 0.0.4 whose values evolve with time (counters
// that grow at per-series rates, histogram buckets that fill, jittering gauges).
//
//   scrape_farm_exporter <first_port> <targets> <series>
//
// Single-threaded epoll, HTTP/1.1 keep-alive, any request path. Prints "ready" on stdout once
// every port listens; on SIGTERM prints the number of requests served per target range.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0;

struct Connection {
  int target = 0;
  std::string in;
  std::string out;
  size_t sent = 0;
};

// One target's body at time now_s: `series` lines spread over a realistic service's families.
std::string Body(int target, int series, double now_s) {
  static const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE"};
  static const char* const kStatus[] = {"200", "201", "400", "404", "500", "503"};
  static const char* const kLe[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                                    "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
  std::string b;
  b.reserve(static_cast<size_t>(series) * 110);
  int n = 0;
  const auto value = [&](int i, double rate) {
    // Deterministic per (target, series): a growing counter with its own rate.
    const double seed = static_cast<double>((target * 7919 + i * 104729) % 1000) / 1000.0;
    return std::floor((1 + seed) * rate * now_s);
  };
  b += "# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n";
  for (int p = 0; n < series / 2; ++p) {
    for (const char* m : kMethods) {
      for (const char* s : kStatus) {
        if (n >= series / 2) break;
        char line[200];
        std::snprintf(line, sizeof line,
                      "http_requests_total{method=\"%s\",path=\"/api/v1/item%d\",status=\"%s\"} "
                      "%.0f\n",
                      m, p, s, value(n, s[0] == '2' ? 3.0 : 0.1));
        b += line;
        ++n;
      }
    }
  }
  b += "# HELP http_request_duration_seconds Latency.\n"
       "# TYPE http_request_duration_seconds histogram\n";
  for (int h = 0; n + 14 <= series - 10; ++h) {
    double cumulative = 0;
    const double total = value(n, 2.0);
    for (int k = 0; k < 12; ++k) {
      cumulative = k == 11 ? total : std::floor(total * (1 - std::exp(-0.6 * (k + 1))));
      char line[200];
      std::snprintf(line, sizeof line,
                    "http_request_duration_seconds_bucket{handler=\"h%d\",le=\"%s\"} %.0f\n", h,
                    kLe[k], cumulative);
      b += line;
    }
    char line[200];
    std::snprintf(line, sizeof line,
                  "http_request_duration_seconds_sum{handler=\"h%d\"} %.3f\n"
                  "http_request_duration_seconds_count{handler=\"h%d\"} %.0f\n",
                  h, total * 0.042, h, total);
    b += line;
    n += 14;
  }
  b += "# HELP worker_queue_depth Jobs waiting.\n# TYPE worker_queue_depth gauge\n";
  for (int g = 0; n < series; ++g, ++n) {
    char line[160];
    std::snprintf(line, sizeof line, "worker_queue_depth{queue=\"q%d\"} %.2f\n", g,
                  50 + 40 * std::sin(now_s / 60 + target + g));
    b += line;
  }
  return b;
}

int Listen(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0) {
    std::fprintf(stderr, "cannot listen on port %d: %s\n", port, std::strerror(errno));
    std::exit(1);
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <first_port> <targets> <series>\n", argv[0]);
    return 2;
  }
  const int first_port = std::atoi(argv[1]);
  const int targets = std::atoi(argv[2]);
  const int series = std::atoi(argv[3]);
  ::signal(SIGTERM, [](int) { g_stop = 1; });
  ::signal(SIGINT, [](int) { g_stop = 1; });
  ::signal(SIGPIPE, SIG_IGN);

  const int ep = ::epoll_create1(0);
  std::unordered_map<int, int> listeners;  // fd -> target
  for (int t = 0; t < targets; ++t) {
    const int fd = Listen(first_port + t);
    listeners[fd] = t;
    epoll_event ev{.events = EPOLLIN, .data = {.fd = fd}};
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  std::printf("ready\n");
  std::fflush(stdout);

  std::unordered_map<int, Connection> conns;
  std::vector<int64_t> served(static_cast<size_t>(targets));
  std::vector<epoll_event> events(256);
  const auto close_conn = [&](int fd) {
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns.erase(fd);
  };
  while (!g_stop) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 500);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<size_t>(i)].data.fd;
      if (auto l = listeners.find(fd); l != listeners.end()) {
        int c;
        while ((c = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
          conns[c].target = l->second;
          epoll_event ev{.events = EPOLLIN, .data = {.fd = c}};
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        }
        continue;
      }
      Connection& conn = conns[fd];
      if (events[static_cast<size_t>(i)].events & EPOLLIN) {
        char buf[4096];
        ssize_t r;
        while ((r = ::read(fd, buf, sizeof buf)) > 0) conn.in.append(buf, static_cast<size_t>(r));
        if (r == 0 || (r < 0 && errno != EAGAIN)) {
          close_conn(fd);
          continue;
        }
        const size_t end = conn.in.find("\r\n\r\n");
        if (end != std::string::npos && conn.out.empty()) {
          conn.in.erase(0, end + 4);
          const double now_s =
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
          const std::string body = Body(conn.target, series, now_s);
          conn.out =
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
              "Content-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body;
          conn.sent = 0;
          ++served[static_cast<size_t>(conn.target)];
        }
      }
      while (conn.sent < conn.out.size()) {
        const ssize_t w = ::write(fd, conn.out.data() + conn.sent, conn.out.size() - conn.sent);
        if (w <= 0) break;
        conn.sent += static_cast<size_t>(w);
      }
      const bool pending = conn.sent < conn.out.size();
      uint32_t wanted = EPOLLIN;
      if (pending) wanted |= EPOLLOUT;
      epoll_event ev{.events = wanted, .data = {.fd = fd}};
      if (conn.sent >= conn.out.size()) conn.out.clear();
      ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    }
  }
  int64_t total = 0;
  for (int64_t s : served) total += s;
  std::printf("requests served: %lld\n", static_cast<long long>(total));
  return 0;
}
