// The DB's blocks: loading at Open, head compaction, level compaction and retention.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/compact/merge_querier.h"
#include "tsdb/compact/retention.h"
#include "tsdb/db/db.h"
#include "tsdb/db/db_metrics.h"

namespace sundial::tsdb {
namespace {

const Logger kLog("tsdb");

constexpr std::string_view kTmpForCreation = ".tmp-for-creation";
constexpr std::string_view kTmpForDeletion = ".tmp-for-deletion";

bool ByMinTime(const std::shared_ptr<block::Block>& a, const std::shared_ptr<block::Block>& b) {
  if (a->meta().min_time != b->meta().min_time) return a->meta().min_time < b->meta().min_time;
  return a->meta().ulid < b->meta().ulid;
}

// Bytes of every file below dir (0 if it does not exist).
absl::StatusOr<int64_t> DirSize(FileSystem* fs, const std::string& dir) {
  ASSIGN_OR_RETURN(bool exists, fs->Exists(dir));
  if (!exists) return 0;
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->List(dir));
  int64_t total = 0;
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir, name);
    ASSIGN_OR_RETURN(bool is_dir, fs->IsDirectory(path));
    if (is_dir) {
      ASSIGN_OR_RETURN(int64_t sub, DirSize(fs, path));
      total += sub;
    } else {
      ASSIGN_OR_RETURN(uint64_t size, fs->FileSize(path));
      total += static_cast<int64_t>(size);
    }
  }
  return total;
}

}  // namespace

absl::StatusOr<block::BlockMeta> DB::WriteBlockTimed(Querier& q, Timestamp mint, Timestamp maxt,
                                                     const block::BlockWriterOptions& options) {
  block::BlockWriterOptions opts = options;
  // As Prometheus, the chunks of blocks cut from the head (level 1) are observed.
  if (!opts.compaction.has_value() || opts.compaction->level == 1) {
    opts.on_chunk = [m = metrics_.get()](const block::ChunkMeta& c, int samples, size_t bytes) {
      m->compaction_chunk_range.Observe(static_cast<double>(c.max_time - c.min_time));
      m->compaction_chunk_samples.Observe(samples);
      m->compaction_chunk_size.Observe(static_cast<double>(bytes));
    };
  }
  metrics_->populating_block.fetch_add(1);
  const absl::Time start = absl::Now();
  absl::StatusOr<block::BlockMeta> meta = block::WriteBlock(fs_, options_.dir, q, mint, maxt, opts);
  metrics_->compaction_duration.Observe(absl::ToDoubleSeconds(absl::Now() - start));
  metrics_->populating_block.fetch_sub(1);
  return meta;
}

std::vector<std::shared_ptr<block::Block>> DB::BlocksSnapshot() const {
  absl::ReaderMutexLock lock(&blocks_mu_);
  return blocks_;
}

std::vector<block::BlockMeta> DB::Blocks() const {
  std::vector<block::BlockMeta> out;
  for (const auto& b : BlocksSnapshot()) out.push_back(b->meta());
  return out;
}

void DB::AddBlock(std::shared_ptr<block::Block> b) {
  absl::MutexLock lock(&blocks_mu_);
  std::erase_if(blocks_, [&b](const auto& x) { return x->meta().ulid == b->meta().ulid; });
  blocks_.push_back(std::move(b));
  std::sort(blocks_.begin(), blocks_.end(), ByMinTime);
}

absl::Status DB::LoadBlocks() {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->List(options_.dir));
  for (const std::string& name : names) {
    const std::string path = JoinPath(options_.dir, name);
    // Leftovers of a block write or deletion a crash interrupted.
    if (name.ends_with(kTmpForCreation) || name.ends_with(kTmpForDeletion)) {
      kLog.Info("Removing leftover temporary block dir", {{"dir", path}});
      RETURN_IF_ERROR(fs_->RemoveAll(path));
      continue;
    }
    if (!block::IsValidUlid(name)) continue;
    ASSIGN_OR_RETURN(bool is_dir, fs_->IsDirectory(path));
    if (!is_dir) continue;
    absl::StatusOr<std::shared_ptr<block::Block>> b = block::Block::Open(fs_, path);
    if (!b.ok()) {
      kLog.Error("Skipping a block that cannot be opened", {{"block", path}, {"err", b.status()}});
      continue;
    }
    AddBlock(*std::move(b));
  }
  return ApplyRetention();
}

absl::Status DB::CompactHead() {
  const int64_t range = options_.block_range_ms;
  while (HeadCompactable(head_.MinTime(), head_.MaxTime(), range)) {
    const Timestamp mint = head_.MinTime();
    const Timestamp maxt = RangeEndForTimestamp(mint, range);
    // Deleted samples stay out of the block.
    ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, HeadQuerier(mint, maxt - 1));
    absl::StatusOr<block::BlockMeta> meta = WriteBlockTimed(*q, mint, maxt, {});
    if (!meta.ok()) {
      compactions_failed_.fetch_add(1);
      return meta.status();
    }
    if (!meta->ulid.empty()) {
      ASSIGN_OR_RETURN(std::shared_ptr<block::Block> b,
                       block::Block::Open(fs_, JoinPath(options_.dir, meta->ulid)));
      AddBlock(std::move(b));
      compactions_.fetch_add(1);
      kLog.Info("Head compaction wrote a block", {{"ulid", meta->ulid},
                                                  {"mint", mint},
                                                  {"maxt", maxt},
                                                  {"series", meta->stats.num_series},
                                                  {"samples", meta->stats.num_samples}});
    }
    // The block is durable (WriteBlock fsyncs it and its parent dir): drop it from the head.
    RETURN_IF_ERROR(Truncate(maxt));
    if (head_.MinTime() < maxt && head_.MinTime() != INT64_MAX) {
      return absl::InternalError(
          StrCat("head min time ", head_.MinTime(), " did not advance past the block end ", maxt));
    }
  }
  return absl::OkStatus();
}

absl::Status DB::MarkBlock(const std::string& ulid, bool failed, bool deletable) {
  const std::string dir = JoinPath(options_.dir, ulid);
  ASSIGN_OR_RETURN(block::BlockMeta meta, block::ReadMeta(fs_, dir));
  meta.compaction.failed = meta.compaction.failed || failed;
  meta.compaction.deletable = meta.compaction.deletable || deletable;
  RETURN_IF_ERROR(block::WriteMeta(fs_, dir, meta));
  ASSIGN_OR_RETURN(std::shared_ptr<block::Block> b, block::Block::Open(fs_, dir));
  AddBlock(std::move(b));
  return absl::OkStatus();
}

absl::Status DB::CompactBlocks() {
  while (true) {
    std::vector<std::shared_ptr<block::Block>> all = BlocksSnapshot();
    std::vector<block::BlockMeta> metas;
    metas.reserve(all.size());
    for (const auto& b : all) metas.push_back(b->meta());
    const std::vector<std::string> plan = PlanCompaction(metas, ranges_);
    if (plan.empty()) return absl::OkStatus();

    std::vector<std::shared_ptr<block::Block>> parents;
    for (const std::string& ulid : plan) {
      auto it = std::find_if(all.begin(), all.end(),
                             [&ulid](const auto& b) { return b->meta().ulid == ulid; });
      if (it != all.end()) parents.push_back(*it);
    }
    Timestamp mint = INT64_MAX;
    Timestamp maxt = INT64_MIN;
    bool overlapping = false;  // parents are in min time order
    block::BlockMetaCompaction compaction;
    absl::flat_hash_set<std::string> sources;
    for (const auto& p : parents) {
      const block::BlockMeta& m = p->meta();
      overlapping = overlapping || m.min_time < maxt;
      mint = std::min(mint, m.min_time);
      maxt = std::max(maxt, m.max_time);
      compaction.level = std::max(compaction.level, m.compaction.level + 1);
      sources.insert(m.compaction.sources.begin(), m.compaction.sources.end());
      compaction.parents.push_back({m.ulid, m.min_time, m.max_time});
    }
    compaction.sources.assign(sources.begin(), sources.end());
    std::sort(compaction.sources.begin(), compaction.sources.end());

    // Parents in plan order (by min time): on equal timestamps the older block's sample wins.
    std::vector<std::unique_ptr<Querier>> queriers;
    for (const auto& p : parents) {
      ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, p->NewQuerier(mint, maxt - 1));
      queriers.push_back(std::move(q));
    }
    std::unique_ptr<Querier> merged = NewMergeQuerier(std::move(queriers));
    block::BlockWriterOptions writer_options;
    writer_options.compaction = compaction;
    absl::StatusOr<block::BlockMeta> meta = WriteBlockTimed(*merged, mint, maxt, writer_options);
    merged.reset();
    if (!meta.ok()) {
      compactions_failed_.fetch_add(1);
      kLog.Error("Compaction failed; marking its blocks as failed",
                 {{"blocks", absl::StrJoin(plan, ",")}, {"err", meta.status()}});
      for (const std::string& ulid : plan) {
        if (absl::Status s = MarkBlock(ulid, /*failed=*/true, /*deletable=*/false); !s.ok()) {
          kLog.Error("Marking a block as failed failed", {{"block", ulid}, {"err", s}});
        }
      }
      return meta.status();
    }
    compactions_.fetch_add(1);
    if (overlapping) metrics_->vertical_compactions.fetch_add(1);
    if (meta->ulid.empty()) {
      // Nothing left (all deleted by tombstones): the parents go, as Prometheus marks them.
      for (const std::string& ulid : plan) {
        RETURN_IF_ERROR(MarkBlock(ulid, /*failed=*/false, /*deletable=*/true));
      }
      kLog.Info("Compaction produced no samples; deleting its blocks",
                {{"blocks", absl::StrJoin(plan, ",")}});
    } else {
      ASSIGN_OR_RETURN(std::shared_ptr<block::Block> b,
                       block::Block::Open(fs_, JoinPath(options_.dir, meta->ulid)));
      AddBlock(std::move(b));
      kLog.Info("Compacted blocks", {{"ulid", meta->ulid},
                                     {"level", meta->compaction.level},
                                     {"mint", mint},
                                     {"maxt", maxt},
                                     {"sources", absl::StrJoin(plan, ",")}});
    }
    // The new block is durable; only now do its parents go.
    RETURN_IF_ERROR(DeleteBlocks(plan));
  }
}

absl::Status DB::ApplyRetention() {
  metrics_->reloads.fetch_add(1);
  absl::Status status = ApplyRetentionUncounted();
  if (!status.ok()) metrics_->reload_failures.fetch_add(1);
  return status;
}

absl::Status DB::ApplyRetentionUncounted() {
  std::vector<std::shared_ptr<block::Block>> all = BlocksSnapshot();
  std::vector<StoredBlock> stored;
  stored.reserve(all.size());
  for (const auto& b : all) {
    stored.push_back(StoredBlock{&b->meta(), static_cast<int64_t>(b->Size())});
  }
  int64_t head_bytes = 0;
  if (options_.retention_size_bytes > 0) {
    // As Prometheus' Head.Size(): the WAL and the head's chunk files count with the blocks (read
    // from the directory, since at startup the blocks are loaded before chunks_head is opened).
    ASSIGN_OR_RETURN(const int64_t wal_bytes, DirSize(fs_, wal_dir_));
    ASSIGN_OR_RETURN(const int64_t chunk_bytes,
                     DirSize(fs_, JoinPath(options_.dir, "chunks_head")));
    head_bytes = wal_bytes + chunk_bytes;
  }
  RetentionHits hits;
  const std::vector<std::string> doomed =
      BlocksToDelete(stored,
                     RetentionOptions{.retention_ms = options_.retention_ms,
                                      .max_bytes = options_.retention_size_bytes},
                     head_bytes, &hits);
  if (hits.time) metrics_->time_retentions.fetch_add(1);
  if (hits.size) metrics_->size_retentions.fetch_add(1);
  if (doomed.empty()) return absl::OkStatus();
  kLog.Info("Deleting blocks (compacted, or beyond retention)",
            {{"blocks", absl::StrJoin(doomed, ",")}});
  return DeleteBlocks(doomed);
}

absl::Status DB::DeleteBlocks(const std::vector<std::string>& ulids) {
  const absl::flat_hash_set<std::string> set(ulids.begin(), ulids.end());
  {
    absl::MutexLock lock(&blocks_mu_);
    std::erase_if(blocks_, [&set](const auto& b) { return set.contains(b->meta().ulid); });
  }
  for (const std::string& ulid : ulids) {
    const std::string dir = JoinPath(options_.dir, ulid);
    ASSIGN_OR_RETURN(bool exists, fs_->Exists(dir));
    if (!exists) continue;
    // Renamed first so that a crash never leaves a half-deleted block that looks whole.
    const std::string tmp = StrCat(dir, kTmpForDeletion);
    RETURN_IF_ERROR(fs_->Rename(dir, tmp));
    RETURN_IF_ERROR(fs_->SyncDir(options_.dir));
    RETURN_IF_ERROR(fs_->RemoveAll(tmp));
  }
  return absl::OkStatus();
}

}  // namespace sundial::tsdb
