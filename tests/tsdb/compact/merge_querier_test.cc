#include "tsdb/compact/merge_querier.h"

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/compact/test_storage.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;
using testing::Pair;
using testing_storage::Faults;
using testing_storage::Sample;
using testing_storage::SeriesData;
using testing_storage::VectorQuerier;

using Result = std::vector<std::pair<std::string, std::vector<Sample>>>;

Labels L(std::string_view name, std::string_view job) {
  return Labels{{"__name__", name}, {"job", job}};
}

Matcher M(MatchType type, std::string_view name, std::string_view value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, name, value);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

std::unique_ptr<Querier> Merge(const std::vector<const SeriesData*>& data,
                               std::vector<Faults> faults = {}) {
  std::vector<std::unique_ptr<Querier>> qs;
  for (size_t i = 0; i < data.size(); ++i) {
    qs.push_back(
        std::make_unique<VectorQuerier>(data[i], i < faults.size() ? faults[i] : Faults{}));
  }
  return NewMergeQuerier(std::move(qs));
}

// Reads everything; the set's and iterators' errors go to *err.
Result ReadAll(SeriesSet& set, absl::Status* err = nullptr) {
  Result out;
  absl::Status first;
  while (set.Next()) {
    std::vector<Sample> samples;
    std::unique_ptr<SampleIterator> it = set.At().Iterator();
    while (it->Next() == ValueType::kFloat) {
      EXPECT_EQ(it->AtT(), it->At().first);
      samples.push_back(it->At());
    }
    if (first.ok()) first = it->Err();
    out.emplace_back(set.At().labels().ToString(), std::move(samples));
  }
  if (first.ok()) first = set.Err();
  if (err != nullptr) {
    *err = first;
  } else {
    EXPECT_TRUE(first.ok()) << first;
  }
  return out;
}

Result Query(Querier& q, std::vector<Matcher> matchers = {}, SelectHints hints = {}) {
  std::unique_ptr<SeriesSet> set = q.Select(hints, matchers);
  return ReadAll(*set);
}

TEST(MergeQuerierTest, NoQueriersYieldsNothing) {
  std::unique_ptr<Querier> q = NewMergeQuerier({});
  EXPECT_THAT(Query(*q), IsEmpty());
  EXPECT_THAT(*q->LabelNames({}), IsEmpty());
  EXPECT_THAT(*q->LabelValues("job", {}), IsEmpty());
}

TEST(MergeQuerierTest, DisjointSeriesComeOutSorted) {
  SeriesData a = {{L("up", "b"), {{1, 1}}}, {L("z", "a"), {{1, 2}}}};
  SeriesData b = {{L("up", "a"), {{2, 3}}}, {L("up", "c"), {{2, 4}}}};
  SeriesData c = {{L("a", "x"), {{3, 5}}}};
  std::unique_ptr<Querier> q = Merge({&a, &b, &c});
  EXPECT_THAT(Query(*q), ElementsAre(Pair("{__name__=\"a\", job=\"x\"}", ElementsAre(Pair(3, 5))),
                                     Pair("{__name__=\"up\", job=\"a\"}", ElementsAre(Pair(2, 3))),
                                     Pair("{__name__=\"up\", job=\"b\"}", ElementsAre(Pair(1, 1))),
                                     Pair("{__name__=\"up\", job=\"c\"}", ElementsAre(Pair(2, 4))),
                                     Pair("{__name__=\"z\", job=\"a\"}", ElementsAre(Pair(1, 2)))));
}

TEST(MergeQuerierTest, LabelsPrefixSortsFirst) {
  SeriesData a = {{Labels{{"a", "1"}, {"b", "2"}}, {{1, 1}}}};
  SeriesData b = {{Labels{{"a", "1"}}, {{1, 2}}}};
  std::unique_ptr<Querier> q = Merge({&a, &b});
  EXPECT_THAT(Query(*q), ElementsAre(Pair("{a=\"1\"}", ElementsAre(Pair(1, 2))),
                                     Pair("{a=\"1\", b=\"2\"}", ElementsAre(Pair(1, 1)))));
}

TEST(MergeQuerierTest, SameSeriesInTwoSourcesInterleaves) {
  SeriesData a = {{L("up", "a"), {{1, 1}, {3, 3}, {5, 5}}}};
  SeriesData b = {{L("up", "a"), {{2, 2}, {4, 4}, {6, 6}, {7, 7}}}};
  std::unique_ptr<Querier> q = Merge({&a, &b});
  EXPECT_THAT(Query(*q),
              ElementsAre(Pair("{__name__=\"up\", job=\"a\"}",
                               ElementsAre(Pair(1, 1), Pair(2, 2), Pair(3, 3), Pair(4, 4),
                                           Pair(5, 5), Pair(6, 6), Pair(7, 7)))));
}

TEST(MergeQuerierTest, EqualTimestampsKeepTheFirstSourcesSample) {
  SeriesData a = {{L("up", "a"), {{1, 10}, {2, 20}, {3, 30}}}};
  SeriesData b = {{L("up", "a"), {{2, -2}, {3, -3}, {4, -4}}}};
  std::unique_ptr<Querier> ab = Merge({&a, &b});
  EXPECT_THAT(Query(*ab), ElementsAre(Pair(testing::_, ElementsAre(Pair(1, 10), Pair(2, 20),
                                                                   Pair(3, 30), Pair(4, -4)))));
  std::unique_ptr<Querier> ba = Merge({&b, &a});
  EXPECT_THAT(Query(*ba), ElementsAre(Pair(testing::_, ElementsAre(Pair(1, 10), Pair(2, -2),
                                                                   Pair(3, -3), Pair(4, -4)))));
}

TEST(MergeQuerierTest, IdenticalSourcesDeduplicate) {
  SeriesData a = {{L("up", "a"), {{1, 1}, {2, 2}}}, {L("up", "b"), {{5, 5}}}};
  std::unique_ptr<Querier> q = Merge({&a, &a, &a});
  EXPECT_THAT(Query(*q), ElementsAre(Pair(testing::_, ElementsAre(Pair(1, 1), Pair(2, 2))),
                                     Pair(testing::_, ElementsAre(Pair(5, 5)))));
}

TEST(MergeQuerierTest, MatchersAndHintsReachEverySource) {
  SeriesData a = {{L("up", "a"), {{1, 1}, {5, 5}, {9, 9}}}, {L("down", "a"), {{5, 0}}}};
  SeriesData b = {{L("up", "a"), {{4, 4}, {6, 6}}}, {L("up", "b"), {{1, 1}}}};
  std::unique_ptr<Querier> q = Merge({&a, &b});
  SelectHints hints;
  hints.start = 4;
  hints.end = 6;
  EXPECT_THAT(Query(*q, {M(MatchType::kEqual, "__name__", "up")}, hints),
              ElementsAre(Pair("{__name__=\"up\", job=\"a\"}",
                               ElementsAre(Pair(4, 4), Pair(5, 5), Pair(6, 6)))));
}

TEST(MergeQuerierTest, SingleQuerierIsPassedThrough) {
  SeriesData a = {{L("up", "a"), {{1, 1}}}};
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(nullptr);
  auto only = std::make_unique<VectorQuerier>(&a);
  Querier* raw = only.get();
  qs.push_back(std::move(only));
  std::unique_ptr<Querier> q = NewMergeQuerier(std::move(qs));
  EXPECT_EQ(q.get(), raw);
}

TEST(MergeQuerierTest, LabelNamesAndValuesAreSortedUnions) {
  SeriesData a = {{Labels{{"__name__", "up"}, {"job", "a"}}, {{1, 1}}},
                  {Labels{{"__name__", "x"}, {"zone", "eu"}}, {{1, 1}}}};
  SeriesData b = {{Labels{{"__name__", "up"}, {"job", "c"}, {"instance", "i"}}, {{1, 1}}}};
  SeriesData c = {{Labels{{"__name__", "up"}, {"job", "b"}}, {{1, 1}}}};
  std::unique_ptr<Querier> q = Merge({&a, &b, &c});
  EXPECT_THAT(*q->LabelNames({}), ElementsAre("__name__", "instance", "job", "zone"));
  EXPECT_THAT(*q->LabelValues("job", {}), ElementsAre("a", "b", "c"));
  EXPECT_THAT(*q->LabelValues("__name__", {}), ElementsAre("up", "x"));
  std::vector<Matcher> up = {M(MatchType::kEqual, "__name__", "up")};
  EXPECT_THAT(*q->LabelNames(up), ElementsAre("__name__", "instance", "job"));
  EXPECT_THAT(*q->LabelValues("zone", up), IsEmpty());
}

TEST(MergeQuerierTest, LabelErrorsFailTheCall) {
  SeriesData a = {{L("up", "a"), {{1, 1}}}};
  std::unique_ptr<Querier> q = Merge({&a, &a}, {Faults{}, Faults{.label_error = true}});
  EXPECT_EQ(q->LabelNames({}).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(q->LabelValues("job", {}).status().code(), absl::StatusCode::kInternal);
}

TEST(MergeQuerierTest, SeriesSetErrorEndsTheMergedSet) {
  SeriesData a = {{L("a", "1"), {{1, 1}}}, {L("b", "1"), {{1, 1}}}, {L("c", "1"), {{1, 1}}}};
  SeriesData b = {{L("a", "2"), {{1, 1}}}, {L("b", "2"), {{1, 1}}}, {L("c", "2"), {{1, 1}}}};
  std::unique_ptr<Querier> q = Merge({&a, &b}, {Faults{}, Faults{.set_error_after = 1}});
  std::unique_ptr<SeriesSet> set = q->Select({}, {});
  absl::Status err;
  Result got = ReadAll(*set, &err);
  EXPECT_EQ(err.code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(got.size(), 6u);
  EXPECT_FALSE(set->Next());  // stays finished
  EXPECT_EQ(set->Err().code(), absl::StatusCode::kUnavailable);
}

TEST(MergeQuerierTest, ErrorOfAnEmptyFailingSourceIsReported) {
  SeriesData a = {{L("a", "1"), {{1, 1}}}};
  SeriesData none;
  std::unique_ptr<Querier> q = Merge({&a, &none}, {Faults{}, Faults{.set_error_after = 0}});
  std::unique_ptr<SeriesSet> set = q->Select({}, {});
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->Err().code(), absl::StatusCode::kUnavailable);
}

TEST(MergeQuerierTest, IteratorErrorEndsTheMergedIterator) {
  SeriesData a = {{L("up", "a"), {{1, 1}, {3, 3}, {5, 5}}}};
  SeriesData b = {{L("up", "a"), {{2, 2}, {4, 4}, {6, 6}}}};
  std::unique_ptr<Querier> q = Merge({&a, &b}, {Faults{}, Faults{.iterator_error_after = 1}});
  std::unique_ptr<SeriesSet> set = q->Select({}, {});
  ASSERT_TRUE(set->Next());
  std::unique_ptr<SampleIterator> it = set->At().Iterator();
  std::vector<Timestamp> seen;
  while (it->Next() == ValueType::kFloat) seen.push_back(it->AtT());
  EXPECT_EQ(it->Err().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(seen, ElementsAre(1, 2));
  EXPECT_EQ(it->Next(), ValueType::kNone);
  EXPECT_EQ(it->Seek(0), ValueType::kNone);
}

TEST(MergeSampleIteratorTest, SeekSemantics) {
  SeriesData a = {{L("up", "a"), {{10, 1}, {30, 3}, {50, 5}}}};
  SeriesData b = {{L("up", "a"), {{20, 2}, {30, -3}, {40, 4}}}};
  std::unique_ptr<Querier> q = Merge({&a, &b});
  std::unique_ptr<SeriesSet> set = q->Select({}, {});
  ASSERT_TRUE(set->Next());

  // A fresh iterator seeks like Next() then Seek.
  std::unique_ptr<SampleIterator> it = set->At().Iterator();
  ASSERT_EQ(it->Seek(25), ValueType::kFloat);
  EXPECT_THAT(it->At(), Pair(30, 3));
  // Never backwards; staying put on the current sample.
  ASSERT_EQ(it->Seek(5), ValueType::kFloat);
  EXPECT_THAT(it->At(), Pair(30, 3));
  ASSERT_EQ(it->Seek(30), ValueType::kFloat);
  EXPECT_THAT(it->At(), Pair(30, 3));
  // The duplicate at 30 from b is skipped.
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_THAT(it->At(), Pair(40, 4));
  ASSERT_EQ(it->Seek(41), ValueType::kFloat);
  EXPECT_THAT(it->At(), Pair(50, 5));
  EXPECT_EQ(it->Seek(51), ValueType::kNone);
  EXPECT_EQ(it->Next(), ValueType::kNone);
  EXPECT_EQ(it->Seek(0), ValueType::kNone);
  EXPECT_TRUE(it->Err().ok());

  // A fresh Seek below everything lands on the first sample; a fresh Seek past the end ends.
  it = set->At().Iterator();
  ASSERT_EQ(it->Seek(INT64_MIN), ValueType::kFloat);
  EXPECT_THAT(it->At(), Pair(10, 1));
  it = set->At().Iterator();
  EXPECT_EQ(it->Seek(51), ValueType::kNone);
  EXPECT_EQ(it->Next(), ValueType::kNone);

  // Seek onto a timestamp both sources hold yields the first source's sample once.
  it = set->At().Iterator();
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  ASSERT_EQ(it->Seek(30), ValueType::kFloat);
  EXPECT_THAT(it->At(), Pair(30, 3));
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_THAT(it->At(), Pair(40, 4));
}

TEST(MergeSampleIteratorTest, NoIteratorsIsEmpty) {
  std::unique_ptr<SampleIterator> it = NewMergeSampleIterator({});
  EXPECT_EQ(it->Next(), ValueType::kNone);
  EXPECT_EQ(it->Seek(0), ValueType::kNone);
  EXPECT_TRUE(it->Err().ok());
}

// Many sources with random overlapping data, read by a random mix of Next and Seek, against a
// model: the union of samples per series where the earliest source wins each timestamp.
TEST(MergeQuerierTest, ManySourcesMatchAModel) {
  std::mt19937_64 rng(42);
  constexpr int kSources = 17;
  std::vector<SeriesData> data(kSources);
  std::map<Labels, std::map<Timestamp, double>> model;
  for (int s = 0; s < kSources; ++s) {
    const int series = static_cast<int>(rng() % 30);
    for (int i = 0; i < series; ++i) {
      Labels l = L("m" + std::to_string(rng() % 5), std::to_string(rng() % 8));
      std::vector<Sample>& samples = data[s][l];
      std::map<Timestamp, double> mine;
      for (auto& [t, v] : samples) mine[t] = v;
      const int n = static_cast<int>(rng() % 40);
      for (int k = 0; k < n; ++k) {
        mine.emplace(static_cast<Timestamp>(rng() % 200) - 50, s * 1000.0 + k);
      }
      samples.assign(mine.begin(), mine.end());
      if (samples.empty()) data[s].erase(l);
    }
  }
  for (int s = 0; s < kSources; ++s) {
    for (const auto& [l, samples] : data[s]) {
      for (const auto& [t, v] : samples) model[l].emplace(t, v);  // earlier source wins
    }
  }
  std::vector<const SeriesData*> ptrs;
  for (const SeriesData& d : data) ptrs.push_back(&d);
  std::unique_ptr<Querier> q = Merge(ptrs);

  // Plain reading.
  Result want;
  for (const auto& [l, samples] : model) {
    want.emplace_back(l.ToString(), std::vector<Sample>(samples.begin(), samples.end()));
  }
  EXPECT_EQ(Query(*q), want);

  // Random Next/Seek walks.
  std::unique_ptr<SeriesSet> set = q->Select({}, {});
  auto m = model.begin();
  while (set->Next()) {
    ASSERT_NE(m, model.end());
    ASSERT_EQ(set->At().labels(), m->first);
    for (int round = 0; round < 3; ++round) {
      std::unique_ptr<SampleIterator> it = set->At().Iterator();
      auto pos = m->second.begin();
      bool started = false;
      for (int step = 0; step < 60; ++step) {
        ValueType vt;
        if (rng() % 2 == 0) {
          const Timestamp t = static_cast<Timestamp>(rng() % 260) - 80;
          vt = it->Seek(t);
          if (!started) started = true;
          while (pos != m->second.end() && pos->first < t) ++pos;
        } else {
          vt = it->Next();
          if (started && pos != m->second.end()) ++pos;
          started = true;
        }
        if (pos == m->second.end()) {
          ASSERT_EQ(vt, ValueType::kNone);
          break;
        }
        ASSERT_EQ(vt, ValueType::kFloat);
        ASSERT_EQ(it->At(), Sample(pos->first, pos->second));
      }
    }
    ++m;
  }
  EXPECT_EQ(m, model.end());
  EXPECT_TRUE(set->Err().ok());
}

TEST(MergeQuerierTest, MergesHeads) {
  Head older, newer;
  auto add = [](Head& h, const Labels& l, Timestamp t, double v) {
    std::unique_ptr<Appender> app = h.NewAppender();
    ASSERT_TRUE(app->Append(0, l, t, v).ok());
    ASSERT_TRUE(app->Commit().ok());
  };
  for (Timestamp t = 0; t < 100; t += 10) add(older, L("up", "a"), t, 1);
  for (Timestamp t = 90; t < 150; t += 10) add(newer, L("up", "a"), t, 2);
  add(newer, L("up", "b"), 5, 3);
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(*newer.NewQuerier(0, 1000));
  qs.push_back(*older.NewQuerier(0, 1000));
  std::unique_ptr<Querier> q = NewMergeQuerier(std::move(qs));
  Result got = Query(*q, {M(MatchType::kEqual, "__name__", "up")});
  ASSERT_EQ(got.size(), 2u);
  ASSERT_EQ(got[0].second.size(), 15u);
  EXPECT_THAT(got[0].second[8], Pair(80, 1));
  EXPECT_THAT(got[0].second[9], Pair(90, 2));  // the newer head was listed first
  EXPECT_THAT(got[1].second, ElementsAre(Pair(5, 3)));
}

}  // namespace
}  // namespace sundial::tsdb
