// The `sundial` server's command-line options: Prometheus 2.x flag names, defaults and meanings.
#ifndef SUNDIAL_CLI_SERVER_OPTIONS_H_
#define SUNDIAL_CLI_SERVER_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/duration.h"
#include "base/log.h"
#include "cli/flag_set.h"

namespace sundial::cli {

struct ServerOptions {
  std::string config_file = "prometheus.yml";

  std::string web_listen_address = "0.0.0.0:9090";
  std::string web_config_file;
  sundial::Duration web_read_timeout = std::chrono::minutes(5);
  int64_t web_max_connections = 512;
  std::string web_external_url;
  std::string web_route_prefix;  // after Finalize(): "/" or "/prefix" (no trailing slash)
  bool web_enable_lifecycle = false;
  bool web_enable_admin_api = false;
  bool web_enable_remote_write_receiver = false;
  bool web_enable_otlp_receiver = false;
  std::string web_cors_origin = ".*";
  std::string web_page_title = "Sundial Time Series Collection and Processing Server";

  std::string storage_tsdb_path = "data/";
  sundial::Duration storage_tsdb_retention_time{0};  // after Finalize(): 15d if neither is set
  int64_t storage_tsdb_retention_size = 0;           // bytes; 0 = no size limit
  bool storage_tsdb_wal_compression = true;
  sundial::Duration storage_tsdb_min_block_duration = std::chrono::hours(2);
  sundial::Duration storage_tsdb_max_block_duration{0};  // after Finalize(): 10% of retention
  bool storage_tsdb_no_lockfile = false;

  int64_t storage_remote_read_sample_limit = 50000000;
  int64_t storage_remote_read_concurrent_limit = 10;
  int64_t storage_remote_read_max_bytes_in_frame = 1048576;

  sundial::Duration rules_alert_for_outage_tolerance = std::chrono::hours(1);
  sundial::Duration rules_alert_for_grace_period = std::chrono::minutes(10);
  sundial::Duration rules_alert_resend_delay = std::chrono::minutes(1);
  int64_t alertmanager_notification_queue_capacity = 10000;

  sundial::Duration query_lookback_delta = std::chrono::minutes(5);
  sundial::Duration query_timeout = std::chrono::minutes(2);
  int64_t query_max_concurrency = 20;
  int64_t query_max_samples = 50000000;

  std::vector<std::string> enable_feature;

  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
};

// Registers every server flag on flags, writing into opts.
void RegisterServerFlags(FlagSet* flags, ServerOptions* opts);

// Derives what Prometheus derives after parsing: the retention default (15d when neither time
// nor size is given), max block duration (10% of retention, at most 31d, at least the min
// duration), the route prefix from --web.external-url. Fails on values that are out of range.
// Returns the feature names it does not know (Prometheus warns about those and goes on).
absl::StatusOr<std::vector<std::string>> FinalizeServerOptions(const FlagSet& flags,
                                                               ServerOptions* opts);

// The feature names `--enable-feature` accepts.
const std::vector<std::string>& KnownFeatures();

}  // namespace sundial::cli

#endif  // SUNDIAL_CLI_SERVER_OPTIONS_H_
