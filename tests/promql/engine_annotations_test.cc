// Annotations (warnings and infos) come back in Result with Prometheus' wording and the
// line:column of the expression that raised them, each once.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/head.h"

namespace sundial::promql {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class EngineAnnotationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = head_.NewAppender();
    for (int64_t t = 0; t <= 600000; t += 60000) {
      double v = static_cast<double>(t / 60000);
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "m"}, {"i", "2"}}, t, v).ok());
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "m"}, {"i", "10"}}, t, 2 * v).ok());
      // A classic histogram whose cumulative counts decrease (le=1000 < le=100).
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "h_bucket"}, {"le", "100"}}, t, 5 * v).ok());
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "h_bucket"}, {"le", "1000"}}, t, 4 * v).ok());
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "h_bucket"}, {"le", "+Inf"}}, t, 6 * v).ok());
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "bad"}, {"le", "x"}}, t, v).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  tsdb::Head head_;
  Engine engine_;
};

TEST_F(EngineAnnotationsTest, InvalidQuantileWarnsOnceWithPosition) {
  Result r = engine_.RangeQuery(&head_, "quantile(1.5, m)", 0, 300000, 60000);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(
      r.warnings,
      ElementsAre("PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:10)"));
  EXPECT_THAT(r.infos, IsEmpty());
}

TEST_F(EngineAnnotationsTest, PositionCountsLinesOfTheQueryText) {
  Result r = engine_.InstantQuery(&head_, "sum(\n  quantile(NaN, m))", 60000);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(
      r.warnings,
      ElementsAre("PromQL warning: quantile value should be between 0 and 1, got NaN (2:12)"));
}

TEST_F(EngineAnnotationsTest, ValidQueryHasNoAnnotations) {
  Result r = engine_.InstantQuery(&head_, "quantile(0.5, m)", 60000);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_THAT(r.infos, IsEmpty());
}

TEST_F(EngineAnnotationsTest, SortInRangeQueryWarns) {
  Result r = engine_.RangeQuery(&head_, "sum(sort(m))", 0, 120000, 60000);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.warnings, ElementsAre("PromQL warning: sort is ineffective for range queries since "
                                      "results are always ordered by labels (1:5)"));
  Result instant = engine_.InstantQuery(&head_, "sort(m)", 60000);
  EXPECT_THAT(instant.warnings, IsEmpty());
}

TEST_F(EngineAnnotationsTest, MalformedLeWarnsAndForcedMonotonicityInforms) {
  Result bad = engine_.InstantQuery(&head_, "histogram_quantile(0.5, bad)", 60000);
  ASSERT_TRUE(bad.status.ok()) << bad.status;
  EXPECT_THAT(bad.warnings, ElementsAre("PromQL warning: bucket label \"le\" is missing or has a "
                                        "malformed value of \"x\" for metric name \"bad\" (1:25)"));
  EXPECT_TRUE(std::get<Vector>(bad.value).empty());

  Result fixed =
      engine_.RangeQuery(&head_, "histogram_quantile(0.5, h_bucket)", 60000, 120000, 60000);
  ASSERT_TRUE(fixed.status.ok()) << fixed.status;
  EXPECT_THAT(fixed.warnings, IsEmpty());
  EXPECT_THAT(fixed.infos,
              ElementsAre("PromQL info: input to histogram_quantile needed to be fixed for "
                          "monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/"
                          "functions/#histogram_quantile) for metric name \"h_bucket\", from "
                          "buckets 1000 to 1000, with a max diff of 2, over 2 samples from "
                          "1970-01-01T00:01:00Z to 1970-01-01T00:02:00Z (1:25)"));
}

TEST_F(EngineAnnotationsTest, TopkNaNParameterFailsEvenWithoutInput) {
  Result r = engine_.InstantQuery(&head_, "topk(NaN, nothing)", 0);
  EXPECT_EQ(r.status.message(), "Parameter value is NaN");
  Result ratio = engine_.InstantQuery(&head_, "limit_ratio(NaN, nothing)", 0);
  EXPECT_EQ(ratio.status.message(), "Ratio value is NaN");
  Result zero = engine_.InstantQuery(&head_, "topk(0, m)", 0);
  ASSERT_TRUE(zero.status.ok());
  EXPECT_TRUE(std::get<Vector>(zero.value).empty());
}

TEST_F(EngineAnnotationsTest, SortByLabelIsNatural) {
  Result r = engine_.InstantQuery(&head_, "sort_by_label(m, \"i\")", 60000);
  ASSERT_TRUE(r.status.ok()) << r.status;
  const Vector& v = std::get<Vector>(r.value);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].labels.Get("i"), "2");
  EXPECT_EQ(v[1].labels.Get("i"), "10");
}

}  // namespace
}  // namespace sundial::promql
