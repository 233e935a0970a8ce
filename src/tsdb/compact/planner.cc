#include "tsdb/compact/planner.h"

#include <algorithm>

namespace sundial::tsdb {
namespace {

using block::BlockMeta;

// Floor division (C++ truncates towards zero).
int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Step 1: the first run of mutually overlapping blocks. REQUIRES: sorted by min time.
std::vector<const BlockMeta*> SelectOverlapping(std::span<const BlockMeta* const> blocks) {
  std::vector<const BlockMeta*> out;
  if (blocks.size() < 2) return out;
  int64_t max_t = blocks[0]->max_time;
  for (size_t i = 1; i < blocks.size(); ++i) {
    const BlockMeta* b = blocks[i];
    if (b->min_time < max_t) {
      if (out.empty()) out.push_back(blocks[i - 1]);
      out.push_back(b);
    } else if (!out.empty()) {
      break;
    }
    max_t = std::max(max_t, b->max_time);
  }
  return out;
}

// Step 2: level compaction. REQUIRES: sorted by min time, newest block already left out.
std::vector<const BlockMeta*> SelectLevel(std::span<const BlockMeta* const> blocks,
                                          std::span<const int64_t> ranges) {
  if (ranges.size() < 2 || blocks.empty()) return {};
  const int64_t high_time = blocks.back()->min_time;
  for (size_t r = 1; r < ranges.size(); ++r) {
    const int64_t range = ranges[r];
    for (std::vector<const BlockMeta*>& group : SplitByRange(blocks, range)) {
      if (group.size() < 2) continue;
      if (std::any_of(group.begin(), group.end(),
                      [](const BlockMeta* m) { return m->compaction.failed; })) {
        continue;
      }
      const int64_t mint = group.front()->min_time;
      const int64_t maxt = group.back()->max_time;
      if (maxt - mint == range || maxt <= high_time) return std::move(group);
    }
  }
  return {};
}

// Step 3: a block worth rewriting for its tombstones. REQUIRES: as SelectLevel.
const BlockMeta* SelectTombstoned(std::span<const BlockMeta* const> blocks,
                                  std::span<const int64_t> ranges) {
  const int64_t big_enough = ranges[ranges.size() / 2];
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    const BlockMeta& m = **it;
    if (m.max_time - m.min_time < big_enough) {
      // A fully deleted block goes whatever its size. Like Prometheus this counts one tombstone
      // per series, which is an approximation.
      if (m.stats.num_tombstones > 0 && m.stats.num_tombstones >= m.stats.num_series) return &m;
      return nullptr;
    }
    if (static_cast<double>(m.stats.num_tombstones) / static_cast<double>(m.stats.num_series + 1) >
        0.05) {
      return &m;
    }
  }
  return nullptr;
}

std::vector<std::string> Ulids(std::span<const BlockMeta* const> blocks) {
  std::vector<std::string> out;
  out.reserve(blocks.size());
  for (const BlockMeta* m : blocks) out.push_back(m->ulid);
  return out;
}

}  // namespace

std::vector<int64_t> ExponentialBlockRanges(int64_t min_size, int steps, int64_t step) {
  std::vector<int64_t> out;
  int64_t cur = min_size;
  for (int i = 0; i < steps; ++i) {
    out.push_back(cur);
    cur *= step;
  }
  return out;
}

std::vector<int64_t> CompactionRanges(int64_t min_block_ms, int64_t max_block_ms) {
  max_block_ms = std::max(max_block_ms, min_block_ms);
  std::vector<int64_t> ranges = ExponentialBlockRanges(min_block_ms, 10, 3);
  std::erase_if(ranges, [max_block_ms](int64_t r) { return r > max_block_ms; });
  return ranges;
}

int64_t DefaultMaxBlockDuration(int64_t retention_ms) {
  if (retention_ms > 0 && retention_ms / 10 < kMaxBlockDurationCapMs) return retention_ms / 10;
  return kMaxBlockDurationCapMs;
}

std::vector<std::vector<const BlockMeta*>> SplitByRange(std::span<const BlockMeta* const> blocks,
                                                        int64_t range) {
  std::vector<std::vector<const BlockMeta*>> out;
  for (size_t i = 0; i < blocks.size();) {
    const int64_t t0 = FloorDiv(blocks[i]->min_time, range) * range;
    // A block that does not fit into the window of its start (misaligned, or longer than the
    // range) belongs to no group.
    if (blocks[i]->max_time > t0 + range) {
      ++i;
      continue;
    }
    std::vector<const BlockMeta*> group;
    for (; i < blocks.size() && blocks[i]->max_time <= t0 + range; ++i) group.push_back(blocks[i]);
    out.push_back(std::move(group));
  }
  return out;
}

std::vector<std::string> PlanCompaction(std::span<const BlockMeta> metas,
                                        std::span<const int64_t> ranges) {
  std::vector<const BlockMeta*> blocks;
  for (const BlockMeta& m : metas) {
    if (!m.compaction.deletable) blocks.push_back(&m);
  }
  if (blocks.empty() || ranges.empty()) return {};
  // Ties by ULID keep the plan deterministic.
  std::sort(blocks.begin(), blocks.end(), [](const BlockMeta* a, const BlockMeta* b) {
    return a->min_time != b->min_time ? a->min_time < b->min_time : a->ulid < b->ulid;
  });

  std::vector<const BlockMeta*> overlapping = SelectOverlapping(blocks);
  if (!overlapping.empty()) return Ulids(overlapping);

  std::span<const BlockMeta* const> older(blocks.data(), blocks.size() - 1);
  std::vector<const BlockMeta*> level = SelectLevel(older, ranges);
  if (!level.empty()) return Ulids(level);

  if (const BlockMeta* m = SelectTombstoned(older, ranges)) return {m->ulid};
  return {};
}

bool HeadCompactable(int64_t head_mint, int64_t head_maxt, int64_t block_range) {
  if (head_mint > head_maxt) return false;
  return head_maxt - head_mint > block_range / 2 * 3;
}

int64_t RangeEndForTimestamp(int64_t t, int64_t width) {
  return FloorDiv(t, width) * width + width;
}

}  // namespace sundial::tsdb
