// The DB's admin operations (Prometheus' DB.Delete, DB.CleanTombstones and DB.Snapshot): series
// deletion through tombstones, rewriting blocks without deleted data, and snapshots.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/format.h"
#include "tsdb/db/db.h"
#include "tsdb/db/db_metrics.h"

namespace sundial::tsdb {
namespace {

const Logger kLog("tsdb");

// [mint, maxt] cut to [lo, hi] (Prometheus' clampInterval).
block::Interval Clamp(Timestamp mint, Timestamp maxt, Timestamp lo, Timestamp hi) {
  return {std::max(mint, lo), std::min(maxt, hi)};
}

// Hard-links src to dst; copies where the file system cannot link (another device, or a file
// system other than the POSIX one, such as the tests' in-memory one).
absl::Status LinkOrCopy(FileSystem* fs, const std::string& src, const std::string& dst) {
  if (fs == FileSystem::Default()) {
    if (::link(src.c_str(), dst.c_str()) == 0) return absl::OkStatus();
    const int err = errno;
    if (err != EXDEV && err != EPERM && err != ENOTSUP && err != EMLINK) {
      return absl::InternalError(StrCat("link ", src, " ", dst, ": ", std::strerror(err)));
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> in, fs->OpenReadable(src));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out, fs->OpenWritable(dst, OpenMode::kCreateNew));
  std::string scratch(1 << 20, '\0');
  for (uint64_t off = 0; off < in->Size();) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(scratch.size(), in->Size() - off));
    ASSIGN_OR_RETURN(std::string_view data, in->Read(off, n, scratch.data()));
    RETURN_IF_ERROR(out->Append(data));
    off += data.size();
    if (data.empty()) return absl::DataLossError(StrCat(src, ": short read at ", off));
  }
  RETURN_IF_ERROR(out->Sync());
  return out->Close();
}

// Prometheus' Block.Snapshot: dir/<ULID>/ with links to the block's files.
absl::Status SnapshotBlock(FileSystem* fs, const block::Block& b, const std::string& dir) {
  const std::string dst = JoinPath(dir, b.meta().ulid);
  const std::string chunks_dst = JoinPath(dst, block::kChunksDirname);
  RETURN_IF_ERROR(fs->CreateDirs(chunks_dst));
  for (std::string_view name :
       {block::kMetaFilename, block::kTombstonesFilename, block::kIndexFilename}) {
    RETURN_IF_ERROR(LinkOrCopy(fs, JoinPath(b.dir(), name), JoinPath(dst, name)));
  }
  const std::string chunks_src = JoinPath(b.dir(), block::kChunksDirname);
  ASSIGN_OR_RETURN(std::vector<std::string> segments, fs->List(chunks_src));
  for (const std::string& name : segments) {
    RETURN_IF_ERROR(LinkOrCopy(fs, JoinPath(chunks_src, name), JoinPath(chunks_dst, name)));
  }
  RETURN_IF_ERROR(fs->SyncDir(chunks_dst));
  return fs->SyncDir(dst);
}

}  // namespace

absl::Status DB::Delete(Timestamp mint, Timestamp maxt, std::span<const Matcher> matchers) {
  absl::MutexLock compact_lock(&compact_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError("DB is closed");
  }
  for (const std::shared_ptr<block::Block>& b : BlocksSnapshot()) {
    if (b->meta().min_time <= maxt && mint < b->meta().max_time) {
      RETURN_IF_ERROR(DeleteInBlock(b, mint, maxt, matchers));
    }
  }
  if (head_.MinTime() <= maxt && mint <= head_.MaxTime()) {
    RETURN_IF_ERROR(DeleteInHead(mint, maxt, matchers));
  }
  return absl::OkStatus();
}

absl::Status DB::DeleteInBlock(const std::shared_ptr<block::Block>& b, Timestamp mint,
                               Timestamp maxt, std::span<const Matcher> matchers) {
  ASSIGN_OR_RETURN(Postings ids, b->index().PostingsForMatchers(matchers));
  block::Tombstones stones = b->tombstones();
  bool added = false;
  Labels labels;
  std::vector<block::ChunkMeta> chunks;
  for (SeriesRef id : ids) {
    RETURN_IF_ERROR(b->index().Series(id, &labels, &chunks));
    const bool overlaps = std::any_of(chunks.begin(), chunks.end(), [&](const block::ChunkMeta& c) {
      return c.min_time <= maxt && mint <= c.max_time;
    });
    if (!overlaps) continue;
    // Only up to the series' data, never beyond it.
    stones.Add(id, Clamp(mint, maxt, chunks.front().min_time, chunks.back().max_time));
    added = true;
  }
  if (!added) return absl::OkStatus();

  // The tombstones file is replaced atomically (tmp, fsync, rename); meta.json then counts them.
  // A crash between the two leaves a stale count and nothing worse.
  RETURN_IF_ERROR(block::WriteTombstones(fs_, b->dir(), stones));
  block::BlockMeta meta = b->meta();
  meta.stats.num_tombstones = stones.NumIntervals();
  RETURN_IF_ERROR(block::WriteMeta(fs_, b->dir(), meta));
  ASSIGN_OR_RETURN(std::shared_ptr<block::Block> reopened, block::Block::Open(fs_, b->dir()));
  AddBlock(std::move(reopened));  // queriers still open keep reading the old one
  return absl::OkStatus();
}

absl::Status DB::DeleteInHead(Timestamp mint, Timestamp maxt, std::span<const Matcher> matchers) {
  // Only within the head's data (Prometheus clamps to its range, then to each series' data).
  mint = std::max(mint, head_.MinTime());
  maxt = std::min(maxt, head_.MaxTime());
  if (mint > maxt) return absl::OkStatus();

  absl::flat_hash_map<uint64_t, std::vector<std::pair<SeriesRef, Labels>>> refs;
  for (auto& [ref, labels] : head_.SeriesMatching(matchers)) {
    refs[labels.Hash()].emplace_back(ref, std::move(labels));
  }
  auto ref_of = [&refs](const Labels& labels) -> SeriesRef {
    auto it = refs.find(labels.Hash());
    if (it == refs.end()) return 0;
    for (const auto& [ref, l] : it->second) {
      if (l == labels) return ref;
    }
    return 0;
  };

  // Each matching series' interval is cut to its first and last sample in range: that deletes
  // exactly what Prometheus' clamping to the series' min and max time deletes.
  ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, head_.NewQuerier(mint, maxt));
  SelectHints hints;
  hints.start = mint;
  hints.end = maxt;
  std::unique_ptr<SeriesSet> set = q->Select(hints, matchers);
  std::vector<WalHeadLog::Stone> logged;
  std::vector<std::pair<Labels, block::Interval>> stones;
  while (set->Next()) {
    const Series& s = set->At();
    const SeriesRef ref = ref_of(s.labels());
    if (ref == 0) continue;  // gone since (truncated); nothing left to delete
    std::unique_ptr<SampleIterator> it = s.Iterator();
    Timestamp first = INT64_MAX, last = INT64_MIN;
    while (it->Next() != ValueType::kNone) {
      first = std::min(first, it->AtT());
      last = std::max(last, it->AtT());
    }
    RETURN_IF_ERROR(it->Err());
    if (first > last) continue;
    logged.push_back({ref, first, last});
    stones.push_back({s.labels(), {first, last}});
  }
  RETURN_IF_ERROR(set->Err());
  if (stones.empty()) return absl::OkStatus();
  // Logged before they apply, as Prometheus does: a deletion that was acknowledged survives a
  // crash.
  RETURN_IF_ERROR(log_.LogTombstones(logged));
  head_tombstones_.Add(stones);
  return absl::OkStatus();
}

uint64_t DB::NumHeadTombstones() const {
  std::shared_ptr<const HeadTombstones::View> view = head_tombstones_.Snapshot();
  return view == nullptr ? 0 : view->NumIntervals();
}

absl::Status DB::CleanTombstones() {
  absl::MutexLock compact_lock(&compact_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError("DB is closed");
  }
  const absl::Time start = absl::Now();
  absl::Status status = CleanTombstonesLocked();
  metrics_->tombstone_cleanup.Observe(absl::ToDoubleSeconds(absl::Now() - start));
  return status;
}

absl::Status DB::CleanTombstonesLocked() {
  for (const std::shared_ptr<block::Block>& b : BlocksSnapshot()) {
    if (b->tombstones().empty()) continue;
    const block::BlockMeta& old = b->meta();
    block::BlockMetaCompaction compaction;
    compaction.level = 1;  // sources: the new block itself (WriteBlock adds it)
    compaction.parents.push_back({old.ulid, old.min_time, old.max_time});
    compaction.hints = old.compaction.hints;
    block::BlockWriterOptions writer_options;
    writer_options.compaction = std::move(compaction);
    // The block's querier leaves its deleted samples out.
    ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, b->NewQuerier(old.min_time, old.max_time - 1));
    absl::StatusOr<block::BlockMeta> meta =
        block::WriteBlock(fs_, options_.dir, *q, old.min_time, old.max_time, writer_options);
    q.reset();
    if (!meta.ok()) {
      return absl::Status(meta.status().code(),
                          StrCat("clean tombstones: ", b->dir(), ": ", meta.status().message()));
    }
    if (!meta->ulid.empty()) {
      ASSIGN_OR_RETURN(std::shared_ptr<block::Block> nb,
                       block::Block::Open(fs_, JoinPath(options_.dir, meta->ulid)));
      AddBlock(std::move(nb));
    }
    kLog.Info("Rewrote a block without its deleted data",
              {{"block", old.ulid},
               {"new_block", meta->ulid.empty() ? std::string("(none, all deleted)") : meta->ulid},
               {"tombstones", old.stats.num_tombstones}});
    // The new block is durable (WriteBlock fsyncs it); only now does the old one go.
    RETURN_IF_ERROR(DeleteBlocks({old.ulid}));
  }
  return absl::OkStatus();
}

absl::Status DB::Snapshot(const std::string& dir, bool with_head) {
  if (dir == options_.dir) return absl::InvalidArgumentError("cannot snapshot into base directory");
  if (block::IsValidUlid(std::filesystem::path(dir).filename().string())) {
    return absl::InvalidArgumentError("dir must not be a valid ULID");
  }
  absl::MutexLock compact_lock(&compact_mu_);  // no block goes away meanwhile
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError("DB is closed");
  }
  RETURN_IF_ERROR(fs_->CreateDirs(dir));
  for (const std::shared_ptr<block::Block>& b : BlocksSnapshot()) {
    kLog.Info("Snapshotting block", {{"block", b->meta().ulid}});
    if (absl::Status s = SnapshotBlock(fs_, *b, dir); !s.ok()) {
      return absl::Status(s.code(),
                          StrCat("error snapshotting block: ", b->dir(), ": ", s.message()));
    }
  }
  RETURN_IF_ERROR(fs_->SyncDir(dir));
  if (!with_head) return absl::OkStatus();
  const Timestamp mint = head_.MinTime();
  const Timestamp maxt = head_.MaxTime();
  if (mint > maxt) return absl::OkStatus();  // empty head: no block, as Prometheus
  ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, HeadQuerier(mint, maxt));
  // Blocks are half-open, [mint, maxt + 1).
  absl::StatusOr<block::BlockMeta> meta = block::WriteBlock(fs_, dir, *q, mint, maxt + 1);
  if (!meta.ok()) {
    return absl::Status(meta.status().code(),
                        StrCat("snapshot head block: ", meta.status().message()));
  }
  return absl::OkStatus();
}

}  // namespace sundial::tsdb
