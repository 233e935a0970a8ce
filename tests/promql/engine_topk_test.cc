// topk and bottomk pick the k first series of a stable sort by value (NaN last, ties in input
// order), per step; the engine keeps only k of them instead of sorting every member.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/head.h"

namespace sundial::promql {
namespace {

constexpr int64_t kStep = 15000;
constexpr int kSeries = 40;
constexpr int kSteps = 20;

// Values from a small set (many ties) with NaNs and gaps.
double Value(int s, int k) {
  static constexpr double kValues[] = {1, 2, 3, 2, NAN, -1, 3, 2};
  return kValues[(s * 5 + k * 3) % 8];
}

void Load(tsdb::Head* head) {
  auto app = head->NewAppender();
  for (int s = 0; s < kSeries; ++s) {
    const Labels l{{"__name__", "x"}, {"i", std::to_string(1000 + s * 7919 % kSeries)}};
    for (int k = 0; k < kSteps; ++k) {
      if ((s + k) % 9 == 0) continue;
      ASSERT_TRUE(app->Append(0, l, k * kStep, Value(s, k)).ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
}

// The reference: the instant vector of x, stable-sorted by value, its first k.
std::vector<std::string> Reference(const Vector& in, bool top, size_t k) {
  std::vector<Sample> v = in;
  std::stable_sort(v.begin(), v.end(), [top](const Sample& a, const Sample& b) {
    if (std::isnan(a.v)) return false;
    if (std::isnan(b.v)) return true;
    return top ? a.v > b.v : a.v < b.v;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < std::min(k, v.size()); ++i) out.push_back(v[i].labels.ToString());
  return out;
}

TEST(EngineTopkTest, InstantKeepsStableSortOrderWithTiesAndNaN) {
  tsdb::Head head;
  Load(&head);
  Engine engine;
  for (int step = 0; step < kSteps; step += 3) {
    const int64_t t = step * kStep;
    Result in = engine.InstantQuery(&head, "x", t);
    ASSERT_TRUE(in.status.ok()) << in.status;
    const Vector& x = std::get<Vector>(in.value);
    ASSERT_GT(x.size(), 20u);
    for (const char* op : {"topk", "bottomk"}) {
      for (size_t k : {1, 3, 7, 39, 100}) {
        const std::string q = std::string(op) + "(" + std::to_string(k) + ", x)";
        Result r = engine.InstantQuery(&head, q, t);
        ASSERT_TRUE(r.status.ok()) << q << ": " << r.status;
        std::vector<std::string> got;
        for (const Sample& s : std::get<Vector>(r.value)) got.push_back(s.labels.ToString());
        EXPECT_EQ(got, Reference(x, std::string(op) == "topk", k)) << q << " at " << t;
      }
    }
  }
}

TEST(EngineTopkTest, RangeSelectsKPerStep) {
  tsdb::Head head;
  Load(&head);
  Engine engine;
  const int64_t end = (kSteps - 1) * kStep;
  Result r = engine.RangeQuery(&head, "count(topk(3, x)) + count(bottomk(5, x))", 0, end, kStep);
  ASSERT_TRUE(r.status.ok()) << r.status;
  const Matrix& m = std::get<Matrix>(r.value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].points.size(), static_cast<size_t>(kSteps));
  for (const FPoint& p : m[0].points) EXPECT_EQ(p.v, 8) << p.t;
}

}  // namespace
}  // namespace sundial::promql
