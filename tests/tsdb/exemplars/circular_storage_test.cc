#include "tsdb/exemplars/circular_storage.h"

#include <string>
#include <vector>

#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/exemplars/exemplar_metrics.h"

namespace sundial::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Exemplar Ex(std::string trace, double v, int64_t ts) {
  return Exemplar{.labels = Labels{{"trace_id", trace}}, .value = v, .ts = ts};
}

Matcher Eq(std::string name, std::string value) {
  return *Matcher::Create(MatchType::kEqual, name, value);
}

// "series:trace@ts" for every exemplar of a Select over everything with {__name__=~".+"}.
std::vector<std::string> Dump(const CircularExemplarStorage& s, int64_t start = INT64_MIN,
                              int64_t end = INT64_MAX) {
  std::vector<std::vector<Matcher>> sets = {
      {*Matcher::Create(MatchType::kRegexp, "__name__", ".+")}};
  std::vector<std::string> out;
  for (const ExemplarQueryResult& r : s.Select(start, end, sets)) {
    for (const Exemplar& e : r.exemplars) {
      out.push_back(
          StrCat(r.series_labels.Get("__name__"), ":", e.labels.Get("trace_id"), "@", e.ts));
    }
  }
  return out;
}

const Labels kA{{"__name__", "a"}, {"job", "x"}};
const Labels kB{{"__name__", "b"}, {"job", "y"}};
const Labels kC{{"__name__", "c"}, {"job", "x"}};

TEST(CircularExemplarStorageTest, SelectGroupsBySeriesSortedByLabelsOldestFirst) {
  CircularExemplarStorage s(10);
  ASSERT_TRUE(s.Add(kB, Ex("b1", 1, 100)).ok());
  ASSERT_TRUE(s.Add(kA, Ex("a1", 1, 150)).ok());
  ASSERT_TRUE(s.Add(kB, Ex("b2", 2, 200)).ok());
  ASSERT_TRUE(s.Add(kA, Ex("a2", 2, 250)).ok());
  EXPECT_THAT(Dump(s), ElementsAre("a:a1@150", "a:a2@250", "b:b1@100", "b:b2@200"));
  // Time range is inclusive at both ends, per exemplar.
  EXPECT_THAT(Dump(s, 150, 200), ElementsAre("a:a1@150", "b:b2@200"));
  EXPECT_THAT(Dump(s, 251, 300), IsEmpty());
}

TEST(CircularExemplarStorageTest, CapacityWrapsOverwritingTheOldestOfAnySeries) {
  CircularExemplarStorage s(3);
  ASSERT_TRUE(s.Add(kA, Ex("a1", 1, 1)).ok());
  ASSERT_TRUE(s.Add(kB, Ex("b1", 1, 2)).ok());
  ASSERT_TRUE(s.Add(kA, Ex("a2", 1, 3)).ok());
  ASSERT_TRUE(s.Add(kC, Ex("c1", 1, 4)).ok());  // evicts a1
  EXPECT_THAT(Dump(s), ElementsAre("a:a2@3", "b:b1@2", "c:c1@4"));
  ASSERT_TRUE(s.Add(kC, Ex("c2", 1, 5)).ok());  // evicts b1, the last of b
  EXPECT_THAT(Dump(s), ElementsAre("a:a2@3", "c:c1@4", "c:c2@5"));
  ExemplarStats st = s.Stats();
  EXPECT_EQ(st.exemplars_in_storage, 3);
  EXPECT_EQ(st.series_with_exemplars, 2);
  EXPECT_EQ(st.appended_total, 5u);
  EXPECT_DOUBLE_EQ(st.oldest_timestamp_seconds, 0.003);
  // A long run through one series keeps only its newest three.
  for (int i = 6; i < 20; ++i) ASSERT_TRUE(s.Add(kA, Ex(StrCat("a", i), 1, i)).ok());
  EXPECT_THAT(Dump(s), ElementsAre("a:a17@17", "a:a18@18", "a:a19@19"));
}

TEST(CircularExemplarStorageTest, MatcherSetsAreOredAndMatchersAnded) {
  CircularExemplarStorage s(10);
  ASSERT_TRUE(s.Add(kA, Ex("a1", 1, 1)).ok());
  ASSERT_TRUE(s.Add(kB, Ex("b1", 1, 2)).ok());
  ASSERT_TRUE(s.Add(kC, Ex("c1", 1, 3)).ok());
  std::vector<std::vector<Matcher>> sets = {{Eq("job", "x"), Eq("__name__", "c")},
                                            {Eq("__name__", "b")}};
  std::vector<ExemplarQueryResult> r = s.Select(0, 10, sets);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].series_labels, kB);
  EXPECT_EQ(r[1].series_labels, kC);
  // A matcher on a missing label sees "".
  std::vector<std::vector<Matcher>> missing = {{Eq("__name__", "a"), Eq("nope", "")}};
  EXPECT_EQ(s.Select(0, 10, missing).size(), 1u);
  EXPECT_THAT(s.Select(0, 10, {}), IsEmpty());
}

TEST(CircularExemplarStorageTest, DuplicatesAreIgnoredAndOutOfOrderRejected) {
  CircularExemplarStorage s(10);
  ASSERT_TRUE(s.Add(kA, Ex("a1", 1, 100)).ok());
  EXPECT_TRUE(IsDuplicateExemplar(s.Validate(kA, Ex("a1", 1, 100))));
  EXPECT_TRUE(s.Add(kA, Ex("a1", 1, 100)).ok());
  absl::Status older = s.Add(kA, Ex("a0", 1, 50));
  EXPECT_TRUE(IsOutOfOrderExemplar(older));
  EXPECT_EQ(older.message(), "out of order exemplar");
  // Same timestamp, other value: out of order too (Prometheus 2.x).
  EXPECT_TRUE(IsOutOfOrderExemplar(s.Add(kA, Ex("a1", 2, 100))));
  EXPECT_TRUE(IsOutOfOrderExemplar(s.Validate(kA, Ex("a9", 2, 99))));
  // Other series are independent.
  EXPECT_TRUE(s.Add(kB, Ex("b", 1, 10)).ok());
  EXPECT_THAT(Dump(s), ElementsAre("a:a1@100", "b:b@10"));
  EXPECT_EQ(s.Stats().out_of_order_total, 2u);  // Validate does not count
  EXPECT_EQ(s.Stats().appended_total, 2u);
  // Without timestamps, equal labels and value are a duplicate whatever the ts.
  Exemplar scraped = Ex("s", 3, 200);
  scraped.has_ts = false;
  ASSERT_TRUE(s.Add(kC, scraped).ok());
  scraped.ts = 300;
  EXPECT_TRUE(IsDuplicateExemplar(s.Validate(kC, scraped)));
}

TEST(CircularExemplarStorageTest, LabelSetLengthLimitCountsUtf8Characters) {
  CircularExemplarStorage s(10);
  // 8 + 120 = 128 characters: allowed; one more is not.
  Exemplar ok{.labels = Labels{{"trace_id", std::string(120, 'x')}}, .value = 1, .ts = 1};
  EXPECT_TRUE(s.Add(kA, ok).ok());
  Exemplar too_long{.labels = Labels{{"trace_id", std::string(121, 'x')}}, .value = 1, .ts = 2};
  absl::Status st = s.Add(kA, too_long);
  EXPECT_TRUE(IsExemplarLabelLength(st));
  EXPECT_EQ(st.message(), "label length for exemplar exceeds maximum of 128 UTF-8 characters");
  // "é" is two bytes but one character: 8 + 120 characters in 248 bytes pass.
  std::string accents;
  for (int i = 0; i < 120; ++i) accents += "\xC3\xA9";
  Exemplar utf8{.labels = Labels{{"trace_id", accents}}, .value = 1, .ts = 3};
  EXPECT_TRUE(s.Add(kA, utf8).ok());
}

TEST(CircularExemplarStorageTest, ZeroCapacityIsDisabled) {
  CircularExemplarStorage s(0);
  EXPECT_FALSE(s.enabled());
  EXPECT_TRUE(IsExemplarsDisabled(s.Add(kA, Ex("a", 1, 1))));
  EXPECT_THAT(Dump(s), IsEmpty());
  CircularExemplarStorage negative(-5);
  EXPECT_FALSE(negative.enabled());
}

TEST(CircularExemplarStorageTest, ResizeKeepsTheNewestInOrder) {
  CircularExemplarStorage s(4);
  for (int i = 1; i <= 6; ++i) {
    ASSERT_TRUE(s.Add(i % 2 ? kA : kB, Ex(StrCat("e", i), 1, i)).ok());
  }
  EXPECT_THAT(Dump(s), ElementsAre("a:e3@3", "a:e5@5", "b:e4@4", "b:e6@6"));
  EXPECT_EQ(s.Resize(4), 0);  // unchanged
  EXPECT_EQ(s.Resize(2), 2);
  EXPECT_THAT(Dump(s), ElementsAre("a:e5@5", "b:e6@6"));
  EXPECT_EQ(s.Resize(5), 2);
  ASSERT_TRUE(s.Add(kA, Ex("e7", 1, 7)).ok());
  EXPECT_THAT(Dump(s), ElementsAre("a:e5@5", "a:e7@7", "b:e6@6"));
  EXPECT_EQ(s.Stats().max_exemplars, 5);
  EXPECT_EQ(s.Stats().exemplars_in_storage, 3);
  EXPECT_EQ(s.Resize(0), 0);
  EXPECT_FALSE(s.enabled());
  EXPECT_THAT(Dump(s), IsEmpty());
}

TEST(CircularExemplarStorageTest, MetricsHaveThePrometheusNames) {
  CircularExemplarStorage s(3);
  ASSERT_TRUE(s.Add(kA, Ex("a1", 1, 1500)).ok());
  metrics::Registry registry;
  {
    ExemplarMetrics m(&s, &registry);
    const std::string text = registry.Expose();
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_exemplar_exemplars_appended_total 1\n"));
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_exemplar_exemplars_in_storage 1\n"));
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_exemplar_series_with_exemplars_in_storage 1\n"));
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_exemplar_max_exemplars 3\n"));
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_exemplar_last_exemplars_timestamp_seconds 1.5\n"));
    EXPECT_THAT(text, HasSubstr("prometheus_tsdb_exemplar_out_of_order_exemplars_total 0\n"));
  }
  EXPECT_THAT(registry.Expose(), Not(HasSubstr("prometheus_tsdb_exemplar_")));
}

}  // namespace
}  // namespace sundial::tsdb
