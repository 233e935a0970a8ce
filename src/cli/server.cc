#include "cli/server.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <limits>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "base/log.h"
#include "base/metrics_registry.h"
#include "base/periodic_task.h"
#include "base/process_metrics.h"
#include "base/str_cat.h"
#include "cli/build_info.h"
#include "cli/config_holder.h"
#include "config/config.h"
#include "config/web_config.h"
#include "net/io_pool.h"
#include "promql/query_tracker.h"
#include "scrape/manager.h"
#include "tsdb/db/db.h"
#include "web/api/api.h"
#include "web/api/params.h"
#include "web/lifecycle.h"
#include "web/otlp_handler.h"
#include "web/remote_write_handler.h"
#include "web/router.h"
#include "web/server.h"

namespace sundial::cli {
namespace {

const Logger kLog("main");

// The request metrics Prometheus exports for its own HTTP handlers.
class HttpMetrics {
 public:
  explicit HttpMetrics(metrics::Registry* r)
      : requests_(r->NewCounterFamily("prometheus_http_requests_total", "Counter of HTTP requests.",
                                      {"handler", "code"})),
        durations_(r->NewHistogramFamily("prometheus_http_request_duration_seconds",
                                         "Histogram of latencies for HTTP requests.", {"handler"},
                                         {0.1, 0.2, 0.4, 1, 3, 8, 20, 60, 120})) {}

  void Observe(std::string_view handler, int code, std::chrono::nanoseconds took) {
    std::string code_text = StrCat(code);
    requests_.WithLabelValues({handler, code_text}).Inc();
    durations_.WithLabelValues({handler}).Observe(std::chrono::duration<double>(took).count());
  }

 private:
  metrics::CounterFamily& requests_;
  metrics::HistogramFamily& durations_;
};

// "0.0.0.0:9090" -> "0.0.0.0", "[::1]:0" -> "[::1]", ":9090" -> "".
std::string HostOf(const std::string& address) {
  size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

// prometheus_build_info, with the compiler where Prometheus reports its Go version.
void RegisterBuildInfo(metrics::Registry* registry) {
  const BuildInfo& info = GetBuildInfo();
  size_t slash = info.platform.find('/');
  std::string goos = info.platform.substr(0, slash);
  std::string goarch = slash == std::string::npos ? "" : info.platform.substr(slash + 1);
  registry
      ->NewGaugeFamily("prometheus_build_info",
                       "A metric with a constant '1' value labeled by version, revision, branch, "
                       "goversion from which prometheus was built, and the goos and goarch for "
                       "the build.",
                       {"branch", "goarch", "goos", "goversion", "revision", "tags", "version"})
      .WithLabelValues(
          {info.branch, goarch, goos, info.compiler, info.revision, "sundial", info.version})
      .Set(1);
}

// Prometheus checks whether to compact once a minute.
constexpr std::chrono::minutes kMaintenanceInterval{1};

// Prometheus' exemplar storage size: storage.exemplars.max_exemplars (100000 when the block is
// absent) with --enable-feature=exemplar-storage, else 0 (no exemplars kept).
bool ExemplarStorageEnabled(const ServerOptions& opts) {
  return std::find(opts.enable_feature.begin(), opts.enable_feature.end(), "exemplar-storage") !=
         opts.enable_feature.end();
}

int64_t MaxExemplars(const ServerOptions& opts, const config::Config& cfg) {
  if (!ExemplarStorageEnabled(opts)) return 0;
  return cfg.storage.exemplars ? cfg.storage.exemplars->max_exemplars
                               : config::ExemplarsConfig{}.max_exemplars;
}

tsdb::DbOptions StorageOptions(const ServerOptions& opts, const config::Config& cfg,
                               metrics::Registry* registry) {
  tsdb::DbOptions db;
  db.dir = opts.storage_tsdb_path;
  db.wal_compression = opts.storage_tsdb_wal_compression;
  if (opts.storage_tsdb_retention_time.count() > 0) {
    db.retention_ms = opts.storage_tsdb_retention_time.count();
  } else {
    db.retention_ms = std::numeric_limits<int64_t>::max() / 2;  // only a size limit was given
  }
  db.retention_size_bytes = opts.storage_tsdb_retention_size;
  db.block_range_ms = opts.storage_tsdb_min_block_duration.count();
  db.max_block_duration_ms = opts.storage_tsdb_max_block_duration.count();
  if (cfg.storage.tsdb)
    db.out_of_order_window_ms = cfg.storage.tsdb->out_of_order_time_window.count();
  db.max_exemplars = MaxExemplars(opts, cfg);
  db.registry = registry;
  return db;
}

// The /api/v1 wiring: storage, engine defaults from the --query.* flags, the scrape targets.
web::api::ApiOptions ApiOptionsFor(const ServerOptions& opts, tsdb::DB* db,
                                   scrape::Manager* scrapes, ConfigHolder* config,
                                   std::atomic<bool>* ready) {
  web::api::ApiOptions api;
  api.storage = db;
  api.engine_options.lookback_delta_ms = opts.query_lookback_delta.count();
  api.engine_options.timeout_ms = opts.query_timeout.count();
  api.engine_options.max_samples = opts.query_max_samples;
  // Prometheus' defaults: experimental PromQL only with --enable-feature.
  api.engine_options.parse_options = promql::ParseOptions{};
  for (const std::string& f : opts.enable_feature) {
    if (f == "promql-experimental-functions")
      api.engine_options.parse_options.enable_experimental_functions = true;
    if (f == "promql-duration-expr")
      api.engine_options.parse_options.enable_duration_expressions = true;
  }
  api.max_concurrency = static_cast<int>(std::max<int64_t>(1, opts.query_max_concurrency));
  api.targets = [scrapes] { return scrapes->Targets(); };
  api.metadata = [scrapes] { return scrapes->TargetsMetadata(); };
  api.config_yaml = [config] { return config::ToYaml(*config->Current()); };
  api.external_labels = [config] { return config->Current()->global.external_labels; };
  api.is_ready = [ready] { return ready->load(); };
  api.enable_admin_api = opts.web_enable_admin_api;
  api.admin.delete_series = [db](int64_t mint, int64_t maxt, std::span<const Matcher> matchers) {
    return db->Delete(mint, maxt, matchers);
  };
  api.exemplars = [db](int64_t start, int64_t end,
                       std::span<const std::vector<Matcher>> matcher_sets) {
    return db->exemplars().Select(start, end, matcher_sets);
  };
  api.admin.clean_tombstones = [db] { return db->CleanTombstones(); };
  api.admin.snapshot = [db](const std::string& dir, bool with_head) {
    return db->Snapshot(dir, with_head);
  };
  api.admin.data_dir = opts.storage_tsdb_path;
  api.remote_read.sample_limit = opts.storage_remote_read_sample_limit;
  api.remote_read.concurrent_limit = static_cast<int>(opts.storage_remote_read_concurrent_limit);
  api.remote_read.max_bytes_in_frame = opts.storage_remote_read_max_bytes_in_frame;
  const BuildInfo& build = GetBuildInfo();
  // Grafana reads the version as the Prometheus version it may rely on; build metadata after
  // '+' keeps ours visible without changing semver precedence (Debian's is "2.42.0+ds").
  api.build_info = {StrCat("2.42.0+sundial.", build.version),
                    build.revision,
                    build.branch,
                    build.build_user,
                    build.build_date,
                    build.compiler};
  std::string retention = opts.storage_tsdb_retention_time.count() > 0
                              ? FormatDuration(opts.storage_tsdb_retention_time)
                              : std::string();
  if (opts.storage_tsdb_retention_size > 0) {
    retention = retention.empty()
                    ? StrCat(opts.storage_tsdb_retention_size, "B")
                    : StrCat(retention, " or ", opts.storage_tsdb_retention_size, "B");
  }
  std::string start_time = web::api::FormatRfc3339(web::api::NowMs());
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  api.runtime_info = [start_time, cwd, retention] {
    web::api::RuntimeInfo info;
    info.start_time = start_time;
    info.cwd = cwd;
    info.last_config_time = start_time;
    info.goroutine_count = static_cast<int64_t>(std::thread::hardware_concurrency());
    info.gomaxprocs = static_cast<int64_t>(std::thread::hardware_concurrency());
    info.storage_retention = retention;
    return info;
  };
  api.head_stats = [db](int64_t limit) {
    tsdb::HeadIndexStats s =
        db->head().IndexStats(kMetricNameLabel, static_cast<size_t>(std::max<int64_t>(limit, 0)));
    web::api::HeadStats h;
    h.num_series = static_cast<int64_t>(s.num_series);
    h.num_label_pairs = static_cast<int64_t>(s.num_label_pairs);
    h.chunk_count = static_cast<int64_t>(s.chunk_count);
    h.min_time = s.min_time;
    h.max_time = s.max_time;
    auto copy = [](const std::vector<tsdb::CardinalityStat>& from,
                   web::api::HeadStats::TopList* to) {
      for (const tsdb::CardinalityStat& c : from) to->emplace_back(c.name, c.count);
    };
    copy(s.series_count_by_metric_name, &h.series_count_by_metric_name);
    copy(s.label_value_count_by_label_name, &h.label_value_count_by_label_name);
    copy(s.memory_in_bytes_by_label_name, &h.memory_in_bytes_by_label_name);
    copy(s.series_count_by_label_value_pair, &h.series_count_by_label_value_pair);
    return h;
  };
  return api;
}

}  // namespace

int RunServer(const ServerOptions& opts, const FlagSet& flags,
              const std::vector<std::string>& unknown_features) {
  ConfigureLogging(opts.log_level, opts.log_format);
  // Debian's Abseil checks lock order on every absl::Mutex acquisition, which costs ~50x on the
  // ingestion path. Tests keep the check on; the server turns it off.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const BuildInfo& build = GetBuildInfo();
  kLog.Info("Starting Sundial",
            {{"version", StrCat("(version=", build.version, ", branch=", build.branch,
                                ", revision=", build.revision, ")")}});
  kLog.Info("Build context", {{"compiler", build.compiler}, {"date", build.build_date}});
  for (const std::string& feature : unknown_features) {
    kLog.Warn("Unknown option for --enable-feature", {{"option", feature}});
  }

  // Signals are taken by sigwait below; block them before any thread exists so every thread
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  metrics::Registry& registry = metrics::Registry::Default();
  metrics::RegisterProcessMetrics(&registry);
  RegisterBuildInfo(&registry);
  metrics::Gauge& ready_gauge =
      registry.NewGauge("prometheus_ready",
                        "Whether Prometheus startup was fully completed and "
                        "the server is ready for normal operation.");
  HttpMetrics http_metrics(&registry);

  // Fail before opening storage; TLS files are checked when the web server is created.
  if (!opts.web_config_file.empty()) {
    if (absl::StatusOr<config::WebConfig> web = config::LoadWebConfigFile(opts.web_config_file);
        !web.ok()) {
      kLog.Error("Unable to validate web configuration file", {{"err", web.status()}});
      return 1;
    }
  }

  ConfigHolder config(opts.config_file, &registry);
  if (!config.Reload().ok()) return 1;

  kLog.Info("Starting TSDB ...", {{"path", opts.storage_tsdb_path}});
  absl::StatusOr<std::unique_ptr<tsdb::DB>> opened =
      tsdb::DB::Open(StorageOptions(opts, *config.Current(), &registry));
  if (!opened.ok()) {
    kLog.Error("Opening storage failed", {{"err", opened.status()}});
    return 1;
  }
  std::unique_ptr<tsdb::DB> db = *std::move(opened);
  kLog.Info("TSDB started", {{"head_series", static_cast<int64_t>(db->head().NumSeries())}});

  // Prometheus' active query log: <data dir>/queries.active, one slot per concurrent query.
  std::unique_ptr<promql::ActiveQueryTracker> query_tracker;
  if (auto t = promql::ActiveQueryTracker::Open(
          opts.storage_tsdb_path,
          static_cast<int>(std::max<int64_t>(1, opts.query_max_concurrency)));
      t.ok()) {
    query_tracker = *std::move(t);
    if (query_tracker->unfinished()) {
      Logger("activeQueryTracker")
          .Info("These queries didn't finish in prometheus' last run:",
                {{"queries", *query_tracker->unfinished()}});
    }
  } else {
    kLog.Error("Error opening the active query log", {{"err", t.status()}});
  }

  net::IoPool pool(static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  std::atomic<bool> ready{false};

  scrape::Manager scrapes({.appendable = db.get(), .io_pool = &pool});
  if (absl::Status s = scrapes.ApplyConfig(*config.Current()); !s.ok()) {
    kLog.Error("Error applying config to the scrape manager", {{"err", s}});
  }
  config.AddApplier([&scrapes](const config::Config& cfg) { return scrapes.ApplyConfig(cfg); });
  if (ExemplarStorageEnabled(opts)) {
    kLog.Info("Experimental in-memory exemplar storage enabled");
    config.AddApplier([&opts, &db](const config::Config& cfg) {
      db->ResizeExemplars(MaxExemplars(opts, cfg));
      return absl::OkStatus();
    });
  }

  web::Router router;
  web::LifecycleHooks hooks;
  hooks.enable_lifecycle = opts.web_enable_lifecycle;
  hooks.reload = [&config] { return config.Reload(); };
  hooks.quit = [] { kill(getpid(), SIGTERM); };
  hooks.is_ready = [&ready] { return ready.load(); };
  hooks.metrics = [&registry] { return registry.Expose(); };
  web::RegisterLifecycleHandlers(&router, std::move(hooks));
  if (opts.web_enable_remote_write_receiver) {
    router.Post("/api/v1/write", web::RemoteWriteHandler(db.get()));
  } else {
    router.Post("/api/v1/write", [](const web::HttpRequest&, std::shared_ptr<web::Responder> r) {
      r->SendText(404,
                  "remote write receiver needs to be enabled with "
                  "--web.enable-remote-write-receiver\n");
    });
  }

  // Prometheus 3.x's flag, or 2.47+'s feature flag of the same meaning.
  const bool otlp_enabled = opts.web_enable_otlp_receiver ||
                            std::find(opts.enable_feature.begin(), opts.enable_feature.end(),
                                      "otlp-write-receiver") != opts.enable_feature.end();
  web::OtlpHandlerOptions otlp;
  otlp.config = [&config] { return config.Current()->otlp; };  // reloads apply per request
  otlp.receiver.lookback_delta_ms = opts.query_lookback_delta.count();
  web::RegisterOtlpHandler(&router, db.get(), otlp_enabled, std::move(otlp));

  web::api::ApiOptions api_options = ApiOptionsFor(opts, db.get(), &scrapes, &config, &ready);
  api_options.flags = flags.Values();  // every flag with its value, as /status/flags lists them
  api_options.engine_options.active_query_tracker = query_tracker.get();
  web::api::Api api_v1(std::move(api_options));
  api_v1.Register(&router);

  web::ServerOptions web_opts;
  web_opts.listen_address = opts.web_listen_address;
  web_opts.route_prefix = opts.web_route_prefix;
  web_opts.external_url = opts.web_external_url;
  web_opts.cors_origin = opts.web_cors_origin;
  web_opts.read_timeout = opts.web_read_timeout;
  web_opts.idle_timeout = opts.web_read_timeout;
  web_opts.max_connections = static_cast<int>(opts.web_max_connections);
  web_opts.web_config_file = opts.web_config_file;
  web_opts.observer = [&http_metrics](std::string_view handler, int code,
                                      std::chrono::nanoseconds took) {
    http_metrics.Observe(handler, code, took);
  };
  absl::StatusOr<std::unique_ptr<web::Server>> server =
      web::Server::Create(web_opts, &pool, &router);
  if (!server.ok()) {
    kLog.Error("Invalid web options", {{"err", server.status()}});
    return 1;
  }
  if (absl::Status s = (*server)->Start(); !s.ok()) {
    kLog.Error("Error starting web server, exiting", {{"err", s}});
    return 1;
  }
  kLog.Info("Start listening for connections",
            {{"address", StrCat(HostOf(opts.web_listen_address), ":", (*server)->port())}});

  PeriodicTask maintenance(kMaintenanceInterval, [&db] {
    if (absl::Status s = db->Compact(); !s.ok())
      kLog.Error("Storage maintenance failed", {{"err", s}});
  });

  ready.store(true);
  ready_gauge.Set(1);
  kLog.Info("Server is ready to receive web requests.");

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      (void)config.Reload();  // logged and counted by the holder; the old config stays
      continue;
    }
    kLog.Warn(sig == SIGTERM ? "Received SIGTERM, exiting gracefully..."
                             : "Received SIGINT, exiting gracefully...");
    break;
  }
  ready.store(false);
  ready_gauge.Set(0);
  (*server)->Shutdown(std::chrono::seconds(10));
  scrapes.Stop();
  maintenance.Stop();
  if (absl::Status s = db->Close(); !s.ok()) kLog.Error("Error closing storage", {{"err", s}});
  pool.Stop();
  kLog.Info("See you next time!");
  return 0;
}

}  // namespace sundial::cli
