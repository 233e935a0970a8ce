#include "tsdb/compact/planner.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::tsdb {
namespace {

using block::BlockMeta;
using testing::ElementsAre;
using testing::IsEmpty;

constexpr int64_t kHour = 60 * 60 * 1000;
constexpr int64_t kDay = 24 * kHour;

BlockMeta Meta(std::string name, int64_t mint, int64_t maxt, uint64_t series = 0,
               uint64_t tombstones = 0) {
  BlockMeta m;
  m.ulid = std::move(name);
  m.min_time = mint;
  m.max_time = maxt;
  m.stats.num_series = series;
  m.stats.num_tombstones = tombstones;
  return m;
}

TEST(CompactionRangesTest, ExponentialFromMinCutAtMax) {
  EXPECT_THAT(ExponentialBlockRanges(20, 5, 3), ElementsAre(20, 60, 180, 540, 1620));
  // Defaults: 15d retention gives a 36h max block (10%), so 2h, 6h, 18h.
  EXPECT_EQ(DefaultMaxBlockDuration(15 * kDay), 36 * kHour);
  EXPECT_THAT(CompactionRanges(2 * kHour, DefaultMaxBlockDuration(15 * kDay)),
              ElementsAre(2 * kHour, 6 * kHour, 18 * kHour));
  // Long retention: capped at 31d, so up to 486h (20.25d).
  EXPECT_EQ(DefaultMaxBlockDuration(365 * kDay), 31 * kDay);
  EXPECT_EQ(DefaultMaxBlockDuration(0), 31 * kDay);
  EXPECT_THAT(CompactionRanges(2 * kHour, 31 * kDay),
              ElementsAre(2 * kHour, 6 * kHour, 18 * kHour, 54 * kHour, 162 * kHour, 486 * kHour));
  // Equal min and max: one range, level compaction off.
  EXPECT_THAT(CompactionRanges(2 * kHour, 2 * kHour), ElementsAre(2 * kHour));
  // A max below the min is raised to it.
  EXPECT_THAT(CompactionRanges(2 * kHour, kHour), ElementsAre(2 * kHour));
}

// Prometheus' TestSplitByRange cases.
TEST(SplitByRangeTest, PrometheusCases) {
  struct Case {
    int64_t range;
    std::vector<std::pair<int64_t, int64_t>> blocks;
    std::vector<std::vector<std::pair<int64_t, int64_t>>> want;
  };
  const std::vector<Case> cases = {
      {60, {{0, 10}}, {{{0, 10}}}},
      {60, {{0, 60}}, {{{0, 60}}}},
      {60, {{0, 10}, {9, 15}, {30, 60}}, {{{0, 10}, {9, 15}, {30, 60}}}},
      {60,
       {{70, 90}, {125, 130}, {130, 180}, {1000, 1001}},
       {{{70, 90}}, {{125, 130}, {130, 180}}, {{1000, 1001}}}},
      // Misaligned or too long blocks are left out.
      {60, {{50, 70}, {70, 80}}, {{{70, 80}}}},
      {72, {{0, 144}, {144, 216}, {216, 288}}, {{{144, 216}}, {{216, 288}}}},
      // Negative times.
      {60, {{-10, -5}}, {{{-10, -5}}}},
      {60, {{-60, -50}, {-10, -5}}, {{{-60, -50}, {-10, -5}}}},
      {60, {{-60, -50}, {-10, -5}, {0, 15}}, {{{-60, -50}, {-10, -5}}, {{0, 15}}}},
  };
  for (const Case& c : cases) {
    std::vector<BlockMeta> metas;
    for (auto [mint, maxt] : c.blocks) metas.push_back(Meta("", mint, maxt));
    std::vector<const BlockMeta*> ptrs;
    for (const BlockMeta& m : metas) ptrs.push_back(&m);
    std::vector<std::vector<std::pair<int64_t, int64_t>>> got;
    for (const auto& group : SplitByRange(ptrs, c.range)) {
      got.emplace_back();
      for (const BlockMeta* m : group) got.back().emplace_back(m->min_time, m->max_time);
    }
    EXPECT_EQ(got, c.want) << "range " << c.range << " first block " << c.blocks[0].first;
  }
}

// Prometheus' TestLeveledCompactor "plan" cases, with its ranges.
class PlanTest : public testing::Test {
 protected:
  std::vector<std::string> Plan(std::vector<BlockMeta> metas) {
    return PlanCompaction(metas, ranges_);
  }
  std::vector<int64_t> ranges_ = {20, 60, 180, 540, 1620};
};

TEST_F(PlanTest, SingleBlockIsLeftAlone) { EXPECT_THAT(Plan({Meta("1", 0, 20)}), IsEmpty()); }

TEST_F(PlanTest, WaitsForTheRangeToFill) {
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 20, 40)}), IsEmpty());
  // Three blocks fill [0, 60) but the newest one is never planned.
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 40, 60)}), IsEmpty());
}

TEST_F(PlanTest, FullParentRangeIsCompactedOnceANewerBlockExists) {
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 40, 60), Meta("4", 60, 80)}),
              ElementsAre("1", "2", "3"));
}

TEST_F(PlanTest, GapsInTheParentRange) {
  // The newest block (3) is left out; 1+2 neither fill [0, 60) nor end before the newest of the
  // remaining blocks (2) starts.
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 60, 80)}), IsEmpty());
  // Once a block after the gap is not the newest, the gap will not be filled any more.
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 60, 80), Meta("4", 80, 100)}),
              ElementsAre("1", "2"));
}

TEST_F(PlanTest, LowestLevelFirst) {
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 40, 60), Meta("4", 60, 120),
                    Meta("5", 120, 180)}),
              ElementsAre("1", "2", "3"));
  // Unsorted input; 20 + 60 + 60 fill [0, 180).
  EXPECT_THAT(Plan({Meta("2", 20, 40), Meta("4", 60, 120), Meta("5", 960, 980), Meta("6", 120, 180),
                    Meta("7", 720, 960)}),
              ElementsAre("2", "4", "6"));
}

TEST_F(PlanTest, NewestIsByMinTimeNotByUlid) {
  // "6" has the largest min time and is left out, although "8" sorts last by name.
  EXPECT_THAT(
      Plan({Meta("5", 0, 360), Meta("6", 540, 560), Meta("7", 360, 420), Meta("8", 420, 540)}),
      ElementsAre("7", "8"));
}

TEST_F(PlanTest, Tombstones) {
  // A large block with > 5% deleted series, but it is the newest: left alone.
  EXPECT_THAT(Plan({Meta("1", 0, 540, 10, 3)}), IsEmpty());
  // Once a newer block exists it is rewritten.
  EXPECT_THAT(Plan({Meta("1", 0, 540, 10, 3), Meta("2", 540, 560)}), ElementsAre("1"));
  // Too small a block is not rewritten for tombstones...
  EXPECT_THAT(Plan({Meta("1", 0, 60, 10, 3), Meta("2", 60, 80)}), IsEmpty());
  // ...unless every series was deleted.
  EXPECT_THAT(Plan({Meta("1", 0, 60, 10, 10), Meta("2", 60, 80)}), ElementsAre("1"));
  // Regression (Prometheus): no series and no tombstones must not loop on the same block.
  EXPECT_THAT(Plan({Meta("1", 0, 540, 0, 0), Meta("2", 540, 560)}), IsEmpty());
  // 5% exactly is not enough: 1 / (19 + 1).
  EXPECT_THAT(Plan({Meta("1", 0, 540, 19, 1), Meta("2", 540, 560)}), IsEmpty());
  EXPECT_THAT(Plan({Meta("1", 0, 540, 18, 1), Meta("2", 540, 560)}), ElementsAre("1"));
}

TEST_F(PlanTest, OverlappingBlocksFirst) {
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 19, 40), Meta("3", 40, 60)}),
              ElementsAre("1", "2"));
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 30, 50)}),
              ElementsAre("2", "3"));
  EXPECT_THAT(Plan({Meta("1", 0, 20), Meta("2", 10, 40), Meta("3", 30, 50)}),
              ElementsAre("1", "2", "3"));
  EXPECT_THAT(
      Plan({Meta("5", 0, 360), Meta("6", 340, 560), Meta("7", 360, 420), Meta("8", 420, 540)}),
      ElementsAre("5", "6", "7", "8"));
  // Only the first run of overlaps.
  EXPECT_THAT(Plan({Meta("1", 0, 10), Meta("2", 9, 20), Meta("3", 30, 40), Meta("4", 39, 50)}),
              ElementsAre("1", "2"));
  // Overlaps are compacted even with level compaction off, and include the newest block.
  EXPECT_THAT(PlanCompaction(std::vector<BlockMeta>{Meta("a", 0, 20), Meta("b", 10, 20)},
                             std::vector<int64_t>{20}),
              ElementsAre("a", "b"));
}

// Prometheus' TestRangeWithFailedCompactionWontGetSelected.
TEST(PlanFailedTest, RangeWithAFailedBlockIsSkipped) {
  const std::vector<int64_t> ranges = {20, 60, 240, 720, 2160};
  std::vector<std::vector<BlockMeta>> cases = {
      {Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 40, 60), Meta("4", 60, 80)},
      {Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 60, 80), Meta("4", 80, 100)},
      {Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 40, 60), Meta("4", 60, 120),
       Meta("5", 120, 180), Meta("6", 180, 200)},
  };
  for (std::vector<BlockMeta>& metas : cases) {
    EXPECT_THAT(PlanCompaction(metas, ranges), Not(IsEmpty()));  // the case is live...
    metas[1].compaction.failed = true;
    EXPECT_THAT(PlanCompaction(metas, ranges), IsEmpty());  // ...until a block failed
  }
}

TEST_F(PlanTest, DeletableBlocksAreIgnored) {
  std::vector<BlockMeta> metas = {Meta("1", 0, 20), Meta("2", 20, 40), Meta("3", 40, 60),
                                  Meta("4", 60, 80)};
  metas[3].compaction.deletable = true;  // "3" becomes the newest and is left out
  EXPECT_THAT(PlanCompaction(metas, ranges_), IsEmpty());
  std::vector<BlockMeta> overlap = {Meta("1", 0, 20), Meta("2", 10, 30), Meta("3", 30, 40)};
  overlap[1].compaction.deletable = true;
  EXPECT_THAT(PlanCompaction(overlap, ranges_), IsEmpty());
}

TEST(PlanSingleRangeTest, NoLevelCompaction) {
  const std::vector<int64_t> ranges = {20};
  std::vector<BlockMeta> metas;
  for (int i = 0; i < 10; ++i) metas.push_back(Meta(std::to_string(i), i * 20, i * 20 + 20));
  EXPECT_THAT(PlanCompaction(metas, ranges), IsEmpty());
  // Prometheus' TestNoPanicFor0Tombstones: one range, no stats.
  EXPECT_THAT(PlanCompaction(std::vector<BlockMeta>{Meta("1", 0, 100), Meta("2", 101, 200)},
                             std::vector<int64_t>{50}),
              IsEmpty());
}

TEST(PlanEmptyTest, NoBlocks) {
  EXPECT_THAT(PlanCompaction({}, std::vector<int64_t>{20, 60}), IsEmpty());
}

TEST(HeadCompactionTest, CompactableAfterOneAndAHalfRanges) {
  EXPECT_FALSE(HeadCompactable(INT64_MAX, INT64_MIN, 2 * kHour));  // empty head
  EXPECT_FALSE(HeadCompactable(0, 3 * kHour, 2 * kHour));
  EXPECT_TRUE(HeadCompactable(0, 3 * kHour + 1, 2 * kHour));
  EXPECT_EQ(RangeEndForTimestamp(0, 2 * kHour), 2 * kHour);
  EXPECT_EQ(RangeEndForTimestamp(2 * kHour - 1, 2 * kHour), 2 * kHour);
  EXPECT_EQ(RangeEndForTimestamp(2 * kHour, 2 * kHour), 4 * kHour);
  EXPECT_EQ(RangeEndForTimestamp(-1, 2 * kHour), 0);
}

}  // namespace
}  // namespace sundial::tsdb
