// String arguments may be parenthesized: label_replace(m, ("dst"), ...) is valid PromQL.
// Regression: the engine once cast the parenthesis node itself to a string literal (UBSan).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/head.h"

namespace sundial::promql {
namespace {

TEST(EngineStringArgsTest, ParenthesizedStringArgumentsAreUnwrapped) {
  tsdb::Head head;
  auto app = head.NewAppender();
  ASSERT_TRUE(app->Append(0, Labels{{"__name__", "m"}, {"i", "7"}, {"j", "b"}}, 0, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  Engine engine;

  Result replaced =
      engine.InstantQuery(&head, R"q(label_replace(m, ("dst"), (("x$1")), ("i"), ("(.*)")))q", 0);
  ASSERT_TRUE(replaced.status.ok()) << replaced.status;
  const auto* v = std::get_if<Vector>(&replaced.value);
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].labels.Get("dst"), "x7");

  Result joined = engine.InstantQuery(&head, R"q(label_join(m, ("k"), ("-"), ("i"), "j"))q", 0);
  ASSERT_TRUE(joined.status.ok()) << joined.status;
  v = std::get_if<Vector>(&joined.value);
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].labels.Get("k"), "7-b");
}

}  // namespace
}  // namespace sundial::promql
