// The `alerting` section: where to send alerts and how to relabel them first.
#ifndef SUNDIAL_CONFIG_ALERTING_CONFIG_H_
#define SUNDIAL_CONFIG_ALERTING_CONFIG_H_

#include <string>
#include <vector>

#include "base/duration.h"
#include "config/discovery_config.h"
#include "config/http_client_config.h"
#include "config/relabel_config.h"

namespace sundial::config {

struct AlertmanagerConfig {
  HttpClientConfig http_client;
  std::string scheme = "http";
  std::string path_prefix;
  Duration timeout = std::chrono::seconds(10);
  std::string api_version = "v2";  // "v1" or "v2"
  std::vector<RelabelConfig> relabel_configs;
  ServiceDiscoveryConfigs service_discovery;

  friend bool operator==(const AlertmanagerConfig&, const AlertmanagerConfig&) = default;
};

struct AlertingConfig {
  std::vector<RelabelConfig> alert_relabel_configs;
  std::vector<AlertmanagerConfig> alertmanagers;

  friend bool operator==(const AlertingConfig&, const AlertingConfig&) = default;
};

}  // namespace sundial::config

#endif  // SUNDIAL_CONFIG_ALERTING_CONFIG_H_
