// FakeDnsServer: answers DNS queries on 127.0.0.1 (UDP and TCP on the same port) from a
// handler, for dns_sd tests. Also builds response messages record by record.
#ifndef SUNDIAL_TESTS_DISCOVERY_FAKE_DNS_SERVER_H_
#define SUNDIAL_TESTS_DISCOVERY_FAKE_DNS_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sundial::discovery::testing {

// The question of a query.
struct Query {
  uint16_t id = 0;
  std::string name;  // fully qualified, lower case as sent
  uint16_t type = 0;
  bool tcp = false;
  bool edns = false;
};

// Builds a DNS response: header, the question, then answers.
class ResponseBuilder {
 public:
  ResponseBuilder(const Query& q, int rcode, bool truncated = false);
  ResponseBuilder& Srv(std::string_view owner, uint16_t priority, uint16_t weight, uint16_t port,
                       std::string_view target);
  ResponseBuilder& Mx(std::string_view owner, uint16_t preference, std::string_view exchange);
  ResponseBuilder& Ns(std::string_view owner, std::string_view host);
  ResponseBuilder& Cname(std::string_view owner, std::string_view target);
  ResponseBuilder& A(std::string_view owner, std::string_view ip);
  ResponseBuilder& Aaaa(std::string_view owner, std::string_view ip);
  ResponseBuilder& Raw(std::string_view owner, uint16_t type, std::string_view rdata);
  std::string Build() const;

 private:
  std::string header_question_;
  std::string answers_;
  uint16_t count_ = 0;
};

std::string EncodeName(std::string_view fqdn);

// nullopt: do not answer (the client times out).
using DnsHandler = std::function<std::optional<std::string>(const Query&)>;

class FakeDnsServer {
 public:
  // With concurrent, each UDP query is handled on its own thread, so a handler may block until
  // another query arrives.
  explicit FakeDnsServer(DnsHandler handler, bool concurrent = false);
  ~FakeDnsServer();
  uint16_t port() const { return port_; }
  int queries() const { return queries_.load(); }

 private:
  // Binds UDP to a kernel-chosen port and TCP to the same number; false if TCP's is taken.
  bool BindBothOnOnePort();
  void ServeUdp();
  void ServeTcp();
  std::optional<std::string> Handle(std::string_view wire, bool tcp);

  DnsHandler handler_;
  const bool concurrent_;
  std::vector<std::thread> query_threads_;  // of concurrent UDP queries; joined at destruction
  int udp_fd_ = -1, tcp_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread udp_thread_, tcp_thread_;
};

}  // namespace sundial::discovery::testing

#endif  // SUNDIAL_TESTS_DISCOVERY_FAKE_DNS_SERVER_H_
