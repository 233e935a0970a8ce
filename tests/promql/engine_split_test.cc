// A range query evaluated as two halves of its steps on two threads (SplitRangeQueries) must
// answer exactly what one evaluation of all steps answers: the same series, bit-identical
// points, the same annotations and errors.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/head.h"
#include "tsdb/value.h"

namespace sundial::promql {
namespace {

constexpr int64_t kStep = 15000;
// 180 steps over 45 minutes: a 5m lookback is at most an eighth of the span, so it is split.
constexpr int64_t kStart = 300'000, kEnd = 2'985'000;

// Counters with resets, a gap, a stale marker and a NaN, and a gauge, over 3 jobs.
void Load(tsdb::Head* head) {
  auto app = head->NewAppender();
  for (int s = 0; s < 12; ++s) {
    Labels counter{{"__name__", "req_total"},
                   {"job", "j" + std::to_string(s % 3)},
                   {"instance", std::to_string(s)}};
    Labels gauge{
        {"__name__", "mem"}, {"job", "j" + std::to_string(s % 3)}, {"instance", std::to_string(s)}};
    double v = 0;
    for (int k = 0; k < 200; ++k) {
      if (s == 4 && k > 50 && k < 90) continue;  // a gap longer than the lookback
      v += (s + 1) * (k % 7) + 0.1 * s;
      if (s == 5 && k % 60 == 0) v = 0;  // resets
      double x = v;
      if (s == 6 && k == 120) x = tsdb::StaleNaN();
      if (s == 7 && k == 30) x = std::nan("");
      ASSERT_TRUE(app->Append(0, counter, k * kStep, x).ok());
      ASSERT_TRUE(app->Append(0, gauge, k * kStep, std::sin(s + k * 0.1) * 100).ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
}

// The result as comparable text: labels and bit-exact values per point.
std::string Dump(const Result& r) {
  std::string out = std::string(r.status.message()) + "\n";
  for (const std::string& w : r.warnings) out += "warning " + w + "\n";
  for (const std::string& i : r.infos) out += "info " + i + "\n";
  if (const auto* m = std::get_if<Matrix>(&r.value)) {
    for (const Series& s : *m) {
      out += s.labels.ToString() + ":";
      for (const FPoint& p : s.points) {
        uint64_t bits;
        std::memcpy(&bits, &p.v, sizeof bits);
        out += " " + std::to_string(p.t) + "=" + std::to_string(bits);
      }
      out += "\n";
    }
  }
  return out;
}

EngineOptions With(SplitRangeQueries split) {
  EngineOptions o;
  o.split_range_queries = split;
  return o;
}

class EngineSplitTest : public testing::Test {
 protected:
  void SetUp() override { Load(&head_); }
  tsdb::Head head_;
};

TEST_F(EngineSplitTest, HalvesAnswerWhatTheWholeAnswers) {
  const Engine whole(With(SplitRangeQueries::kNever));
  const Engine split(With(SplitRangeQueries::kAlways));
  for (const char* q : {
           "req_total",
           "rate(req_total[5m])",
           "sum by (job) (rate(req_total[5m]))",
           "count(mem > 0) by (job)",
           "sum(rate(req_total[2m])) by (job) / on(job) group_left count(mem) by (job)",
           "topk(2, mem)",
           "bottomk(1, rate(req_total[5m])) by (job)",
           "quantile(0.9, mem) by (job)",
           "histogram_quantile(0.5, label_replace(mem, \"le\", \"$1\", \"instance\", \"(.*)\"))",
           "count_values(\"v\", round(mem / 50))",
           "max_over_time(mem[3m]) - min_over_time(mem offset 1m[2m])",
           "mem and on(instance) req_total > 1000",
           "absent(nope)",
           "time() - timestamp(mem)",
           "scalar(sum(mem)) * 2",
           "1 + 1",
           "label_join(mem, \"x\", \"-\", \"job\", \"instance\")",
           "mem == on() group_left vector(1)",  // many-to-one error
           "rate(mem[5m])",                     // an annotation: mem is not a counter
       }) {
    SCOPED_TRACE(q);
    const Result a = whole.RangeQuery(&head_, q, kStart, kEnd, kStep);
    const Result b = split.RangeQuery(&head_, q, kStart, kEnd, kStep);
    EXPECT_EQ(Dump(b), Dump(a));
    // The evidence that it was split: both halves read the lookback window at the split.
    if (a.status.ok() && a.stats.samples_loaded > 0) {
      EXPECT_GT(b.stats.samples_loaded, a.stats.samples_loaded);
    }
  }
}

TEST_F(EngineSplitTest, LongLookbacksAndAtModifiersAreNotSplit) {
  for (const char* q : {"rate(req_total[30m])", "mem @ 1500", "max_over_time(mem[20m:1m])"}) {
    SCOPED_TRACE(q);
    const Result a =
        Engine(With(SplitRangeQueries::kNever)).RangeQuery(&head_, q, kStart, kEnd, kStep);
    const Result b =
        Engine(With(SplitRangeQueries::kAlways)).RangeQuery(&head_, q, kStart, kEnd, kStep);
    EXPECT_EQ(Dump(b), Dump(a));
    EXPECT_EQ(b.stats.samples_loaded, a.stats.samples_loaded);
  }
}

TEST_F(EngineSplitTest, AQueryTheHalvesHoldTooMuchOfTogetherIsDecidedWhole) {
  const char* q = "sum by (job) (rate(req_total[5m]))";
  Result whole = Engine(With(SplitRangeQueries::kNever)).RangeQuery(&head_, q, kStart, kEnd, kStep);
  ASSERT_TRUE(whole.status.ok());
  Result halves =
      Engine(With(SplitRangeQueries::kAlways)).RangeQuery(&head_, q, kStart, kEnd, kStep);
  ASSERT_GT(halves.stats.peak_samples, whole.stats.peak_samples);  // together they hold more
  // A limit the whole query fits in exactly, each half too, but not both at once: evaluated
  // whole (it reads the window at the split once).
  EngineOptions limited = With(SplitRangeQueries::kAlways);
  limited.max_samples = whole.stats.peak_samples;
  Result fits = Engine(limited).RangeQuery(&head_, q, kStart, kEnd, kStep);
  EXPECT_EQ(Dump(fits), Dump(whole));
  EXPECT_EQ(fits.stats.samples_loaded, whole.stats.samples_loaded);
  limited.max_samples = whole.stats.peak_samples - 1;
  Result refused = Engine(limited).RangeQuery(&head_, q, kStart, kEnd, kStep);
  EXPECT_EQ(refused.status.message(),
            "query processing would load too many samples into memory in query execution");
}

}  // namespace
}  // namespace sundial::promql
