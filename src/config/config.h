// prometheus.yaml: loading, validation and printing.
//
//   ASSIGN_OR_RETURN(config::Config cfg, config::LoadFile("/etc/sundial/prometheus.yaml"));
//   for (const config::ScrapeConfig& job : cfg.scrape_configs) { ... }
//   std::string shown = config::ToYaml(cfg);   // for /api/v1/status/config
//
// The accepted schema is Prometheus 2.42's, plus the later `otlp` block and scrape/global fields
// (scrape_protocols, keep_dropped_targets, track_timestamps_staleness, global limits). Unknown
// keys are errors. Every error reads "<file>:<line>: <message>", with Prometheus' wording.
#ifndef SUNDIAL_CONFIG_CONFIG_H_
#define SUNDIAL_CONFIG_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/duration.h"
#include "config/alerting_config.h"
#include "config/remote_config.h"
#include "config/scrape_config.h"

namespace sundial::config {

struct GlobalConfig {
  Duration scrape_interval = std::chrono::minutes(1);
  Duration scrape_timeout = std::chrono::seconds(10);  // never above scrape_interval
  Duration evaluation_interval = std::chrono::minutes(1);
  std::string query_log_file;
  std::map<std::string, std::string> external_labels;  // names and values validated
  ScrapeLimits limits;                                 // defaults for every scrape config

  friend bool operator==(const GlobalConfig&, const GlobalConfig&) = default;
};

struct TsdbConfig {
  Duration out_of_order_time_window{0};

  friend bool operator==(const TsdbConfig&, const TsdbConfig&) = default;
};

struct ExemplarsConfig {
  int64_t max_exemplars = 100000;

  friend bool operator==(const ExemplarsConfig&, const ExemplarsConfig&) = default;
};

struct StorageConfig {
  std::optional<TsdbConfig> tsdb;
  std::optional<ExemplarsConfig> exemplars;

  friend bool operator==(const StorageConfig&, const StorageConfig&) = default;
};

// Accepted and kept for compatibility; Sundial exports no traces yet.
struct TracingConfig {
  std::string client_type = "grpc";  // "grpc" or "http"
  std::string endpoint;
  double sampling_fraction = 0;
  bool insecure = false;
  TlsConfig tls_config;
  std::map<std::string, std::string> headers;
  std::string compression;  // "" or "gzip"
  Duration timeout{0};

  friend bool operator==(const TracingConfig&, const TracingConfig&) = default;
};

// The OTLP receiver (Prometheus 3.x schema).
struct OtlpConfig {
  std::vector<std::string> promote_resource_attributes;  // unique, non-empty
  // UnderscoreEscapingWithSuffixes (default), UnderscoreEscapingWithoutSuffixes,
  // NoUTF8EscapingWithSuffixes or NoTranslation.
  std::string translation_strategy = "UnderscoreEscapingWithSuffixes";
  bool keep_identifying_resource_attributes = false;
  bool convert_histograms_to_nhcb = false;

  friend bool operator==(const OtlpConfig&, const OtlpConfig&) = default;
};

struct Config {
  GlobalConfig global;
  AlertingConfig alerting;
  std::vector<std::string> rule_files;       // glob patterns, '*' only in the last path element
  std::vector<ScrapeConfig> scrape_configs;  // job names unique
  StorageConfig storage;
  TracingConfig tracing;
  std::vector<RemoteWriteConfig> remote_write;
  std::vector<RemoteReadConfig> remote_read;
  OtlpConfig otlp;

  friend bool operator==(const Config&, const Config&) = default;
};

// Parses and validates YAML text. filename is used in error messages only; relative paths in the
// config are left as written.
absl::StatusOr<Config> Parse(std::string_view yaml, std::string_view filename);

// Reads, parses and validates the file, then resolves the relative paths it contains (rule_files,
// file_sd files, TLS files, password/credentials/bearer token files, kubeconfig, query log)
// against the file's directory.
absl::StatusOr<Config> LoadFile(const std::string& path);

// Makes every relative file path in cfg relative to dir (Prometheus' SetDirectory).
void ResolvePaths(std::string_view dir, Config* cfg);

enum class Secrets { kHide, kShow };

// The effective config as YAML, defaults filled in, keys in the order Prometheus prints them.
// With Secrets::kHide (what /api/v1/status/config shows) passwords, credentials, tokens and keys
// read "<secret>". With kShow, Parse(ToYaml(c, Secrets::kShow)) == c.
std::string ToYaml(const Config& cfg, Secrets secrets = Secrets::kHide);

}  // namespace sundial::config

#endif  // SUNDIAL_CONFIG_CONFIG_H_
