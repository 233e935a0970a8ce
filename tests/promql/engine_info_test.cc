// info() adds the data labels of the matching target_info series (by instance and job).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/head.h"

namespace sundial::promql {
namespace {

TEST(EngineInfoTest, AddsDataLabelsOfMatchingInfoSeries) {
  tsdb::Head head;
  auto app = head.NewAppender();
  ASSERT_TRUE(
      app->Append(0, Labels{{"__name__", "up"}, {"instance", "a"}, {"job", "j"}}, 0, 1).ok());
  ASSERT_TRUE(
      app->Append(0, Labels{{"__name__", "up"}, {"instance", "b"}, {"job", "j"}}, 0, 2).ok());
  ASSERT_TRUE(
      app->Append(
             0,
             Labels{{"__name__", "target_info"}, {"instance", "a"}, {"job", "j"}, {"region", "eu"}},
             0, 1)
          .ok());
  ASSERT_TRUE(app->Commit().ok());
  Engine engine;

  Result r = engine.InstantQuery(&head, "info(up)", 0);
  ASSERT_TRUE(r.status.ok()) << r.status;
  const Vector& v = std::get<Vector>(r.value);
  ASSERT_EQ(v.size(), 2u);
  for (const Sample& s : v) {
    EXPECT_EQ(s.labels.Get("region"), s.labels.Get("instance") == "a" ? "eu" : "");
  }

  // A data matcher that does not accept "" drops series without a matching info series.
  Result only = engine.InstantQuery(&head, "info(up, {region=~\".+\"})", 0);
  ASSERT_TRUE(only.status.ok()) << only.status;
  const Vector& o = std::get<Vector>(only.value);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].labels.Get("instance"), "a");
  EXPECT_EQ(o[0].v, 1);
}

}  // namespace
}  // namespace sundial::promql
