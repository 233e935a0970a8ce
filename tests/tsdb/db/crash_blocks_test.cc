// kill -9 at random points while the child ingests into 100ms blocks and compacts every 50
// commits: head compaction, level compaction, parent deletion and retention all get killed.
#include <gtest/gtest.h>

#include "tsdb/db/crash_test_util.h"

namespace sundial::tsdb {
namespace {

TEST(CrashBlocksTest, SigkillDuringCompactionsNeverLosesAcknowledgedSamples) {
  // Short rounds keep it fast under ASan; data carries over, so blocks pile up and get merged.
  RunCrashRounds("blocks", 5, 300);
}

}  // namespace
}  // namespace sundial::tsdb
