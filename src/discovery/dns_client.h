// A small stub resolver for dns_sd, behaving as Prometheus' discovery/dns with miekg/dns: the
// name servers, search list and ndots of /etc/resolv.conf; one query per server over UDP with
// EDNS0 (retried over TCP without EDNS0 when the answer is truncated); the first server that
// answers NOERROR or NXDOMAIN wins; search-list expansion as miekg's ClientConfig.NameList.
//
//   ASSIGN_OR_RETURN(ResolverConfig rc, LoadResolvConf("/etc/resolv.conf"));
//   ASSIGN_OR_RETURN(dns::Message m, LookupWithSearchPath(rc, "_x._tcp.example", dns::kSrv, stop));
//
// Blocking, meant for a discovery thread: every wait is bounded by ResolverConfig::timeout and
// ends early (Cancelled) when stop is requested.
#ifndef SUNDIAL_DISCOVERY_DNS_CLIENT_H_
#define SUNDIAL_DISCOVERY_DNS_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "discovery/dns_message.h"

namespace sundial::discovery {

struct NameServer {
  std::string host;  // an IP address
  uint16_t port = 53;

  friend bool operator==(const NameServer&, const NameServer&) = default;
};

struct ResolverConfig {
  std::vector<NameServer> servers;
  std::vector<std::string> search;  // without trailing dots
  int ndots = 1;
  // Per exchange (UDP read, TCP connect+write+read), as miekg's 2s default.
  std::chrono::milliseconds timeout{2000};

  friend bool operator==(const ResolverConfig&, const ResolverConfig&) = default;
};

// Parses resolv.conf: nameserver, domain, search, options ndots:n (at most 15). Other lines and
// options are ignored, as miekg/dns does.
ResolverConfig ParseResolvConf(std::string_view content);
// Errors: "could not load resolv.conf: ...".
absl::StatusOr<ResolverConfig> LoadResolvConf(const std::string& path);

// The names to try for name, in order (miekg's NameList): a fully qualified name alone;
// otherwise name. before the search domains when it has more than ndots labels, else after them.
std::vector<std::string> NameList(const ResolverConfig& config, std::string_view name);

// One exchange with one server: UDP, then TCP on truncation. Errors are Unavailable
// (connection), DeadlineExceeded (timeout), DataLoss (malformed answer) or Cancelled.
absl::StatusOr<dns::Message> Exchange(const NameServer& server, std::string_view fqdn,
                                      uint16_t type, std::chrono::milliseconds timeout,
                                      std::stop_token stop);

// Prometheus' lookupWithSearchPath: the first NOERROR answer of any name of NameList; an empty
// message when every name got NXDOMAIN; otherwise
// `could not resolve "name": all servers responded with errors to at least one search domain`.
absl::StatusOr<dns::Message> LookupWithSearchPath(const ResolverConfig& config,
                                                  std::string_view name, uint16_t type,
                                                  std::stop_token stop);

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_DNS_CLIENT_H_
