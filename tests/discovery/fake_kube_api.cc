#include "discovery/fake_kube_api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace sundial::discovery::testing {
namespace {

bool WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string Chunk(std::string_view data) {
  char size[32];
  snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string Event(std::string_view type, std::string_view object) {
  return "{\"type\":\"" + std::string(type) + "\",\"object\":" + std::string(object) + "}";
}

std::string ListBody(std::string_view resource_version, const std::vector<std::string>& items) {
  std::string out =
      "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" +
      std::string(resource_version) + "\"},\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]}";
}

FakeKubeApi::FakeKubeApi() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  listen(listen_fd_, 64);
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

FakeKubeApi::~FakeKubeApi() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (int fd : fds_) shutdown(fd, SHUT_RDWR);
  }
  shutdown(listen_fd_, SHUT_RDWR);
  accept_thread_.join();
  for (std::thread& t : threads_) t.join();
  for (int fd : fds_) close(fd);
  close(listen_fd_);
}

std::string FakeKubeApi::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeKubeApi::SetList(const std::string& path, std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  lists_[path] = std::move(body);
}

void FakeKubeApi::FailNextWatch(const std::string& path, int status, std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_[path].emplace_back(status, std::move(body));
}

void FakeKubeApi::SendEvent(const std::string& path, std::string_view event) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Watch& w : watches_) {
    if (w.path == path) WriteAll(w.fd, Chunk(std::string(event) + "\n"));
  }
}

void FakeKubeApi::EndWatches(const std::string& path, bool abrupt) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (it->path != path) {
      ++it;
      continue;
    }
    if (!abrupt) WriteAll(it->fd, "0\r\n\r\n");
    shutdown(it->fd, SHUT_RDWR);
    it = watches_.erase(it);
  }
}

std::vector<KubeRequest> FakeKubeApi::WaitFor(const std::string& path, size_t n, bool watch) {
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<KubeRequest> out;
  const bool ok = cv_.wait_for(lock, std::chrono::seconds(20), [&] {
    out.clear();
    for (const KubeRequest& r : requests_) {
      if (r.path == path && r.watch == watch) out.push_back(r);
    }
    return out.size() >= n;
  });
  if (!ok) {
    // Fail loudly instead of hanging the test.
    fprintf(stderr, "FakeKubeApi: waited 20s for %zu %s requests of %s, saw %zu\n", n,
            watch ? "watch" : "list", path.c_str(), out.size());
    std::abort();
  }
  return out;
}

std::vector<KubeRequest> FakeKubeApi::WaitForWatches(const std::string& path, size_t n) {
  return WaitFor(path, n, true);
}

std::vector<KubeRequest> FakeKubeApi::WaitForLists(const std::string& path, size_t n) {
  return WaitFor(path, n, false);
}

std::vector<KubeRequest> FakeKubeApi::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FakeKubeApi::AcceptLoop() {
  for (;;) {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    std::lock_guard<std::mutex> lock(mu_);
    if (fd < 0 || stopping_) {
      if (fd >= 0) close(fd);
      return;
    }
    fds_.push_back(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void FakeKubeApi::Serve(int fd) {
  std::string buffer;
  char chunk[8192];
  for (;;) {
    size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) return;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    const std::string head = buffer.substr(0, end);
    buffer.erase(0, end + 4);  // GET requests carry no body
    KubeRequest req;
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.find(' ', sp1 + 1);
    req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    req.path = req.target.substr(0, req.target.find('?'));
    req.watch = req.target.find("watch=true") != std::string::npos;
    while (line_end != std::string::npos && line_end < head.size()) {
      const size_t next = head.find("\r\n", line_end + 2);
      const std::string line = head.substr(
          line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        req.headers[Lower(line.substr(0, colon))] = value;
      }
      line_end = next;
    }
    std::unique_lock<std::mutex> lock(mu_);
    requests_.push_back(req);
    cv_.notify_all();
    if (req.watch) {
      auto& failures = failures_[req.path];
      if (!failures.empty()) {
        auto [status, body] = failures.front();
        failures.erase(failures.begin());
        const std::string reason = status == 410 ? "Gone" : "Error";
        WriteAll(fd, "HTTP/1.1 " + std::to_string(status) + " " + reason +
                         "\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body);
        continue;
      }
      WriteAll(fd,
               "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n");
      watches_.push_back({fd, req.path});
      lock.unlock();
      // The client sends nothing more on a watch connection; wait for it (or us) to close.
      while (read(fd, chunk, sizeof chunk) > 0) {
      }
      std::lock_guard<std::mutex> relock(mu_);
      watches_.erase(std::remove_if(watches_.begin(), watches_.end(),
                                    [fd](const Watch& w) { return w.fd == fd; }),
                     watches_.end());
      return;
    }
    auto it = lists_.find(req.path);
    if (it == lists_.end()) {
      const std::string body =
          R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404})";
      WriteAll(fd, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body);
      continue;
    }
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(it->second.size()) + "\r\n\r\n" + it->second);
  }
}

}  // namespace sundial::discovery::testing
