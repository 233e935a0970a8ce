#include "tsdb/compact/retention.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace sundial::tsdb {
namespace {

// Newest first by max time (ties: larger ULID first), as Prometheus orders blocks for retention.
std::vector<const StoredBlock*> NewestFirst(std::span<const StoredBlock> blocks) {
  std::vector<const StoredBlock*> out;
  out.reserve(blocks.size());
  for (const StoredBlock& b : blocks) out.push_back(&b);
  std::sort(out.begin(), out.end(), [](const StoredBlock* a, const StoredBlock* b) {
    if (a->meta->max_time != b->meta->max_time) return a->meta->max_time > b->meta->max_time;
    return a->meta->ulid > b->meta->ulid;
  });
  return out;
}

std::vector<std::string> From(const std::vector<const StoredBlock*>& sorted, size_t i) {
  std::vector<std::string> out;
  for (; i < sorted.size(); ++i) out.push_back(sorted[i]->meta->ulid);
  return out;
}

}  // namespace

std::vector<std::string> BeyondTimeRetention(std::span<const StoredBlock> blocks,
                                             int64_t retention_ms) {
  if (blocks.empty() || retention_ms <= 0) return {};
  std::vector<const StoredBlock*> sorted = NewestFirst(blocks);
  const int64_t newest = sorted.front()->meta->max_time;
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (newest - sorted[i]->meta->max_time > retention_ms) return From(sorted, i);
  }
  return {};
}

std::vector<std::string> BeyondSizeRetention(std::span<const StoredBlock> blocks,
                                             int64_t head_bytes, int64_t max_bytes) {
  if (blocks.empty() || max_bytes <= 0) return {};
  std::vector<const StoredBlock*> sorted = NewestFirst(blocks);
  int64_t total = head_bytes;
  for (size_t i = 0; i < sorted.size(); ++i) {
    total += sorted[i]->size_bytes;
    if (total > max_bytes) return From(sorted, i);
  }
  return {};
}

std::vector<std::string> BlocksToDelete(std::span<const StoredBlock> blocks,
                                        const RetentionOptions& options, int64_t head_bytes,
                                        RetentionHits* hits) {
  absl::flat_hash_set<std::string> doomed;
  for (const StoredBlock& b : blocks) {
    if (b.meta->compaction.deletable) doomed.insert(b.meta->ulid);
  }
  // A parent is superseded only by a child that is itself loadable (not marked deletable).
  for (const StoredBlock& b : blocks) {
    if (b.meta->compaction.deletable) continue;
    for (const block::BlockDesc& p : b.meta->compaction.parents) doomed.insert(p.ulid);
  }
  std::vector<StoredBlock> live;
  for (const StoredBlock& b : blocks) {
    if (!doomed.contains(b.meta->ulid)) live.push_back(b);
  }
  const std::vector<std::string> beyond_time = BeyondTimeRetention(live, options.retention_ms);
  const std::vector<std::string> beyond_size =
      BeyondSizeRetention(live, head_bytes, options.max_bytes);
  doomed.insert(beyond_time.begin(), beyond_time.end());
  doomed.insert(beyond_size.begin(), beyond_size.end());
  if (hits != nullptr) *hits = {.time = !beyond_time.empty(), .size = !beyond_size.empty()};
  // Only blocks that exist (a parent may be long gone).
  std::vector<std::string> out;
  for (const StoredBlock& b : blocks) {
    if (doomed.contains(b.meta->ulid)) out.push_back(b.meta->ulid);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sundial::tsdb
