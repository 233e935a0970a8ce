#include "cli/server_options.h"

#include <algorithm>

#include "base/byte_size.h"
#include "base/str_cat.h"

namespace sundial::cli {
namespace {

constexpr sundial::Duration kDefaultRetention = std::chrono::hours(24 * 15);
constexpr sundial::Duration kMaxBlockDurationCap = std::chrono::hours(24 * 31);

// The path part of an external URL, without a trailing slash ("" for none).
absl::StatusOr<std::string> PathOfUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("invalid URL \"", url, "\": missing scheme"));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  if (rest.empty() || slash == 0) {
    return absl::InvalidArgumentError(StrCat("invalid URL \"", url, "\": missing host"));
  }
  std::string path(slash == std::string_view::npos ? "" : rest.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

const std::vector<std::string>& KnownFeatures() {
  static const std::vector<std::string> kFeatures = {
      "agent",
      "auto-gomaxprocs",
      "created-timestamp-zero-ingestion",
      "delayed-compaction",
      "exemplar-storage",
      "expand-external-labels",
      "extra-scrape-metrics",
      "memory-snapshot-on-shutdown",
      "metadata-wal-records",
      "native-histograms",
      "new-service-discovery-manager",
      "no-default-scrape-port",
      "otlp-deltatocumulative",
      "otlp-write-receiver",
      "promql-at-modifier",
      "promql-delayed-name-removal",
      "promql-duration-expr",
      "promql-experimental-functions",
      "promql-negative-offset",
      "promql-per-step-stats",
      "remote-write-receiver",
      "utf8-names",
  };
  return kFeatures;
}

void RegisterServerFlags(FlagSet* f, ServerOptions* o) {
  f->String("config.file", &o->config_file, "Sundial configuration file path.");
  f->String("web.listen-address", &o->web_listen_address,
            "Address to listen on for UI, API, and telemetry.");
  f->String("web.config.file", &o->web_config_file,
            "[EXPERIMENTAL] Path to configuration file that can enable TLS or authentication.");
  f->Duration("web.read-timeout", &o->web_read_timeout,
              "Maximum duration before timing out read of the request, and closing idle "
              "connections.");
  f->Int("web.max-connections", &o->web_max_connections,
         "Maximum number of simultaneous connections.");
  f->String("web.external-url", &o->web_external_url,
            "The URL under which Sundial is externally reachable (for example, behind a reverse "
            "proxy). If the URL has a path portion, it prefixes all HTTP endpoints.");
  f->String("web.route-prefix", &o->web_route_prefix,
            "Prefix for the internal routes of web endpoints. Defaults to path of "
            "--web.external-url.");
  f->Bool("web.enable-lifecycle", &o->web_enable_lifecycle,
          "Enable shutdown and reload via HTTP request.");
  f->Bool("web.enable-admin-api", &o->web_enable_admin_api,
          "Enable API endpoints for admin control actions.");
  f->Bool("web.enable-remote-write-receiver", &o->web_enable_remote_write_receiver,
          "Enable API endpoint accepting remote write requests.");
  f->Bool("web.enable-otlp-receiver", &o->web_enable_otlp_receiver,
          "Enable API endpoint accepting OTLP write requests.");
  f->String("web.cors.origin", &o->web_cors_origin, "Regex for CORS origin. It is fully anchored.");
  f->String("web.page-title", &o->web_page_title, "Document title of the Sundial instance.");

  f->String("storage.tsdb.path", &o->storage_tsdb_path, "Base path for metrics storage.");
  f->Custom(
      "storage.tsdb.retention.time",
      [o](std::string_view v) -> absl::Status {
        absl::StatusOr<sundial::Duration> d = ParseDuration(v);
        if (!d.ok()) return d.status();
        o->storage_tsdb_retention_time = *d;
        return absl::OkStatus();
      },
      "", "How long to retain samples in storage. Defaults to 15d when no retention is set.",
      [] { return std::string("0s"); });
  f->Custom(
      "storage.tsdb.retention.size",
      [o](std::string_view v) -> absl::Status {
        absl::StatusOr<int64_t> n = ParseByteSize(v);
        if (!n.ok()) return n.status();
        o->storage_tsdb_retention_size = *n;
        return absl::OkStatus();
      },
      "",
      "Maximum number of bytes that can be stored for blocks. A unit is required: B, KB, MB, GB, "
      "TB, PB, EB (powers of 2).",
      [] { return std::string("0B"); });
  f->Bool("storage.tsdb.wal-compression", &o->storage_tsdb_wal_compression,
          "Compress the tsdb WAL.");
  f->Duration("storage.tsdb.min-block-duration", &o->storage_tsdb_min_block_duration,
              "Minimum duration of a data block before being persisted.");
  f->Custom(
      "storage.tsdb.max-block-duration",
      [o](std::string_view v) -> absl::Status {
        absl::StatusOr<sundial::Duration> d = ParseDuration(v);
        if (!d.ok()) return d.status();
        o->storage_tsdb_max_block_duration = *d;
        return absl::OkStatus();
      },
      "", "Maximum duration compacted blocks may span. Defaults to 10% of the retention period.",
      [o] { return FormatDuration(o->storage_tsdb_max_block_duration); });
  f->Hide("storage.tsdb.min-block-duration");
  f->Hide("storage.tsdb.max-block-duration");
  f->Bool("storage.tsdb.no-lockfile", &o->storage_tsdb_no_lockfile,
          "Do not create lockfile in data directory.");

  f->Int("storage.remote.read-sample-limit", &o->storage_remote_read_sample_limit,
         "Most samples one remote read request may return (0: no limit). Streamed (chunked) "
         "responses are not limited.");
  f->Int("storage.remote.read-concurrent-limit", &o->storage_remote_read_concurrent_limit,
         "Most remote read requests served at the same time (0: no limit); others wait.");
  f->Int("storage.remote.read-max-bytes-in-frame", &o->storage_remote_read_max_bytes_in_frame,
         "Bytes of chunks per frame of a streamed remote read response before a new frame is "
         "started (clients may limit frame sizes too).");

  f->Duration("rules.alert.for-outage-tolerance", &o->rules_alert_for_outage_tolerance,
              "Max time to tolerate an outage for restoring \"for\" state of alert.");
  f->Duration("rules.alert.for-grace-period", &o->rules_alert_for_grace_period,
              "Minimum duration between alert and restored \"for\" state.");
  f->Duration("rules.alert.resend-delay", &o->rules_alert_resend_delay,
              "Minimum amount of time to wait before resending an alert to Alertmanager.");
  f->Int("alertmanager.notification-queue-capacity", &o->alertmanager_notification_queue_capacity,
         "The capacity of the queue for pending Alertmanager notifications.");

  f->Duration("query.lookback-delta", &o->query_lookback_delta,
              "The maximum lookback duration for retrieving metrics during expression "
              "evaluations and federation.");
  f->Duration("query.timeout", &o->query_timeout,
              "Maximum time a query may take before being aborted.");
  f->Int("query.max-concurrency", &o->query_max_concurrency,
         "Maximum number of queries executed concurrently.");
  f->Int("query.max-samples", &o->query_max_samples,
         "Maximum number of samples a single query can load into memory.");

  f->Strings("enable-feature", &o->enable_feature, "Comma separated feature names to enable.",
             /*split_commas=*/true);

  f->Custom(
      "log.level",
      [o](std::string_view v) -> absl::Status {
        absl::StatusOr<LogLevel> l = ParseLogLevel(v);
        if (!l.ok()) return l.status();
        o->log_level = *l;
        return absl::OkStatus();
      },
      "info", "Only log messages with the given severity or above: debug, info, warn, error.");
  f->Custom(
      "log.format",
      [o](std::string_view v) -> absl::Status {
        absl::StatusOr<LogFormat> l = ParseLogFormat(v);
        if (!l.ok()) return l.status();
        o->log_format = *l;
        return absl::OkStatus();
      },
      "logfmt", "Output format of log messages: logfmt, json.");
}

absl::StatusOr<std::vector<std::string>> FinalizeServerOptions(const FlagSet& flags,
                                                               ServerOptions* o) {
  if (o->web_max_connections < 0) {
    return absl::InvalidArgumentError("--web.max-connections must not be negative");
  }
  if (o->query_max_concurrency < 1) {
    return absl::InvalidArgumentError("--query.max-concurrency must be at least 1");
  }
  if (o->query_timeout.count() <= 0) {
    return absl::InvalidArgumentError("--query.timeout must be positive");
  }
  if (o->query_lookback_delta.count() <= 0) {
    return absl::InvalidArgumentError("--query.lookback-delta must be positive");
  }

  if (o->storage_tsdb_retention_time.count() == 0 && o->storage_tsdb_retention_size == 0) {
    o->storage_tsdb_retention_time = kDefaultRetention;
  }
  if (o->storage_tsdb_min_block_duration.count() <= 0) {
    return absl::InvalidArgumentError("--storage.tsdb.min-block-duration must be positive");
  }
  if (!flags.IsSet("storage.tsdb.max-block-duration")) {
    sundial::Duration by_retention = o->storage_tsdb_retention_time.count() > 0
                                         ? o->storage_tsdb_retention_time / 10
                                         : kMaxBlockDurationCap;
    o->storage_tsdb_max_block_duration = std::min(by_retention, kMaxBlockDurationCap);
  }
  o->storage_tsdb_max_block_duration =
      std::max(o->storage_tsdb_max_block_duration, o->storage_tsdb_min_block_duration);

  if (!flags.IsSet("web.route-prefix")) {
    if (!o->web_external_url.empty()) {
      absl::StatusOr<std::string> path = PathOfUrl(o->web_external_url);
      if (!path.ok()) return path.status();
      o->web_route_prefix = *path;
    }
  }
  std::string& prefix = o->web_route_prefix;
  if (prefix.empty() || prefix[0] != '/') prefix.insert(prefix.begin(), '/');
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();

  std::vector<std::string> unknown;
  for (const std::string& feature : o->enable_feature) {
    const auto& known = KnownFeatures();
    if (std::find(known.begin(), known.end(), feature) == known.end()) unknown.push_back(feature);
  }
  return unknown;
}

}  // namespace sundial::cli
