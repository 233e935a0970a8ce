#include "web/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>

#include "base/str_cat.h"

namespace sundial::web::testing {
namespace {

int Dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TestConnection::TestConnection(int port) : fd_(Dial(port)) {}

TestConnection::~TestConnection() {
  if (fd_ >= 0) close(fd_);
}

bool TestConnection::Send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TestConnection::Fill() {
  char buf[65536];
  ssize_t n = recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  buffer_.append(buf, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> TestConnection::ReadLine() {
  while (true) {
    size_t eol = buffer_.find("\r\n");
    if (eol != std::string::npos) {
      std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 2);
      return line;
    }
    if (!Fill()) return std::nullopt;
  }
}

bool TestConnection::ReadExactly(size_t n, std::string* out) {
  while (buffer_.size() < n) {
    if (!Fill()) return false;
  }
  out->append(buffer_, 0, n);
  buffer_.erase(0, n);
  return true;
}

std::optional<TestResponse> TestConnection::Read(bool head_request) {
  TestResponse resp;
  std::optional<std::string> line = ReadLine();
  if (!line || line->size() < 12) return std::nullopt;
  resp.status = std::stoi(line->substr(9, 3));
  while (true) {
    line = ReadLine();
    if (!line) return std::nullopt;
    if (line->empty()) break;
    size_t colon = line->find(':');
    std::string value = line->substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    resp.headers[Lower(line->substr(0, colon))] = value;
  }
  if (head_request || resp.status == 204 || resp.status == 304 || resp.status < 200) return resp;
  if (Lower(resp.Header("transfer-encoding")) == "chunked") {
    while (true) {
      line = ReadLine();
      if (!line) return std::nullopt;
      size_t size = std::stoul(*line, nullptr, 16);
      if (size == 0) break;
      ++resp.chunks;
      if (!ReadExactly(size, &resp.body)) return std::nullopt;
      std::string crlf;
      if (!ReadExactly(2, &crlf) || crlf != "\r\n") return std::nullopt;
    }
    line = ReadLine();  // the empty line after the last chunk (no trailers)
    if (!line) return std::nullopt;
  } else if (resp.headers.count("content-length")) {
    if (!ReadExactly(std::stoul(resp.Header("content-length")), &resp.body)) return std::nullopt;
  } else {
    while (Fill()) {
    }
    resp.body = std::move(buffer_);
    buffer_.clear();
  }
  return resp;
}

bool TestConnection::WaitClosed(int timeout_ms) {
  if (!buffer_.empty()) return false;
  pollfd pfd{fd_, POLLIN, 0};
  if (poll(&pfd, 1, timeout_ms) != 1) return false;
  char c;
  return recv(fd_, &c, 1, 0) <= 0;
}

std::optional<TestResponse> Fetch(int port, std::string_view method, std::string_view target,
                                  std::string_view extra_headers, std::string_view body) {
  TestConnection conn(port);
  if (!conn.connected()) return std::nullopt;
  std::string req = StrCat(method, " ", target, " HTTP/1.1\r\nHost: test\r\n", extra_headers);
  if (!body.empty() || method == "POST" || method == "PUT") {
    StrAppend(&req, "Content-Length: ", body.size(), "\r\n");
  }
  StrAppend(&req, "Connection: close\r\n\r\n", body);
  if (!conn.Send(req)) return std::nullopt;
  return conn.Read(method == "HEAD");
}

bool ConnectionRefused(int port) {
  int fd = Dial(port);
  if (fd < 0) return true;
  close(fd);
  return false;
}

std::string Gunzip(std::string_view data) {
  z_stream z;
  std::memset(&z, 0, sizeof z);
  inflateInit2(&z, 15 + 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "<gunzip failed>";
}

}  // namespace sundial::web::testing
