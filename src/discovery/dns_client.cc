#include "discovery/dns_client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "absl/status/status.h"
#include "base/file_system.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/strings.h"

namespace sundial::discovery {
namespace {

using Clock = std::chrono::steady_clock;

const Logger kLog("discovery.dns");

constexpr std::chrono::milliseconds kPollSlice{50};

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string Fqdn(std::string_view name) {
  if (!name.empty() && name.back() == '.') return std::string(name);
  return StrCat(name, ".");
}

// miekg's CountLabel: the number of labels of a (possibly relative) name.
int CountLabels(std::string_view name) {
  if (name == "." || name.empty()) return 0;
  int n = 1;
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    if (name[i] == '.') ++n;
  }
  return n;
}

// A connected socket of type to server, or an error.
class Socket {
 public:
  Socket() = default;
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  absl::Status Connect(const NameServer& server, int type, Clock::time_point deadline,
                       const std::stop_token& stop) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = type;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port = StrCat(server.port);
    if (int rc = getaddrinfo(server.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      return absl::InvalidArgumentError(
          StrCat("bad name server address ", GoQuote(server.host), ": ", gai_strerror(rc)));
    }
    fd_ = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) {
      freeaddrinfo(res);
      return Errno("socket");
    }
    int rc = connect(fd_, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (rc == 0) return absl::OkStatus();
    if (errno != EINPROGRESS) return Errno("dial");
    RETURN_IF_ERROR(Wait(POLLOUT, deadline, stop));
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      return Errno("dial");
    }
    return absl::OkStatus();
  }

  // Waits until fd is ready for events, the deadline passes or stop is requested.
  absl::Status Wait(short events, Clock::time_point deadline, const std::stop_token& stop) {
    for (;;) {
      if (stop.stop_requested()) return absl::CancelledError("discovery stopped");
      const auto now = Clock::now();
      if (now >= deadline) return absl::DeadlineExceededError("i/o timeout");
      const auto slice = std::min<Clock::duration>(deadline - now, kPollSlice);
      pollfd p{.fd = fd_, .events = events, .revents = 0};
      const int n = poll(
          &p, 1, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(slice).count()));
      if (n > 0) return absl::OkStatus();
      if (n < 0 && errno != EINTR) return Errno("poll");
    }
  }

  absl::Status SendAll(std::string_view data, Clock::time_point deadline,
                       const std::stop_token& stop) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return Errno("write");
      }
      RETURN_IF_ERROR(Wait(POLLOUT, deadline, stop));
    }
    return absl::OkStatus();
  }

  // Reads exactly n bytes (TCP).
  absl::Status ReadFull(size_t n, std::string* out, Clock::time_point deadline,
                        const std::stop_token& stop) {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      const ssize_t r = recv(fd_, out->data() + got, n - got, 0);
      if (r > 0) {
        got += static_cast<size_t>(r);
        continue;
      }
      if (r == 0) return absl::UnavailableError("read: connection closed by the server");
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Errno("read");
      RETURN_IF_ERROR(Wait(POLLIN, deadline, stop));
    }
    return absl::OkStatus();
  }

  // One datagram (UDP); empty when none is waiting.
  absl::StatusOr<std::string> ReadDatagram() {
    std::string buf(65535, '\0');
    const ssize_t r = recv(fd_, buf.data(), buf.size(), 0);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::string();
      return Errno("read");
    }
    buf.resize(static_cast<size_t>(r));
    return buf;
  }

 private:
  static absl::Status Errno(std::string_view op) {
    return absl::UnavailableError(StrCat(op, ": ", strerror(errno)));
  }
  int fd_ = -1;
};

uint16_t RandomId() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<uint16_t>(rng());
}

// The reply to id (others are ignored), if it is a well-formed response.
absl::StatusOr<dns::Message> ParseReply(std::string_view wire, uint16_t id, bool* mine) {
  absl::StatusOr<dns::Message> m = dns::DecodeMessage(wire);
  *mine = wire.size() >= 2 &&
          (static_cast<uint8_t>(wire[0]) << 8 | static_cast<uint8_t>(wire[1])) == id;
  if (!m.ok()) return m;
  if (!m->response) return absl::DataLossError("malformed DNS message: not a response");
  return m;
}

absl::StatusOr<dns::Message> ExchangeUdp(const NameServer& server, std::string_view query,
                                         uint16_t id, Clock::time_point deadline,
                                         const std::stop_token& stop) {
  Socket s;
  RETURN_IF_ERROR(s.Connect(server, SOCK_DGRAM, deadline, stop));
  RETURN_IF_ERROR(s.SendAll(query, deadline, stop));
  for (;;) {
    RETURN_IF_ERROR(s.Wait(POLLIN, deadline, stop));
    ASSIGN_OR_RETURN(std::string reply, s.ReadDatagram());
    if (reply.empty()) continue;
    bool mine = false;
    absl::StatusOr<dns::Message> m = ParseReply(reply, id, &mine);
    if (mine) return m;  // a stray datagram with another id is ignored
  }
}

absl::StatusOr<dns::Message> ExchangeTcp(const NameServer& server, std::string_view query,
                                         uint16_t id, Clock::time_point deadline,
                                         const std::stop_token& stop) {
  Socket s;
  RETURN_IF_ERROR(s.Connect(server, SOCK_STREAM, deadline, stop));
  std::string framed;
  framed.push_back(static_cast<char>(query.size() >> 8));
  framed.push_back(static_cast<char>(query.size() & 0xff));
  framed.append(query);
  RETURN_IF_ERROR(s.SendAll(framed, deadline, stop));
  std::string length;
  RETURN_IF_ERROR(s.ReadFull(2, &length, deadline, stop));
  const size_t n = static_cast<uint8_t>(length[0]) << 8 | static_cast<uint8_t>(length[1]);
  std::string reply;
  RETURN_IF_ERROR(s.ReadFull(n, &reply, deadline, stop));
  bool mine = false;
  absl::StatusOr<dns::Message> m = ParseReply(reply, id, &mine);
  if (!mine && m.ok()) return absl::DataLossError("dns: id mismatch");
  return m;
}

// Prometheus' lookupFromAnyServer.
absl::StatusOr<dns::Message> LookupFromAnyServer(const ResolverConfig& config,
                                                 const std::string& fqdn, uint16_t type,
                                                 const std::stop_token& stop) {
  for (const NameServer& server : config.servers) {
    absl::StatusOr<dns::Message> m = Exchange(server, fqdn, type, config.timeout, stop);
    if (stop.stop_requested()) return absl::CancelledError("discovery stopped");
    if (!m.ok()) {
      kLog.Warn("DNS resolution failed",
                {{"server", server.host}, {"name", fqdn}, {"err", m.status()}});
      continue;
    }
    if (m->rcode == dns::kNoError || m->rcode == dns::kNameError) return m;
  }
  return absl::UnavailableError(
      StrCat("could not resolve ", fqdn, ": no servers returned a viable answer"));
}

}  // namespace

ResolverConfig ParseResolvConf(std::string_view content) {
  ResolverConfig c;
  while (!content.empty()) {
    const size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    if (!line.empty() && (line[0] == ';' || line[0] == '#')) continue;
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) continue;
    if (f[0] == "nameserver" && f.size() > 1) {
      c.servers.push_back({.host = std::string(f[1]), .port = 53});
    } else if (f[0] == "domain" && f.size() > 1) {
      c.search = {std::string(f[1])};
    } else if (f[0] == "search") {
      c.search.clear();
      for (size_t i = 1; i < f.size(); ++i) c.search.emplace_back(f[i]);
    } else if (f[0] == "options") {
      for (size_t i = 1; i < f.size(); ++i) {
        if (f[i].substr(0, 6) != "ndots:") continue;
        int n = 0;
        for (char ch : f[i].substr(6)) {
          if (ch < '0' || ch > '9') {
            n = 0;  // Go's Atoi fails; miekg then uses 0
            break;
          }
          n = std::min(n * 10 + (ch - '0'), 100);
        }
        c.ndots = std::min(n, 15);
      }
    }
  }
  return c;
}

absl::StatusOr<ResolverConfig> LoadResolvConf(const std::string& path) {
  absl::StatusOr<std::string> content = FileSystem::Default()->ReadFile(path);
  if (!content.ok()) {
    return absl::Status(content.status().code(),
                        StrCat("could not load resolv.conf: ", AsStd(content.status().message())));
  }
  return ParseResolvConf(*content);
}

std::vector<std::string> NameList(const ResolverConfig& config, std::string_view name) {
  if (!name.empty() && name.back() == '.') return {std::string(name)};
  const bool has_ndots = CountLabels(name) > config.ndots;
  const std::string fqdn = Fqdn(name);
  std::vector<std::string> names;
  if (has_ndots) names.push_back(fqdn);
  for (const std::string& s : config.search) names.push_back(Fqdn(StrCat(fqdn, s)));
  if (!has_ndots) names.push_back(fqdn);
  return names;
}

absl::StatusOr<dns::Message> Exchange(const NameServer& server, std::string_view fqdn,
                                      uint16_t type, std::chrono::milliseconds timeout,
                                      std::stop_token stop) {
  const uint16_t id = RandomId();
  ASSIGN_OR_RETURN(std::string query, dns::EncodeQuery(id, fqdn, type, /*edns=*/true));
  ASSIGN_OR_RETURN(dns::Message m, ExchangeUdp(server, query, id, Clock::now() + timeout, stop));
  if (!m.truncated) return m;
  const uint16_t tcp_id = RandomId();
  ASSIGN_OR_RETURN(query, dns::EncodeQuery(tcp_id, fqdn, type, /*edns=*/false));
  ASSIGN_OR_RETURN(m, ExchangeTcp(server, query, tcp_id, Clock::now() + timeout, stop));
  if (m.truncated) {
    return absl::DataLossError("got truncated message on TCP (64kiB limit exceeded?)");
  }
  return m;
}

absl::StatusOr<dns::Message> LookupWithSearchPath(const ResolverConfig& config,
                                                  std::string_view name, uint16_t type,
                                                  std::stop_token stop) {
  bool all_valid = true;
  for (const std::string& candidate : NameList(config, name)) {
    absl::StatusOr<dns::Message> m = LookupFromAnyServer(config, candidate, type, stop);
    if (stop.stop_requested()) return absl::CancelledError("discovery stopped");
    if (!m.ok()) {
      // A later name may still answer, but "does not exist" can no longer be concluded.
      all_valid = false;
    } else if (m->rcode == dns::kNoError) {
      return m;
    }
  }
  if (all_valid) return dns::Message{};  // every name is NXDOMAIN
  return absl::UnavailableError(
      StrCat("could not resolve ", GoQuote(name),
             ": all servers responded with errors to at least one search domain"));
}

}  // namespace sundial::discovery
