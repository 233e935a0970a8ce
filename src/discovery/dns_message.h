// DNS wire format (RFC 1035, 3596, 2782, 6891) for dns_sd: encoding one query and decoding the
// answer section of a response. Only what service discovery needs; internal to discovery/.
//
//   std::string q = dns::EncodeQuery(id, "_http._tcp.example.com.", dns::kSrv, /*edns=*/true);
//   ASSIGN_OR_RETURN(dns::Message m, dns::DecodeMessage(reply));
//   for (const dns::Record& r : m.answers) if (r.type == dns::kSrv) use(r.target, r.port);
//
// Decoding never reads outside the input: truncated or malformed messages, compression loops and
// over-long names are errors.
#ifndef SUNDIAL_DISCOVERY_DNS_MESSAGE_H_
#define SUNDIAL_DISCOVERY_DNS_MESSAGE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sundial::discovery::dns {

enum RecordType : uint16_t {
  kA = 1,
  kNs = 2,
  kCname = 5,
  kMx = 15,
  kAaaa = 28,
  kSrv = 33,
  kOpt = 41,
};

enum Rcode : int {
  kNoError = 0,
  kFormatError = 1,
  kServerFailure = 2,
  kNameError = 3,  // NXDOMAIN
  kNotImplemented = 4,
  kRefused = 5,
};

// The record type for "A", "AAAA", "SRV", "MX", "NS", "CNAME" (upper case); 0 otherwise.
uint16_t RecordTypeFromName(std::string_view name);

struct Record {
  std::string name;  // owner, fully qualified ("a.example.com.")
  uint16_t type = 0;
  uint16_t klass = 0;
  uint32_t ttl = 0;
  // SRV target, MX exchange, NS host or CNAME target, fully qualified.
  std::string target;
  // SRV priority, weight and port; MX preference in priority.
  uint16_t priority = 0, weight = 0, port = 0;
  // A and AAAA: the address as Go's net.IP.String() prints it ("10.0.0.1", "2001:db8::1",
  // IPv4-mapped IPv6 as dotted IPv4).
  std::string address;
};

struct Message {
  uint16_t id = 0;
  bool response = false;   // QR
  bool truncated = false;  // TC
  int rcode = 0;           // the 4-bit header RCODE
  std::vector<Record> answers;
};

// A query with RD set for one question of class IN. name must be fully qualified (end in '.').
// With edns an OPT record advertising a 4096-byte UDP payload is added. Fails on empty labels,
// labels over 63 bytes and names over 255 bytes.
absl::StatusOr<std::string> EncodeQuery(uint16_t id, std::string_view name, uint16_t type,
                                        bool edns);

// Decodes header and answers (questions are skipped; authority and additional are ignored).
// Records of other types than A, AAAA, SRV, MX, NS, CNAME are kept with only the header fields.
absl::StatusOr<Message> DecodeMessage(std::string_view wire);

// Go's net.IP.String() for 4 or 16 bytes.
std::string FormatIp(std::string_view bytes);

// Go's net.JoinHostPort: "[host]:port" when host contains ':'.
std::string JoinHostPort(std::string_view host, uint32_t port);

}  // namespace sundial::discovery::dns

#endif  // SUNDIAL_DISCOVERY_DNS_MESSAGE_H_
