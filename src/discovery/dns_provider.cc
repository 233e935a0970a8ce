#include "discovery/dns_provider.h"

#include <map>
#include <thread>
#include <utility>

#include "base/log.h"
#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "discovery/refresh_provider.h"

namespace sundial::discovery {
namespace {

const Logger kLog("discovery.dns");

metrics::Counter& Lookups() {
  static metrics::Counter& c = metrics::Registry::Default().NewCounter(
      "prometheus_sd_dns_lookups_total", "The number of DNS-SD lookups.");
  return c;
}

metrics::Counter& LookupFailures() {
  static metrics::Counter& c = metrics::Registry::Default().NewCounter(
      "prometheus_sd_dns_lookup_failures_total", "The number of DNS-SD lookup failures.");
  return c;
}

std::string_view TrimDots(std::string_view s) {
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// Refresh runs on the provider thread only; it starts one lookup thread per name.
class DnsRefresher {
 public:
  DnsRefresher(config::DnsSdConfig config, ResolverConfigFn resolver)
      : config_(std::move(config)),
        type_(dns::RecordTypeFromName(Upper(config_.type))),
        resolver_(std::move(resolver)) {}

  absl::StatusOr<std::vector<TargetGroup>> Refresh(std::stop_token stop) {
    const absl::StatusOr<ResolverConfig> rc = resolver_();
    const std::vector<std::string>& names = config_.names;
    std::vector<absl::StatusOr<dns::Message>> answers(
        names.size(), rc.ok() ? absl::CancelledError("not looked up") : rc.status());
    if (rc.ok()) {
      // As Prometheus (one goroutine per name): a slow name does not delay the others.
      std::vector<std::jthread> lookups;
      lookups.reserve(names.size());
      for (size_t i = 0; i < names.size(); ++i) {
        lookups.emplace_back(
            [&, i] { answers[i] = LookupWithSearchPath(*rc, names[i], type_, stop); });
      }
    }  // joins every lookup
    for (size_t i = 0; i < names.size() && !stop.stop_requested(); ++i) {
      Lookups().Inc();
      if (!answers[i].ok()) {
        LookupFailures().Inc();
        kLog.Error("Error refreshing DNS targets", {{"err", answers[i].status()}});
        continue;  // the name keeps its last good group
      }
      last_good_[names[i]] = DnsGroup(names[i], *answers[i], static_cast<uint32_t>(config_.port));
    }
    std::vector<TargetGroup> groups;
    for (const std::string& name : config_.names) {
      if (auto it = last_good_.find(name); it != last_good_.end()) groups.push_back(it->second);
    }
    return groups;
  }

 private:
  const config::DnsSdConfig config_;
  const uint16_t type_;
  const ResolverConfigFn resolver_;
  std::map<std::string, TargetGroup> last_good_;
};

}  // namespace

TargetGroup DnsGroup(const std::string& name, const dns::Message& answer, uint32_t port) {
  TargetGroup g{.source = name};
  for (const dns::Record& r : answer.answers) {
    LabelsBuilder b;
    b.Set("__meta_dns_name", name);
    switch (r.type) {
      case dns::kSrv:
        b.Set("__address__", dns::JoinHostPort(TrimDots(r.target), r.port));
        b.Set("__meta_dns_srv_record_target", r.target);
        b.Set("__meta_dns_srv_record_port", StrCat(r.port));
        break;
      case dns::kMx:
        b.Set("__address__", dns::JoinHostPort(TrimDots(r.target), port));
        b.Set("__meta_dns_mx_record_target", r.target);
        break;
      case dns::kNs:
        b.Set("__address__", dns::JoinHostPort(TrimDots(r.target), port));
        b.Set("__meta_dns_ns_record_target", r.target);
        break;
      case dns::kA:
      case dns::kAaaa:
        b.Set("__address__", dns::JoinHostPort(r.address, port));
        break;
      case dns::kCname:
        continue;  // comes with A/AAAA answers
      default:
        kLog.Warn("Invalid record", {{"record", StrCat(r.name, " type ", r.type)}});
        continue;
    }
    g.targets.push_back(b.Build());
  }
  return g;
}

std::unique_ptr<Provider> NewDnsProvider(config::DnsSdConfig config, ResolverConfigFn resolver) {
  if (!resolver) resolver = [] { return LoadResolvConf("/etc/resolv.conf"); };
  Lookups();
  LookupFailures();
  const Duration interval = config.refresh_interval;
  auto refresher = std::make_shared<DnsRefresher>(std::move(config), std::move(resolver));
  return NewRefreshProvider("dns", interval, [refresher](std::stop_token stop) {
    return refresher->Refresh(std::move(stop));
  });
}

}  // namespace sundial::discovery
