// Compaction planning as Prometheus' LeveledCompactor.Plan (tsdb/compact.go): which blocks of a
// data directory to merge into one next. Pure functions over block metas, so the policy is
// tested without writing a block.
//
//   std::vector<int64_t> ranges = CompactionRanges(2 * kHour, DefaultMaxBlockDuration(15 * kDay));
//   // 2h, 6h, 18h, 54h, 162h (the next, 486h, exceeds 10% of 15d)
//   std::vector<std::string> ulids = PlanCompaction(metas, ranges);
//   if (!ulids.empty()) ... write one block from those, then delete them ...
//
// The plan, in order of preference:
//  1. Overlapping blocks (vertical compaction): the first run of blocks, by min time, whose time
//     ranges overlap. The newest block takes part here.
//  2. Level compaction over all blocks but the newest (by min time; it was most likely just cut
//     from the head, and leaving it alone gives backups a block-long window): for each range
//     after the first, blocks are grouped by aligned windows of that range; the first group of
//     two or more blocks that fills its window, or that ends before the newest block starts,
//     is chosen. Windows holding a block whose compaction failed are skipped.
//  3. One block (again not the newest) with more than 5% of its series deleted by tombstones,
//     if at least as long as the middle range, or fully deleted whatever its length: rewritten
//     alone so that the deleted data goes away.
// With a single range (min block duration == max block duration) only 1 and 3 apply: level
// compaction is off, which is what a Thanos sidecar needs.
#ifndef SUNDIAL_TSDB_COMPACT_PLANNER_H_
#define SUNDIAL_TSDB_COMPACT_PLANNER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tsdb/block/meta.h"

namespace sundial::tsdb {

inline constexpr int64_t kDefaultMinBlockDurationMs = int64_t{2} * 60 * 60 * 1000;
inline constexpr int64_t kMaxBlockDurationCapMs = int64_t{31} * 24 * 60 * 60 * 1000;

// min_size, min_size*step, min_size*step^2, ... (`steps` values), as Prometheus'
// ExponentialBlockRanges.
std::vector<int64_t> ExponentialBlockRanges(int64_t min_size, int steps, int64_t step);

// The compaction ranges for --storage.tsdb.min-block-duration / max-block-duration: ten ranges
// growing by 3x from min_block_ms, cut before the first that exceeds max_block_ms (which is
// raised to min_block_ms if smaller). REQUIRES: min_block_ms > 0.
std::vector<int64_t> CompactionRanges(int64_t min_block_ms, int64_t max_block_ms);

// Prometheus' default --storage.tsdb.max-block-duration: 31d, or 10% of the time retention when
// that is smaller (retention_ms <= 0: no time retention, 31d).
int64_t DefaultMaxBlockDuration(int64_t retention_ms);

// The ULIDs (in order of min time) of the blocks to compact into one, or empty when there is
// nothing to do. Blocks marked deletable are ignored. REQUIRES: ranges non-empty, increasing.
std::vector<std::string> PlanCompaction(std::span<const block::BlockMeta> metas,
                                        std::span<const int64_t> ranges);

// Groups blocks (sorted by min time) by aligned windows [t0, t0 + range) where t0 is a multiple
// of range; blocks that do not fit in the window of their min time (too long or misaligned)
// are left out. Exposed for tests.
std::vector<std::vector<const block::BlockMeta*>> SplitByRange(
    std::span<const block::BlockMeta* const> blocks, int64_t range);

// Whether the head is due for a block: it spans more than 1.5 block ranges (Prometheus'
// Head.compactable). mint/maxt as Head::MinTime/MaxTime; false for an empty head.
bool HeadCompactable(int64_t head_mint, int64_t head_maxt, int64_t block_range);

// The end of the aligned block range [k*width, (k+1)*width) that holds t (Prometheus'
// rangeForTimestamp).
int64_t RangeEndForTimestamp(int64_t t, int64_t width);

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_COMPACT_PLANNER_H_
