// The provider behind dns_sd_configs, as Prometheus' discovery/dns: every refresh_interval the
// names are looked up in parallel, one thread each (SRV by default, or A, AAAA, MX, NS with the
// configured port), and each becomes one group with source <name>. Each answer record is a target
// "host:port" (trailing dots removed) with __meta_dns_name and, per record type,
// __meta_dns_srv_record_target and
// __meta_dns_srv_record_port, __meta_dns_mx_record_target or __meta_dns_ns_record_target (record
// names as in the answer, fully qualified). CNAME records are skipped; NXDOMAIN yields an empty
// group. A name whose lookup fails is logged, counted in prometheus_sd_dns_lookup_failures_total
// and keeps its last good group.
#ifndef SUNDIAL_DISCOVERY_DNS_PROVIDER_H_
#define SUNDIAL_DISCOVERY_DNS_PROVIDER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/discovery_config.h"
#include "discovery/dns_client.h"
#include "discovery/dns_message.h"
#include "discovery/provider.h"

namespace sundial::discovery {

// Where a provider finds its resolver configuration; called before every refresh.
using ResolverConfigFn = std::function<absl::StatusOr<ResolverConfig>()>;

// The group for one name from the answer of its lookup. port is used for all types but SRV.
TargetGroup DnsGroup(const std::string& name, const dns::Message& answer, uint32_t port);

// resolver defaults to reading /etc/resolv.conf.
std::unique_ptr<Provider> NewDnsProvider(config::DnsSdConfig config,
                                         ResolverConfigFn resolver = nullptr);

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_DNS_PROVIDER_H_
