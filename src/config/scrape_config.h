// One entry of scrape_configs. After Parse, every field holds its effective value: intervals,
// timeouts and limits not set in the job are inherited from `global` as Prometheus does.
#ifndef SUNDIAL_CONFIG_SCRAPE_CONFIG_H_
#define SUNDIAL_CONFIG_SCRAPE_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/duration.h"
#include "config/discovery_config.h"
#include "config/http_client_config.h"
#include "config/relabel_config.h"

namespace sundial::config {

// Limits shared by `global` and scrape configs; 0 means no limit.
struct ScrapeLimits {
  int64_t body_size_limit = 0;  // bytes
  uint64_t sample_limit = 0;
  uint64_t target_limit = 0;
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  uint64_t keep_dropped_targets = 0;

  friend bool operator==(const ScrapeLimits&, const ScrapeLimits&) = default;
};

struct ScrapeConfig {
  std::string job_name;
  bool honor_labels = false;
  bool honor_timestamps = true;
  bool track_timestamps_staleness = false;
  std::map<std::string, std::vector<std::string>> params;
  Duration scrape_interval{0};
  Duration scrape_timeout{0};
  // Content types to negotiate, e.g. "OpenMetricsText1.0.0", "PrometheusText0.0.4". Empty means
  // the default order.
  std::vector<std::string> scrape_protocols;
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  ScrapeLimits limits;
  HttpClientConfig http_client;
  std::vector<RelabelConfig> relabel_configs;
  std::vector<RelabelConfig> metric_relabel_configs;
  ServiceDiscoveryConfigs service_discovery;

  friend bool operator==(const ScrapeConfig&, const ScrapeConfig&) = default;
};

}  // namespace sundial::config

#endif  // SUNDIAL_CONFIG_SCRAPE_CONFIG_H_
