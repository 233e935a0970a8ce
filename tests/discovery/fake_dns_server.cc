#include "discovery/fake_dns_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace sundial::discovery::testing {
namespace {

void Put16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

void Put32(std::string* out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xffff));
}

uint16_t Get16(std::string_view w, size_t i) {
  return static_cast<uint16_t>(static_cast<uint8_t>(w[i]) << 8 | static_cast<uint8_t>(w[i + 1]));
}

bool WaitReadable(int fd) {
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  return poll(&p, 1, 50) > 0;
}

}  // namespace

std::string EncodeName(std::string_view fqdn) {
  std::string out;
  while (!fqdn.empty() && fqdn != ".") {
    size_t dot = fqdn.find('.');
    std::string_view label = fqdn.substr(0, dot);
    out.push_back(static_cast<char>(label.size()));
    out.append(label);
    fqdn.remove_prefix(dot == std::string_view::npos ? fqdn.size() : dot + 1);
  }
  out.push_back(0);
  return out;
}

ResponseBuilder::ResponseBuilder(const Query& q, int rcode, bool truncated) {
  Put16(&header_question_, q.id);
  uint16_t flags = 0x8000 | 0x0100 | 0x0080 | static_cast<uint16_t>(rcode & 0xf);
  if (truncated) flags |= 0x0200;
  Put16(&header_question_, flags);
  Put16(&header_question_, 1);
  header_question_.append(6, '\0');  // ANCOUNT patched in Build, NSCOUNT, ARCOUNT
  header_question_ += EncodeName(q.name);
  Put16(&header_question_, q.type);
  Put16(&header_question_, 1);
}

ResponseBuilder& ResponseBuilder::Raw(std::string_view owner, uint16_t type,
                                      std::string_view rdata) {
  answers_ += EncodeName(owner);
  Put16(&answers_, type);
  Put16(&answers_, 1);
  Put32(&answers_, 30);
  Put16(&answers_, static_cast<uint16_t>(rdata.size()));
  answers_.append(rdata);
  ++count_;
  return *this;
}

ResponseBuilder& ResponseBuilder::Srv(std::string_view owner, uint16_t priority, uint16_t weight,
                                      uint16_t port, std::string_view target) {
  std::string rdata;
  Put16(&rdata, priority);
  Put16(&rdata, weight);
  Put16(&rdata, port);
  rdata += EncodeName(target);
  return Raw(owner, 33, rdata);
}

ResponseBuilder& ResponseBuilder::Mx(std::string_view owner, uint16_t preference,
                                     std::string_view exchange) {
  std::string rdata;
  Put16(&rdata, preference);
  rdata += EncodeName(exchange);
  return Raw(owner, 15, rdata);
}

ResponseBuilder& ResponseBuilder::Ns(std::string_view owner, std::string_view host) {
  return Raw(owner, 2, EncodeName(host));
}

ResponseBuilder& ResponseBuilder::Cname(std::string_view owner, std::string_view target) {
  return Raw(owner, 5, EncodeName(target));
}

ResponseBuilder& ResponseBuilder::A(std::string_view owner, std::string_view ip) {
  char buf[4];
  inet_pton(AF_INET, std::string(ip).c_str(), buf);
  return Raw(owner, 1, std::string_view(buf, 4));
}

ResponseBuilder& ResponseBuilder::Aaaa(std::string_view owner, std::string_view ip) {
  char buf[16];
  inet_pton(AF_INET6, std::string(ip).c_str(), buf);
  return Raw(owner, 28, std::string_view(buf, 16));
}

std::string ResponseBuilder::Build() const {
  std::string out = header_question_;
  out[6] = static_cast<char>(count_ >> 8);
  out[7] = static_cast<char>(count_ & 0xff);
  return out + answers_;
}

FakeDnsServer::FakeDnsServer(DnsHandler handler, bool concurrent)
    : handler_(std::move(handler)), concurrent_(concurrent) {
  // UDP and TCP must share one port number, and the kernel only picks the UDP one: another
  // process may already hold that number for TCP, so try a few ports before giving up.
  for (int attempts = 1; !BindBothOnOnePort(); ++attempts) {
    if (attempts == 100) abort();
  }
  udp_thread_ = std::thread([this] { ServeUdp(); });
  tcp_thread_ = std::thread([this] { ServeTcp(); });
}

bool FakeDnsServer::BindBothOnOnePort() {
  udp_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (udp_fd_ < 0 || bind(udp_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) abort();
  socklen_t len = sizeof addr;
  getsockname(udp_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  tcp_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(tcp_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (tcp_fd_ >= 0 && bind(tcp_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      listen(tcp_fd_, 16) == 0) {
    return true;
  }
  close(udp_fd_);
  if (tcp_fd_ >= 0) close(tcp_fd_);
  udp_fd_ = tcp_fd_ = -1;
  return false;
}

FakeDnsServer::~FakeDnsServer() {
  stop_ = true;
  udp_thread_.join();
  tcp_thread_.join();
  for (std::thread& t : query_threads_) t.join();
  close(udp_fd_);
  close(tcp_fd_);
}

std::optional<std::string> FakeDnsServer::Handle(std::string_view wire, bool tcp) {
  if (wire.size() < 12) return std::nullopt;
  Query q;
  q.id = Get16(wire, 0);
  q.tcp = tcp;
  q.edns = Get16(wire, 10) > 0;
  size_t i = 12;
  while (i < wire.size() && wire[i] != 0) {
    const size_t len = static_cast<uint8_t>(wire[i]);
    q.name.append(wire.substr(i + 1, len));
    q.name.push_back('.');
    i += len + 1;
  }
  if (q.name.empty()) q.name.push_back('.');
  if (i + 3 > wire.size()) return std::nullopt;
  q.type = Get16(wire, i + 1);
  ++queries_;
  return handler_(q);
}

void FakeDnsServer::ServeUdp() {
  while (!stop_) {
    if (!WaitReadable(udp_fd_)) continue;
    char buf[4096];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(udp_fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0) continue;
    auto answer = [this, wire = std::string(buf, static_cast<size_t>(n)), from, len] {
      std::optional<std::string> reply = Handle(wire, false);
      if (!reply) return;
      sendto(udp_fd_, reply->data(), reply->size(), 0, reinterpret_cast<const sockaddr*>(&from),
             len);
    };
    if (concurrent_) {
      query_threads_.emplace_back(std::move(answer));
    } else {
      answer();
    }
  }
}

void FakeDnsServer::ServeTcp() {
  while (!stop_) {
    if (!WaitReadable(tcp_fd_)) continue;
    int fd = accept4(tcp_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::string in;
    char buf[4096];
    while (!stop_ && (in.size() < 2 || in.size() < 2u + Get16(in, 0))) {
      if (!WaitReadable(fd)) continue;
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    if (in.size() >= 2 && in.size() >= 2u + Get16(in, 0)) {
      if (std::optional<std::string> reply = Handle(std::string_view(in).substr(2), true)) {
        std::string out;
        Put16(&out, static_cast<uint16_t>(reply->size()));
        out += *reply;
        ssize_t w = write(fd, out.data(), out.size());
        (void)w;
      }
    }
    close(fd);
  }
}

}  // namespace sundial::discovery::testing
