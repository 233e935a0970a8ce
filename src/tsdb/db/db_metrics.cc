#include "tsdb/db/db_metrics.h"

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/metrics_snapshot.h"

namespace sundial::tsdb {
namespace {

using metrics::FamilySnapshot;
using metrics::MetricType;

FamilySnapshot Family(std::string_view name, std::string_view help, MetricType type, double value) {
  FamilySnapshot f;
  f.name = std::string(name);
  f.help = std::string(help);
  f.type = type;
  f.metrics.emplace_back().value = value;
  return f;
}

// A family with the one sample {type="float"}, as Prometheus labels its sample counters.
FamilySnapshot FloatFamily(std::string_view name, std::string_view help, MetricType type,
                           double value) {
  FamilySnapshot f = Family(name, help, type, value);
  f.label_names = {"type"};
  f.metrics[0].label_values = {"float"};
  return f;
}

FamilySnapshot HistogramFamily(std::string_view name, std::string_view help,
                               const metrics::Histogram& h) {
  FamilySnapshot f;
  f.name = std::string(name);
  f.help = std::string(help);
  f.type = MetricType::kHistogram;
  h.Collect(&f.metrics.emplace_back());
  return f;
}

FamilySnapshot SummaryFamily(std::string_view name, std::string_view help,
                             const metrics::Summary& summary) {
  FamilySnapshot f;
  f.name = std::string(name);
  f.help = std::string(help);
  f.type = MetricType::kSummary;
  summary.Collect(&f.metrics.emplace_back());
  return f;
}

// Prometheus' quantiles of WAL fsync durations.
metrics::SummaryOptions FsyncObjectives() {
  metrics::SummaryOptions o;
  o.objectives = {{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}};
  return o;
}

double D(uint64_t v) { return static_cast<double>(v); }
double D(int64_t v) { return static_cast<double>(v); }

// A millisecond timestamp as Prometheus' *_seconds gauges show it: whole seconds.
double WholeSeconds(Timestamp ms) { return static_cast<double>(ms / 1000); }

}  // namespace

class DB::Metrics::Collector : public metrics::Collector {
 public:
  explicit Collector(const DB* db) : db_(db) {}

  void Collect(std::vector<FamilySnapshot>* out) const override {
    const Metrics& m = *db_->metrics_;
    const Head& head = db_->head_;
    const HeadCounters c = head.counters();
    auto add = [out](FamilySnapshot f) { out->push_back(std::move(f)); };
    auto counter = [&add](std::string_view name, std::string_view help, double v) {
      add(Family(name, help, MetricType::kCounter, v));
    };
    auto gauge = [&add](std::string_view name, std::string_view help, double v) {
      add(Family(name, help, MetricType::kGauge, v));
    };

    // Head.
    const uint64_t series = head.NumSeries();
    gauge("prometheus_tsdb_head_series", "Total number of series in the head block.", D(series));
    // Every series in the head was created in this process, and so was every removed one.
    counter("prometheus_tsdb_head_series_created_total",
            "Total number of series created in the head", D(series + c.series_removed));
    counter("prometheus_tsdb_head_series_removed_total",
            "Total number of series removed in the head", D(c.series_removed));
    counter("prometheus_tsdb_head_series_not_found_total",
            "Total number of requests for series that were not found.", D(c.series_not_found));
    // Chunks loaded from chunks_head at start count as created, as in Prometheus.
    gauge("prometheus_tsdb_head_chunks", "Total number of chunks in the head block.",
          D(c.chunks_created - c.chunks_removed));
    counter("prometheus_tsdb_head_chunks_created_total",
            "Total number of chunks created in the head", D(c.chunks_created));
    counter("prometheus_tsdb_head_chunks_removed_total",
            "Total number of chunks removed in the head", D(c.chunks_removed));
    add(FloatFamily("prometheus_tsdb_head_samples_appended_total",
                    "Total number of appended samples.", MetricType::kCounter,
                    D(db_->log_.samples_logged())));
    counter("prometheus_tsdb_head_out_of_order_samples_appended_total",
            "Total number of appended out of order samples.", D(c.out_of_order_appended));
    add(FloatFamily("prometheus_tsdb_out_of_order_samples_total",
                    "Total number of out of order samples ingestion failed attempts due to out of "
                    "order being disabled.",
                    MetricType::kCounter, D(c.out_of_order_rejected)));
    add(FloatFamily("prometheus_tsdb_out_of_bound_samples_total",
                    "Total number of out of bound samples ingestion failed attempts with out of "
                    "order support disabled.",
                    MetricType::kCounter, D(c.out_of_bounds_rejected)));
    add(FloatFamily("prometheus_tsdb_too_old_samples_total",
                    "Total number of out of order samples ingestion failed attempts with out of "
                    "support enabled, but sample outside of time window.",
                    MetricType::kCounter, D(c.too_old_rejected)));
    gauge("prometheus_tsdb_head_active_appenders",
          "Number of currently active appender transactions", D(c.active_appenders));
    const Timestamp mint = head.MinTime(), maxt = head.MaxTime();
    gauge("prometheus_tsdb_head_min_time",
          "Minimum time bound of the head block. The unit is decided by the library consumer.",
          D(mint));
    gauge("prometheus_tsdb_head_min_time_seconds", "Minimum time bound of the head block.",
          WholeSeconds(mint));
    gauge("prometheus_tsdb_head_max_time",
          "Maximum timestamp of the head block. The unit is decided by the library consumer.",
          D(maxt));
    gauge("prometheus_tsdb_head_max_time_seconds", "Maximum timestamp of the head block.",
          WholeSeconds(maxt));
    counter("prometheus_tsdb_head_truncations_total", "Total number of head truncations attempted.",
            D(m.truncations.load()));
    counter("prometheus_tsdb_head_truncations_failed_total",
            "Total number of head truncations that failed.", D(m.truncation_failures.load()));
    counter("prometheus_tsdb_mmap_chunk_corruptions_total",
            "Total number of memory-mapped chunk corruptions.", D(m.mmap_chunk_corruptions.load()));
    add(SummaryFamily("prometheus_tsdb_head_gc_duration_seconds",
                      "Runtime of garbage collection in the head block.", m.head_gc_duration));
    gauge("prometheus_tsdb_data_replay_duration_seconds", "Time taken to replay the data on disk.",
          db_->replay_stats_.duration_seconds);

    // WAL and checkpoints.
    counter("prometheus_tsdb_wal_corruptions_total", "Total number of WAL corruptions.",
            D(db_->replay_stats_.corruptions));
    counter("prometheus_tsdb_wal_page_flushes_total", "Total number of page flushes.",
            D(m.wal.page_flushes.load()));
    counter("prometheus_tsdb_wal_completed_pages_total", "Total number of completed pages.",
            D(m.wal.completed_pages.load()));
    counter("prometheus_tsdb_wal_writes_failed_total",
            "Total number of write log writes that failed.", D(m.wal.writes_failed.load()));
    counter("prometheus_tsdb_wal_truncations_total",
            "Total number of write log truncations attempted.", D(m.wal.truncations.load()));
    counter("prometheus_tsdb_wal_truncations_failed_total",
            "Total number of write log truncations that failed.",
            D(m.wal.truncations_failed.load()));
    gauge("prometheus_tsdb_wal_segment_current",
          "Write log segment index that TSDB is currently writing to.",
          D(m.wal.segment_current.load()));
    add(SummaryFamily("prometheus_tsdb_wal_fsync_duration_seconds", "Duration of write log fsync.",
                      m.wal_fsync_duration));
    add(SummaryFamily("prometheus_tsdb_wal_truncate_duration_seconds",
                      "Duration of WAL truncation.", m.wal_truncate_duration));
    counter("prometheus_tsdb_checkpoint_creations_total",
            "Total number of checkpoint creations attempted.", D(m.checkpoints.load()));
    counter("prometheus_tsdb_checkpoint_creations_failed_total",
            "Total number of checkpoint creations that failed.", D(m.checkpoint_failures.load()));
    counter("prometheus_tsdb_checkpoint_deletions_total",
            "Total number of checkpoint deletions attempted.", D(m.checkpoint_deletions.load()));
    counter("prometheus_tsdb_checkpoint_deletions_failed_total",
            "Total number of checkpoint deletions that failed.",
            D(m.checkpoint_deletion_failures.load()));

    // Sundial writes no memory snapshot at shutdown (Prometheus' memory-snapshot-on-shutdown
    // feature, off by default), so no snapshot replay can fail.
    counter("prometheus_tsdb_snapshot_replay_error_total",
            "Total number snapshot replays that failed.", 0);

    gauge("prometheus_tsdb_clean_start",
          "-1: lockfile is disabled. 0: a lockfile from a previous execution was replaced. 1: "
          "lockfile creation was clean",
          db_->lock_->clean_start() ? 1 : 0);

    // Blocks, compaction, retention.
    const std::vector<std::shared_ptr<block::Block>> blocks = db_->BlocksSnapshot();
    gauge("prometheus_tsdb_blocks_loaded", "Number of currently loaded data blocks",
          D(static_cast<uint64_t>(blocks.size())));
    uint64_t block_bytes = 0;
    for (const auto& b : blocks) block_bytes += b->Size();
    gauge("prometheus_tsdb_storage_blocks_bytes",
          "The number of bytes that are currently used for local storage by all blocks.",
          D(block_bytes));
    // What Prometheus' index readers keep of a symbol table: the offset of every 32nd symbol.
    uint64_t symbol_bytes = 0;
    for (const auto& b : blocks) symbol_bytes += (b->index().NumSymbols() + 31) / 32 * 8;
    gauge("prometheus_tsdb_symbol_table_size_bytes",
          "Size of symbol table in memory for loaded blocks", D(symbol_bytes));
    // As Prometheus' DB start time: the oldest block's, else the head's.
    const Timestamp lowest = blocks.empty() ? mint : blocks.front()->meta().min_time;
    gauge("prometheus_tsdb_lowest_timestamp",
          "Lowest timestamp value stored in the database. The unit is decided by the library "
          "consumer.",
          D(lowest));
    gauge("prometheus_tsdb_lowest_timestamp_seconds",
          "Lowest timestamp value stored in the database.", WholeSeconds(lowest));
    gauge("prometheus_tsdb_retention_limit_bytes",
          "Max number of bytes to be retained in the tsdb blocks, configured 0 means disabled",
          D(std::max<int64_t>(0, db_->options_.retention_size_bytes)));
    counter("prometheus_tsdb_reloads_total",
            "Number of times the database reloaded block data from disk.", D(m.reloads.load()));
    counter("prometheus_tsdb_reloads_failures_total",
            "Number of times the database failed to reloadBlocks block data from disk.",
            D(m.reload_failures.load()));
    counter("prometheus_tsdb_time_retentions_total",
            "The number of times that blocks were deleted because the maximum time limit was "
            "exceeded.",
            D(m.time_retentions.load()));
    counter("prometheus_tsdb_size_retentions_total",
            "The number of times that blocks were deleted because the maximum number of bytes "
            "was exceeded.",
            D(m.size_retentions.load()));
    counter("prometheus_tsdb_compactions_total",
            "Total number of compactions that were executed for the partition.",
            D(db_->compactions_.load()));
    counter("prometheus_tsdb_compactions_failed_total",
            "Total number of compactions that failed for the partition.",
            D(db_->compactions_failed_.load()));
    // Compaction cannot be turned off in Sundial, as in the Prometheus server (only the Go TSDB
    // API skips compactions), so none is ever skipped.
    counter("prometheus_tsdb_compactions_skipped_total",
            "Total number of skipped compactions due to disabled auto compaction.", 0);
    counter("prometheus_tsdb_compactions_triggered_total",
            "Total number of triggered compactions for the partition.",
            D(m.compactions_triggered.load()));
    counter("prometheus_tsdb_vertical_compactions_total",
            "Total number of compactions done on overlapping blocks.",
            D(m.vertical_compactions.load()));
    gauge("prometheus_tsdb_compaction_populating_block",
          "Set to 1 when a block is currently being written to the disk.",
          m.populating_block.load() > 0 ? 1 : 0);
    add(HistogramFamily("prometheus_tsdb_compaction_duration_seconds",
                        "Duration of compaction runs", m.compaction_duration));
    add(HistogramFamily("prometheus_tsdb_compaction_chunk_range_seconds",
                        "Final time range of chunks on their first compaction",
                        m.compaction_chunk_range));
    add(HistogramFamily("prometheus_tsdb_compaction_chunk_samples",
                        "Final number of samples on their first compaction",
                        m.compaction_chunk_samples));
    add(HistogramFamily("prometheus_tsdb_compaction_chunk_size_bytes",
                        "Final size of chunks on their first compaction", m.compaction_chunk_size));
    add(HistogramFamily("prometheus_tsdb_tombstone_cleanup_seconds",
                        "The time taken to recompact blocks to remove tombstones.",
                        m.tombstone_cleanup));
  }

 private:
  const DB* const db_;
};

DB::Metrics::Metrics() : wal_fsync_duration(FsyncObjectives()) {
  wal.fsync_duration = &wal_fsync_duration;
}

DB::Metrics::~Metrics() { Unregister(); }

void DB::Metrics::Unregister() {
  if (registry_ != nullptr) registry_->RemoveCollector(handle_);
  registry_ = nullptr;
}

void DB::Metrics::Register(const DB* db, metrics::Registry* registry) {
  registry_ = registry;
  if (registry_ != nullptr) handle_ = registry_->AddCollector(std::make_unique<Collector>(db));
}

}  // namespace sundial::tsdb
