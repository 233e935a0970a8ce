#include "base/tagged_error.h"

#include <gtest/gtest.h>

namespace sundial {
namespace {

TEST(TaggedErrorTest, RecognisedByDomainAndMessageNotByTextAlone) {
  absl::Status s = TaggedError("sundial.test/a", "out of bounds");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "out of bounds");
  EXPECT_TRUE(HasTag(s, "sundial.test/a", "out of bounds"));
  EXPECT_FALSE(HasTag(s, "sundial.test/b", "out of bounds"));
  EXPECT_FALSE(HasTag(s, "sundial.test/a", "out of order"));
  EXPECT_FALSE(
      HasTag(absl::InvalidArgumentError("out of bounds"), "sundial.test/a", "out of bounds"));
  EXPECT_FALSE(HasTag(absl::OkStatus(), "sundial.test/a", ""));
}

}  // namespace
}  // namespace sundial
