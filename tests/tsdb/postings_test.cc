#include "tsdb/postings.h"

#include <algorithm>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::tsdb {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

Matcher M(MatchType type, std::string_view name, std::string_view value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, name, value);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

TEST(PostingsOpsTest, IntersectUnionSubtract) {
  Postings a = {1, 3, 5, 7, 9}, b = {2, 3, 4, 9, 10}, c = {5, 11};
  EXPECT_THAT(Intersect(a, b), ElementsAre(3, 9));
  EXPECT_THAT(Intersect(a, {}), IsEmpty());
  EXPECT_THAT(Union({a, b}), ElementsAre(1, 2, 3, 4, 5, 7, 9, 10));
  EXPECT_THAT(Union({a, b, c}), ElementsAre(1, 2, 3, 4, 5, 7, 9, 10, 11));
  EXPECT_THAT(Union({}), IsEmpty());
  EXPECT_THAT(Subtract(a, b), ElementsAre(1, 5, 7));
  EXPECT_THAT(Subtract(a, {}), ElementsAre(1, 3, 5, 7, 9));
}

TEST(PostingsOpsTest, UnionOfManyListsMatchesReference) {
  std::mt19937_64 rng(7);
  // Dense refs (bitmap path) and sparse refs (sort path), overlapping lists.
  for (uint64_t spread : {uint64_t{3}, uint64_t{1} << 40}) {
    std::vector<Postings> lists(20);
    std::set<SeriesRef> want;
    for (Postings& l : lists) {
      std::set<SeriesRef> refs;
      for (int i = 0; i < 50; ++i) refs.insert(1 + rng() % (1000 * spread));
      l.assign(refs.begin(), refs.end());
      want.insert(refs.begin(), refs.end());
    }
    EXPECT_EQ(Union(lists), Postings(want.begin(), want.end())) << spread;
  }
}

TEST(PostingsOpsTest, IntersectOfListsOfEverySizeMatchesReference) {
  std::mt19937_64 rng(11);
  auto random_list = [&rng](size_t n, uint64_t range) {
    std::set<SeriesRef> refs;
    while (refs.size() < n) refs.insert(1 + rng() % range);
    return Postings(refs.begin(), refs.end());
  };
  // Comparable sizes are walked; a list 16x longer or more is searched.
  for (size_t small : {size_t{0}, size_t{1}, size_t{7}, size_t{100}, size_t{3000}}) {
    for (size_t large : {size_t{50}, size_t{5000}, size_t{100000}}) {
      const Postings a = random_list(small, 200000), b = random_list(large, 200000);
      Postings want;
      std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(want));
      EXPECT_EQ(Intersect(a, b), want) << small << " " << large;
      EXPECT_EQ(Intersect(b, a), want) << small << " " << large;
    }
  }
}

class MemPostingsTest : public testing::Test {
 protected:
  void SetUp() override {
    index_.Add(1, Labels{{"__name__", "up"}, {"job", "api"}, {"env", "prod"}});
    index_.Add(2, Labels{{"__name__", "up"}, {"job", "web"}});
    index_.Add(4, Labels{{"__name__", "up"}, {"job", "api-canary"}, {"env", "dev"}});
    // A ref arriving late (concurrent creation) still lands in sorted position.
    index_.Add(3, Labels{{"__name__", "down"}, {"job", "db"}, {"env", ""}});
  }

  Postings Select(std::vector<Matcher> ms) { return PostingsForMatchers(index_, ms); }

  MemPostings index_;
};

TEST_F(MemPostingsTest, Lookups) {
  EXPECT_THAT(index_.All(), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(index_.Get("__name__", "up"), ElementsAre(1, 2, 4));
  EXPECT_THAT(index_.Get("job", "nope"), IsEmpty());
  EXPECT_THAT(index_.LabelNames(), ElementsAre("__name__", "env", "job"));
  EXPECT_THAT(index_.LabelValues("job"), ElementsAre("api", "api-canary", "db", "web"));
  EXPECT_THAT(index_.LabelValues("nope"), IsEmpty());
}

TEST_F(MemPostingsTest, Equal) {
  EXPECT_THAT(Select({M(MatchType::kEqual, "job", "api")}), ElementsAre(1));
  EXPECT_THAT(Select({M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "env", "dev")}),
              ElementsAre(4));
  EXPECT_THAT(Select({M(MatchType::kEqual, "job", "nope")}), IsEmpty());
  EXPECT_THAT(Select({M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "nope", "x")}),
              IsEmpty());
  EXPECT_THAT(Select({M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "job", "web"),
                      M(MatchType::kNotEqual, "env", "x")}),
              ElementsAre(2));
  // ="" selects the series without the label.
  EXPECT_THAT(Select({M(MatchType::kEqual, "env", "")}), ElementsAre(2, 3));
  EXPECT_THAT(Select({M(MatchType::kEqual, "nope", "")}), ElementsAre(1, 2, 3, 4));
}

TEST_F(MemPostingsTest, NotEqual) {
  // != includes series without the label.
  EXPECT_THAT(Select({M(MatchType::kNotEqual, "env", "prod")}), ElementsAre(2, 3, 4));
  EXPECT_THAT(Select({M(MatchType::kNotEqual, "__name__", "up")}), ElementsAre(3));
  // !="" requires the label.
  EXPECT_THAT(Select({M(MatchType::kNotEqual, "env", "")}), ElementsAre(1, 4));
  EXPECT_THAT(
      Select({M(MatchType::kEqual, "__name__", "up"), M(MatchType::kNotEqual, "job", "web")}),
      ElementsAre(1, 4));
}

TEST_F(MemPostingsTest, Regexp) {
  // Literal set.
  EXPECT_THAT(Select({M(MatchType::kRegexp, "job", "api|db|nope")}), ElementsAre(1, 3));
  // Prefix.
  EXPECT_THAT(Select({M(MatchType::kRegexp, "job", "api.*")}), ElementsAre(1, 4));
  // General.
  EXPECT_THAT(Select({M(MatchType::kRegexp, "job", "[a-d].+")}), ElementsAre(1, 3, 4));
  // .* matches "" (everything); .+ requires the label.
  EXPECT_THAT(Select({M(MatchType::kRegexp, "env", ".*")}), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(Select({M(MatchType::kRegexp, "env", ".+")}), ElementsAre(1, 4));
  // A regex matching "" also selects series without the label.
  EXPECT_THAT(Select({M(MatchType::kRegexp, "env", "dev|")}), ElementsAre(2, 3, 4));
  EXPECT_THAT(Select({M(MatchType::kRegexp, "env", "d.*|")}), ElementsAre(2, 3, 4));
}

TEST_F(MemPostingsTest, NotRegexp) {
  EXPECT_THAT(Select({M(MatchType::kNotRegexp, "job", "api.*")}), ElementsAre(2, 3));
  EXPECT_THAT(Select({M(MatchType::kNotRegexp, "job", "api|web")}), ElementsAre(3, 4));
  EXPECT_THAT(Select({M(MatchType::kNotRegexp, "env", "p.*")}), ElementsAre(2, 3, 4));
  // !~"" requires the label, !~".*" matches nothing, !~".+" selects series without it.
  EXPECT_THAT(Select({M(MatchType::kNotRegexp, "env", "")}), ElementsAre(1, 4));
  EXPECT_THAT(Select({M(MatchType::kNotRegexp, "env", ".*")}), IsEmpty());
  EXPECT_THAT(Select({M(MatchType::kNotRegexp, "env", ".+")}), ElementsAre(2, 3));
  EXPECT_THAT(Select({M(MatchType::kNotRegexp, "env", "[a-z]+x?")}), ElementsAre(2, 3));
}

TEST_F(MemPostingsTest, NoMatchersSelectNothing) { EXPECT_THAT(Select({}), IsEmpty()); }

TEST_F(MemPostingsTest, Delete) {
  index_.Delete({{1, Labels{{"__name__", "up"}, {"job", "api"}, {"env", "prod"}}},
                 {3, Labels{{"__name__", "down"}, {"job", "db"}}}});
  EXPECT_THAT(index_.All(), ElementsAre(2, 4));
  EXPECT_THAT(index_.LabelNames(), ElementsAre("__name__", "env", "job"));
  EXPECT_THAT(index_.LabelValues("__name__"), ElementsAre("up"));
  EXPECT_THAT(index_.LabelValues("env"), ElementsAre("dev"));
  EXPECT_THAT(index_.LabelValues("job"), ElementsAre("api-canary", "web"));
  index_.Delete({{4, Labels{{"__name__", "up"}, {"job", "api-canary"}, {"env", "dev"}}}});
  EXPECT_THAT(index_.LabelNames(), ElementsAre("__name__", "job"));
}

// Series created on two threads at once, each in ascending ref order as replay workers create
// them, index as if added one by one in ref order once sorted.
TEST(MemPostingsUnsortedTest, TwoThreadsThenSortEqualsAddInRefOrder) {
  constexpr SeriesRef kSeries = 20'000;
  auto labels = [](SeriesRef ref) {
    return Labels{{"__name__", StrCat("m", ref % 3)}, {"i", StrCat(ref)}, {"odd", StrCat(ref & 1)}};
  };
  MemPostings want;
  for (SeriesRef ref = 1; ref <= kSeries; ++ref) want.Add(ref, labels(ref));
  MemPostings got;
  // Runs of 64 refs alternate between the threads, as ReplayShards::ShardOf deals them.
  // Each thread adds its series a few at a time, under one lock each time.
  auto add_runs = [&](SeriesRef parity) {
    std::vector<Labels> kept;
    std::vector<std::pair<SeriesRef, const Labels*>> batch;
    kept.reserve(kSeries);
    for (SeriesRef ref = 1; ref <= kSeries; ++ref) {
      if ((ref >> 6) % 2 != parity) continue;
      kept.push_back(labels(ref));
      batch.emplace_back(ref, &kept.back());
      if (batch.size() == 100) {
        got.AddUnsorted(batch);
        batch.clear();
      }
    }
    got.AddUnsorted(batch);
  };
  std::thread other(add_runs, 1);
  add_runs(0);
  other.join();
  got.Sort();
  EXPECT_EQ(got.All(), want.All());
  EXPECT_EQ(got.LabelNames(), want.LabelNames());
  for (const std::string& name : want.LabelNames()) {
    ASSERT_EQ(got.LabelValues(name), want.LabelValues(name)) << name;
    for (const std::string& value : want.LabelValues(name)) {
      ASSERT_EQ(got.Get(name, value), want.Get(name, value)) << name << "=" << value;
    }
  }
  EXPECT_EQ(got.Get("odd", "1").size(), kSeries / 2);
}

// Each AddUnsorted call appends one ascending run to every list it touches; Sort merges any
// number of runs of any length, or sorts lists of many short runs outright.
TEST(MemPostingsUnsortedTest, SortPutsAnyRunsInOrder) {
  std::mt19937_64 rng(5);
  for (size_t runs : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{900}}) {
    constexpr SeriesRef kSeries = 1000;
    std::vector<SeriesRef> refs(kSeries);
    for (SeriesRef i = 0; i < kSeries; ++i) refs[i] = i + 1;
    std::shuffle(refs.begin(), refs.end(), rng);
    std::vector<Labels> labels(kSeries + 1);
    MemPostings index;
    for (size_t r = 0; r < runs; ++r) {
      const size_t begin = r * kSeries / runs, end = (r + 1) * kSeries / runs;
      std::sort(refs.begin() + static_cast<ptrdiff_t>(begin),
                refs.begin() + static_cast<ptrdiff_t>(end));
      std::vector<std::pair<SeriesRef, const Labels*>> batch;
      for (size_t i = begin; i < end; ++i) {
        labels[refs[i]] = Labels{{"__name__", "m"}, {"even", refs[i] % 2 == 0 ? "1" : "0"}};
        batch.emplace_back(refs[i], &labels[refs[i]]);
      }
      index.AddUnsorted(batch);
    }
    index.Sort();
    Postings all = index.All(), even = index.Get("even", "1");
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end())) << runs;
    EXPECT_EQ(all.size(), kSeries) << runs;
    EXPECT_EQ(all.front(), 1u);
    EXPECT_EQ(all.back(), kSeries);
    EXPECT_TRUE(std::is_sorted(even.begin(), even.end())) << runs;
    EXPECT_EQ(even.size(), kSeries / 2) << runs;
  }
}

}  // namespace
}  // namespace sundial::tsdb
