// kill -9 at random points while the child ingests and checkpoints the WAL (no blocks: the
// default 2h block range is never reached).
#include <gtest/gtest.h>

#include "tsdb/db/crash_test_util.h"

namespace sundial::tsdb {
namespace {

TEST(CrashTest, SigkillNeverLosesAcknowledgedSamples) { RunCrashRounds("", 20); }

}  // namespace
}  // namespace sundial::tsdb
