// Service discovery sections that Sundial supports: static, file, http, dns and kubernetes.
// Other Prometheus SD kinds (consul_sd_configs, ec2_sd_configs, ...) are rejected at parse time
// with "... is not supported by Sundial".
#ifndef SUNDIAL_CONFIG_DISCOVERY_CONFIG_H_
#define SUNDIAL_CONFIG_DISCOVERY_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "base/duration.h"
#include "config/http_client_config.h"

namespace sundial::config {

// One target group: addresses (host:port, no scheme or path) plus labels common to all.
struct StaticConfig {
  std::vector<std::string> targets;
  std::map<std::string, std::string> labels;

  friend bool operator==(const StaticConfig&, const StaticConfig&) = default;
};

// files are globs; only the last path element may contain '*', and names end in
// .json/.yml/.yaml.
struct FileSdConfig {
  std::vector<std::string> files;
  Duration refresh_interval = std::chrono::minutes(5);

  friend bool operator==(const FileSdConfig&, const FileSdConfig&) = default;
};

struct HttpSdConfig {
  HttpClientConfig http_client;
  Duration refresh_interval = std::chrono::minutes(1);
  std::string url;  // http or https, with a host

  friend bool operator==(const HttpSdConfig&, const HttpSdConfig&) = default;
};

// type is SRV (default), A, AAAA or MX; port is required for all but SRV.
struct DnsSdConfig {
  std::vector<std::string> names;
  Duration refresh_interval = std::chrono::seconds(30);
  std::string type = "SRV";
  uint64_t port = 0;

  friend bool operator==(const DnsSdConfig&, const DnsSdConfig&) = default;
};

struct KubernetesNamespaces {
  bool own_namespace = false;
  std::vector<std::string> names;

  friend bool operator==(const KubernetesNamespaces&, const KubernetesNamespaces&) = default;
};

struct KubernetesSelector {
  std::string role;
  std::string label;
  std::string field;

  friend bool operator==(const KubernetesSelector&, const KubernetesSelector&) = default;
};

// role is one of pod, service, endpoints, endpointslice, node, ingress.
struct KubernetesSdConfig {
  std::string api_server;
  std::string role;
  std::string kubeconfig_file;
  HttpClientConfig http_client;
  KubernetesNamespaces namespaces;
  std::vector<KubernetesSelector> selectors;
  bool attach_metadata_node = false;  // attach_metadata: {node: ...}

  friend bool operator==(const KubernetesSdConfig&, const KubernetesSdConfig&) = default;
};

// The SD sections of one scrape config or Alertmanager config.
struct ServiceDiscoveryConfigs {
  std::vector<DnsSdConfig> dns_sd_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<HttpSdConfig> http_sd_configs;
  std::vector<KubernetesSdConfig> kubernetes_sd_configs;
  std::vector<StaticConfig> static_configs;

  friend bool operator==(const ServiceDiscoveryConfigs&, const ServiceDiscoveryConfigs&) = default;
};

}  // namespace sundial::config

#endif  // SUNDIAL_CONFIG_DISCOVERY_CONFIG_H_
