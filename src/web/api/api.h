// The Prometheus HTTP API v1 (/api/v1/...) over Sundial's storage, engine and scrape manager,
// answering with the JSON Prometheus writes, byte for byte.
//
//   api::ApiOptions o;
//   o.storage = db.get();
//   o.engine_options.timeout_ms = 120000;
//   o.targets = [&] { return scrapes.Targets(); };
//   api::Api v1(std::move(o));
//   v1.Register(&router);            // before the server starts; v1 must outlive the server
//
// Queries run on a pool of max_concurrency threads (--query.max-concurrency); further queries
// wait in line. Results are streamed to the client from that pool, so memory for the JSON stays
// at the size of the server's write buffer.
#ifndef SUNDIAL_WEB_API_API_H_
#define SUNDIAL_WEB_API_API_H_

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "model/matcher.h"
#include "promql/engine.h"
#include "scrape/metric_metadata.h"
#include "scrape/target_status.h"
#include "tsdb/exemplars/exemplar.h"
#include "tsdb/storage.h"
#include "web/router.h"

namespace sundial::web::api {

// /api/v1/status/buildinfo, exactly Prometheus' keys.
struct BuildInfoJson {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  std::string go_version;
};

// /api/v1/status/runtimeinfo.
struct RuntimeInfo {
  std::string start_time;  // RFC 3339
  std::string cwd;
  bool reload_config_success = true;
  std::string last_config_time;  // RFC 3339
  int64_t corruption_count = 0;
  int64_t goroutine_count = 0;  // threads
  int64_t gomaxprocs = 0;       // cores
  std::string storage_retention;
};

// /api/v1/status/tsdb headStats.
struct HeadStats {
  int64_t num_series = 0;
  int64_t num_label_pairs = 0;
  int64_t chunk_count = 0;
  int64_t min_time = INT64_MAX;
  int64_t max_time = INT64_MIN;
  // The top lists next to headStats, largest first: (name, value) pairs.
  using TopList = std::vector<std::pair<std::string, uint64_t>>;
  TopList series_count_by_metric_name;
  TopList label_value_count_by_label_name;
  TopList memory_in_bytes_by_label_name;
  TopList series_count_by_label_value_pair;
};

// /api/v1/read limits (--storage.remote.read-*); 0 turns a limit off.
struct RemoteReadOptions {
  int64_t sample_limit = 50'000'000;  // per request, SAMPLES responses only
  int concurrent_limit = 10;          // reads running at once; more wait
  int64_t max_bytes_in_frame = 1'048'576;
};

// The storage operations behind /api/v1/admin/tsdb/* (admin_handlers.cc); the server binds
// them to tsdb::DB's Delete, CleanTombstones and Snapshot. A null hook answers 500.
struct AdminHooks {
  // Deletes [mint, maxt] (ms, both inclusive) of the series matching all matchers.
  std::function<absl::Status(int64_t mint, int64_t maxt, std::span<const Matcher> matchers)>
      delete_series;
  std::function<absl::Status()> clean_tombstones;
  // Writes a snapshot into dir (created if missing); with_head also writes the head.
  std::function<absl::Status(const std::string& dir, bool with_head)> snapshot;
  // Snapshots go to <data_dir>/snapshots/<name>.
  std::string data_dir;
};

struct ApiOptions {
  tsdb::Queryable* storage = nullptr;  // required; must outlive the Api
  // Defaults of each query (lookback, timeout, max samples); per-request timeout and
  // lookback_delta override them.
  promql::EngineOptions engine_options;
  int max_concurrency = 20;
  // Every hook may be null (an empty answer then) and runs on an io or query thread.
  std::function<scrape::TargetsSnapshot()> targets;
  // For /metadata and /targets/metadata: the metric metadata of every active target.
  std::function<std::vector<scrape::TargetMetadata>()> metadata;
  std::function<std::string()> config_yaml;
  std::function<RuntimeInfo()> runtime_info;
  // For /query_exemplars: the exemplars with start <= ts <= end (ms) of the series matching all
  // matchers of any set, sorted by series labels. Null: none (exemplar storage disabled).
  std::function<std::vector<tsdb::ExemplarQueryResult>(
      int64_t start, int64_t end, std::span<const std::vector<Matcher>> matcher_sets)>
      exemplars;
  // For /status/tsdb; `limit` is the length of the top lists (10 unless the request says).
  std::function<HeadStats(int64_t limit)> head_stats;
  // global.external_labels of the current config, for /federate.
  std::function<std::map<std::string, std::string>()> external_labels;
  // The clock of /federate (ms since the epoch); null: the system clock.
  std::function<int64_t()> now;
  RemoteReadOptions remote_read;
  // Command-line flags by name ("web.listen-address" -> ":9090"), sorted by name.
  std::vector<std::pair<std::string, std::string>> flags;
  BuildInfoJson build_info;
  // API handlers answer 503 "Service Unavailable" until this is true; null: always ready.
  std::function<bool()> is_ready;
  bool enable_admin_api = false;
  AdminHooks admin;  // used only with enable_admin_api
};

class Api {
 public:
  explicit Api(ApiOptions options);
  // Waits for running queries.
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Registers every /api/v1 route. REQUIRES: before Server::Start().
  void Register(Router* router);

 private:
  struct Impl;
  friend void RegisterAdminRoutes(Router* router, Impl* impl);  // admin_handlers.cc
  std::shared_ptr<Impl> impl_;
};

}  // namespace sundial::web::api

#endif  // SUNDIAL_WEB_API_API_H_
