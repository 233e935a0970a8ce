// Streamed aggregation (sum/count/group/min/max reading selectors, range functions and
// vector-scalar operations series by series) must give exactly what evaluating the input whole
// gives. label_replace with an empty target is an identity that the engine does not stream, so
// `agg(label_replace(X, ...))` is the reference for `agg(X)`.
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

// Counters with resets, a gap, stale markers and a NaN, over 3 jobs.
void Load(tsdb::Head* head) {
  auto app = head->NewAppender();
  for (int s = 0; s < 12; ++s) {
    Labels l{{"__name__", "req_total"},
             {"job", "j" + std::to_string(s % 3)},
             {"instance", std::to_string(s)}};
    double v = 0;
    for (int k = 0; k < 200; ++k) {
      if (s == 4 && k > 50 && k < 90) continue;  // a gap longer than the lookback
      v += (s + 1) * (k % 7);
      if (s == 5 && k % 60 == 0) v = 0;  // resets
      double x = v;
      if (s == 6 && k == 120) x = tsdb::StaleNaN();
      if (s == 7 && k == 30) x = std::nan("");
      ASSERT_TRUE(app->Append(0, l, k * kStep, x).ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
}

std::string Identity(const std::string& x) {
  return "label_replace(" + x + ", \"unused_\", \"\", \"unused_\", \"\")";
}

// The result as comparable text: labels and bit-exact values per point.
std::string Dump(const Result& r) {
  std::string out;
  auto num = [](double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return std::to_string(bits);
  };
  if (const auto* v = std::get_if<Vector>(&r.value)) {
    for (const Sample& s : *v) out += s.labels.ToString() + "=" + num(s.v) + "\n";
  }
  if (const auto* m = std::get_if<Matrix>(&r.value)) {
    for (const Series& s : *m) {
      out += s.labels.ToString() + ":";
      for (const FPoint& p : s.points) out += " " + std::to_string(p.t) + "=" + num(p.v);
      out += "\n";
    }
  }
  return out;
}

TEST(EngineStreamTest, StreamedAggregationEqualsWholeEvaluation) {
  tsdb::Head head;
  Load(&head);
  const std::vector<std::string> aggs = {"sum", "count", "group", "min", "max"};
  const std::vector<std::string> inputs = {
      "req_total",
      "req_total offset 5m",
      "req_total @ 1500",
      "rate(req_total[5m])",
      "increase(req_total[2m] offset 1m)",
      "irate((req_total[5m]))",
      "max_over_time(req_total[10m])",
      "quantile_over_time(0.5, req_total[10m])",
      "predict_linear(req_total[10m], 60)",
      "req_total > 100",
      "100 < req_total",
      "req_total * 2",
      "rate(req_total[5m]) > bool 1",
      "-req_total",
  };
  Engine engine;
  int compared = 0;
  for (const std::string& agg : aggs) {
    for (const std::string& in : inputs) {
      for (const std::string& by :
           {std::string(" by (job) "), std::string(" without (instance) "), std::string(" ")}) {
        const std::string q = agg + by + "(" + in + ")";
        const std::string ref = agg + by + "(" + Identity(in) + ")";
        Result a = engine.RangeQuery(&head, q, 0, 199 * kStep, 4 * kStep);
        Result b = engine.RangeQuery(&head, ref, 0, 199 * kStep, 4 * kStep);
        ASSERT_TRUE(a.status.ok()) << q << ": " << a.status;
        ASSERT_TRUE(b.status.ok()) << ref << ": " << b.status;
        EXPECT_EQ(Dump(a), Dump(b)) << q;
        EXPECT_FALSE(Dump(a).empty()) << q;
        Result c = engine.InstantQuery(&head, q, 150 * kStep);
        Result d = engine.InstantQuery(&head, ref, 150 * kStep);
        EXPECT_EQ(Dump(c), Dump(d)) << q;
        EXPECT_EQ(a.stats.samples_loaded, b.stats.samples_loaded) << q;
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 5 * 14 * 3);
}

// sum folds series by series without holding them; stddev evaluates its input whole. The
// sample limit counts both the same.
TEST(EngineStreamTest, StreamedAndWholeAggregationsCountTheSameSamples) {
  tsdb::Head head;
  Load(&head);
  // At step 150: 12 rates, and the widest 10m window holds 40 samples.
  for (const char* q : {"sum(rate(req_total[10m]))", "stddev(rate(req_total[10m]))"}) {
    SCOPED_TRACE(q);
    EngineOptions opts;
    opts.max_samples = 52;
    Result ok = Engine(opts).InstantQuery(&head, q, 150 * kStep);
    ASSERT_TRUE(ok.status.ok()) << ok.status;
    EXPECT_EQ(ok.stats.peak_samples, 52);
    opts.max_samples = 51;
    Result r = Engine(opts).InstantQuery(&head, q, 150 * kStep);
    EXPECT_EQ(r.status.code(), absl::StatusCode::kResourceExhausted);
  }
  Result sum = Engine().RangeQuery(&head, "sum(rate(req_total[10m]))", 0, 199 * kStep, kStep);
  Result stddev = Engine().RangeQuery(&head, "stddev(rate(req_total[10m]))", 0, 199 * kStep, kStep);
  EXPECT_GT(sum.stats.peak_samples, 12 * 150);
  EXPECT_EQ(sum.stats.peak_samples, stddev.stats.peak_samples);
}

}  // namespace
}  // namespace sundial::promql
