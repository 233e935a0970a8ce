#include "tsdb/wal/corruption.h"

#include <gtest/gtest.h>

#include <string>

#include "base/str_cat.h"

namespace sundial::tsdb::wal {
namespace {

TEST(CorruptionError, CarriesPosition) {
  absl::Status s = CorruptionError("/data/wal: odd", 12, 32775, "checksum mismatch: x");
  EXPECT_TRUE(absl::IsDataLoss(s));
  EXPECT_TRUE(IsCorruptionError(s));
  EXPECT_NE(AsStd(s.message()).find("segment 12 at offset 32775"), std::string_view::npos);
  std::optional<Corruption> c = GetCorruption(s);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->dir, "/data/wal: odd");
  EXPECT_EQ(c->segment, 12);
  EXPECT_EQ(c->offset, 32775);
  EXPECT_EQ(c->reason, "checksum mismatch: x");
}

TEST(CorruptionError, OtherStatusesAreNot) {
  EXPECT_FALSE(IsCorruptionError(absl::OkStatus()));
  EXPECT_FALSE(IsCorruptionError(absl::DataLossError("plain")));
  EXPECT_FALSE(GetCorruption(absl::InternalError("x")).has_value());
}

}  // namespace
}  // namespace sundial::tsdb::wal
