#include "tsdb/compact/retention.h"

#include <deque>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::tsdb {
namespace {

using block::BlockMeta;
using testing::ElementsAre;
using testing::IsEmpty;

class RetentionTest : public testing::Test {
 protected:
  // Adds a block of `size` bytes over [mint, maxt).
  BlockMeta& Add(std::string ulid, int64_t mint, int64_t maxt, int64_t size = 0) {
    BlockMeta& m = metas_.emplace_back();
    m.ulid = std::move(ulid);
    m.min_time = mint;
    m.max_time = maxt;
    blocks_.push_back(StoredBlock{&m, size});
    return m;
  }

  std::deque<BlockMeta> metas_;  // stable addresses
  std::vector<StoredBlock> blocks_;
};

// Prometheus' TestTimeRetention.
TEST_F(RetentionTest, TimeDeletesBlocksEndingMoreThanRetentionBeforeTheNewest) {
  Add("c", 1500, 2000);  // newest first in the input, to show the order does not matter
  Add("a", 500, 900);
  Add("b", 1000, 1500);
  EXPECT_THAT(BeyondTimeRetention(blocks_, 1000), ElementsAre("a"));  // 2000 - 900 > 1000
  EXPECT_THAT(BeyondTimeRetention(blocks_, 1100), IsEmpty());         // not more than 1100
  EXPECT_THAT(BeyondTimeRetention(blocks_, 499), ElementsAre("b", "a"));
  EXPECT_THAT(BeyondTimeRetention(blocks_, 0), IsEmpty());  // off
}

TEST_F(RetentionTest, TimeNeverDeletesTheNewestBlock) {
  Add("a", 0, 10);
  EXPECT_THAT(BeyondTimeRetention(blocks_, 1), IsEmpty());
  EXPECT_THAT(BeyondTimeRetention({}, 1), IsEmpty());
}

TEST_F(RetentionTest, SizeDeletesOldestBlocksOverTheLimit) {
  Add("a", 0, 100, 100);
  Add("b", 100, 200, 100);
  Add("c", 200, 300, 100);
  EXPECT_THAT(BeyondSizeRetention(blocks_, 0, 300), IsEmpty());  // exactly at the limit
  EXPECT_THAT(BeyondSizeRetention(blocks_, 0, 299), ElementsAre("a"));
  EXPECT_THAT(BeyondSizeRetention(blocks_, 50, 299), ElementsAre("a"));
  EXPECT_THAT(BeyondSizeRetention(blocks_, 100, 299), ElementsAre("b", "a"));
  // The head alone over the limit takes every block, the newest too.
  EXPECT_THAT(BeyondSizeRetention(blocks_, 1000, 299), ElementsAre("c", "b", "a"));
  EXPECT_THAT(BeyondSizeRetention(blocks_, 1000, 0), IsEmpty());  // off
}

TEST_F(RetentionTest, BlocksToDeleteCombinesEverything) {
  Add("01", 0, 100, 10);
  Add("02", 100, 200, 10);
  Add("03", 200, 300, 10);
  Add("04", 300, 400, 10);
  EXPECT_THAT(BlocksToDelete(blocks_, {}, 0), IsEmpty());
  EXPECT_THAT(BlocksToDelete(blocks_, {.retention_ms = 250}, 0), ElementsAre("01"));
  EXPECT_THAT(BlocksToDelete(blocks_, {.retention_ms = 0, .max_bytes = 25}, 0),
              ElementsAre("01", "02"));
  // Time and size together: the union.
  EXPECT_THAT(BlocksToDelete(blocks_, {.retention_ms = 150, .max_bytes = 35}, 0),
              ElementsAre("01", "02"));
  EXPECT_THAT(BlocksToDelete(blocks_, {.retention_ms = 250, .max_bytes = 25}, 0),
              ElementsAre("01", "02"));
  RetentionHits hits;
  BlocksToDelete(blocks_, {.retention_ms = 250, .max_bytes = 25}, 0, &hits);
  EXPECT_TRUE(hits.time && hits.size);
  BlocksToDelete(blocks_, {.retention_ms = 250, .max_bytes = 40}, 0, &hits);
  EXPECT_TRUE(hits.time && !hits.size);
  BlocksToDelete(blocks_, {.retention_ms = 0, .max_bytes = 25}, 0, &hits);
  EXPECT_TRUE(!hits.time && hits.size);
}

TEST_F(RetentionTest, DeletableAndSupersededBlocks) {
  Add("01", 0, 100, 10);
  Add("02", 100, 200, 10);
  BlockMeta& child = Add("03", 0, 200, 20);
  child.compaction.parents = {{"01", 0, 100}, {"02", 100, 200}, {"00gone", 0, 50}};
  Add("04", 200, 300, 10).compaction.deletable = true;
  Add("05", 300, 400, 10);
  // The parents go (a crash between writing 03 and deleting them), 04 is marked deletable; a
  // parent that no longer exists is not reported.
  EXPECT_THAT(BlocksToDelete(blocks_, {}, 0), ElementsAre("01", "02", "04"));
  // Superseded and deletable blocks do not count towards size: 05 + 03 = 30 fits.
  RetentionHits hits;
  EXPECT_THAT(BlocksToDelete(blocks_, {.retention_ms = 0, .max_bytes = 30}, 0, &hits),
              ElementsAre("01", "02", "04"));
  EXPECT_FALSE(hits.size);  // not a size retention: these blocks go anyway
  EXPECT_THAT(BlocksToDelete(blocks_, {.retention_ms = 0, .max_bytes = 29}, 0, &hits),
              ElementsAre("01", "02", "03", "04"));
  EXPECT_TRUE(hits.size);
}

TEST_F(RetentionTest, DeletableChildDoesNotSupersedeItsParents) {
  Add("01", 0, 100);
  BlockMeta& child = Add("02", 0, 100);
  child.compaction.parents = {{"01", 0, 100}};
  child.compaction.deletable = true;
  EXPECT_THAT(BlocksToDelete(blocks_, {}, 0), ElementsAre("02"));
}

}  // namespace
}  // namespace sundial::tsdb
