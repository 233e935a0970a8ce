// remote_write and remote_read endpoints. sigv4 and azuread authentication are rejected at parse
// time as not supported by Sundial.
#ifndef SUNDIAL_CONFIG_REMOTE_CONFIG_H_
#define SUNDIAL_CONFIG_REMOTE_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/duration.h"
#include "config/http_client_config.h"
#include "config/relabel_config.h"

namespace sundial::config {

struct QueueConfig {
  int64_t capacity = 2500;
  int64_t max_shards = 200;
  int64_t min_shards = 1;
  int64_t max_samples_per_send = 500;
  Duration batch_send_deadline = std::chrono::seconds(5);
  Duration min_backoff = std::chrono::milliseconds(30);
  Duration max_backoff = std::chrono::seconds(5);
  bool retry_on_http_429 = false;

  friend bool operator==(const QueueConfig&, const QueueConfig&) = default;
};

struct MetadataConfig {
  bool send = true;
  Duration send_interval = std::chrono::minutes(1);
  int64_t max_samples_per_send = 500;

  friend bool operator==(const MetadataConfig&, const MetadataConfig&) = default;
};

struct RemoteWriteConfig {
  std::string url;  // required
  Duration remote_timeout = std::chrono::seconds(30);
  std::map<std::string, std::string> headers;
  std::vector<RelabelConfig> write_relabel_configs;
  std::string name;  // unique among remote_write entries when set
  bool send_exemplars = false;
  bool send_native_histograms = false;
  HttpClientConfig http_client;
  QueueConfig queue_config;
  MetadataConfig metadata_config;

  friend bool operator==(const RemoteWriteConfig&, const RemoteWriteConfig&) = default;
};

struct RemoteReadConfig {
  std::string url;  // required
  Duration remote_timeout = std::chrono::minutes(1);
  std::map<std::string, std::string> headers;
  bool read_recent = false;
  std::string name;  // unique among remote_read entries when set
  HttpClientConfig http_client;
  std::map<std::string, std::string> required_matchers;
  bool filter_external_labels = true;

  friend bool operator==(const RemoteReadConfig&, const RemoteReadConfig&) = default;
};

}  // namespace sundial::config

#endif  // SUNDIAL_CONFIG_REMOTE_CONFIG_H_
