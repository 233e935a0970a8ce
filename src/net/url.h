// Url: the parts of an http(s) URL the client needs, parsed strictly.
//
//   ASSIGN_OR_RETURN(Url u, ParseUrl("https://[::1]:9443/metrics?x=1"));
//   u.host == "::1"; u.port == 9443; u.target == "/metrics?x=1"; u.Authority() == "[::1]:9443"
//
// Only the schemes http and https are accepted. The fragment is dropped. Values are plain data.
#ifndef SUNDIAL_NET_URL_H_
#define SUNDIAL_NET_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sundial::net {

struct Url {
  std::string scheme;    // "http" or "https", lower case
  std::string username;  // from "user:password@", percent-decoded; empty if absent
  std::string password;
  bool has_userinfo = false;
  std::string host;   // lower case; IPv6 literals without brackets
  uint16_t port = 0;  // explicit port, or the scheme's default
  bool explicit_port = false;
  std::string target;  // path and query, never empty ("/" at least)

  bool is_https() const { return scheme == "https"; }
  bool host_is_ipv6() const { return host.find(':') != std::string::npos; }
  // "host:port" with brackets around IPv6 literals (for CONNECT and connection pooling).
  std::string Authority() const;
  // The Host header value: like Authority() but without a default port.
  std::string HostHeader() const;
  // scheme://HostHeader()target (userinfo omitted).
  std::string String() const;
};

// Errors read like Go's: `parse "x": missing protocol scheme`, `unsupported protocol scheme "ftp"`.
absl::StatusOr<Url> ParseUrl(std::string_view text);

// Resolves a redirect Location (absolute, scheme-relative, absolute-path or relative) against base.
absl::StatusOr<Url> ResolveReference(const Url& base, std::string_view ref);

}  // namespace sundial::net

#endif  // SUNDIAL_NET_URL_H_
