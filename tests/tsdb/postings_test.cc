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

// The index `got` holds the same names, values and lists as `want`.
void ExpectSameIndex(const MemPostings& got, const MemPostings& want) {
  EXPECT_EQ(got.All(), want.All());
  ASSERT_EQ(got.LabelNames(), want.LabelNames());
  for (const std::string& name : want.LabelNames()) {
    ASSERT_EQ(got.LabelValues(name), want.LabelValues(name)) << name;
    for (const std::string& value : want.LabelValues(name)) {
      ASSERT_EQ(got.Get(name, value), want.Get(name, value)) << name << "=" << value;
    }
  }
}

Labels ReplayLabels(SeriesRef ref) {
  return Labels{{"__name__", StrCat("m", ref % 3)},
                {"i", StrCat(ref)},
                {"odd", StrCat(ref & 1)},
                {ref % 5 == 0 ? "five" : "other", "x"}};
}

// As WAL replay indexes: series created on two threads (runs of 64 refs alternate between
// them, as ReplayShards::ShardOf deals them) go to one builder per thread, sealed on two
// threads, then merged into an index that already holds series added one by one (those the
// replay creates on its own thread, some with the same values). Equal to Add in ref order.
TEST(PostingsBuilderTest, MergeOfTwoThreadsEqualsAddInRefOrder) {
  constexpr SeriesRef kSeries = 20'000;
  std::vector<Labels> labels(kSeries + 1);
  for (SeriesRef ref = 1; ref <= kSeries; ++ref) labels[ref] = ReplayLabels(ref);
  MemPostings want;
  for (SeriesRef ref = 1; ref <= kSeries; ++ref) want.Add(ref, labels[ref]);

  MemPostings got;
  auto added_directly = [](SeriesRef ref) { return ref % 97 == 0; };
  for (SeriesRef ref = 1; ref <= kSeries; ++ref) {
    if (added_directly(ref)) got.Add(ref, labels[ref]);
  }
  PostingsBuilder builders[2];
  auto fill = [&](SeriesRef parity) {
    for (SeriesRef ref = 1; ref <= kSeries; ++ref) {
      if ((ref >> 6) % 2 == parity && !added_directly(ref)) builders[parity].Add(ref, labels[ref]);
    }
    builders[parity].Seal();
  };
  std::thread other(fill, 1);
  fill(0);
  other.join();
  PostingsBuilder* both[] = {&builders[0], &builders[1]};
  got.Merge(both);
  ExpectSameIndex(got, want);
  EXPECT_EQ(got.Get("odd", "1").size(), kSeries / 2);
  EXPECT_TRUE(builders[0].empty());
  EXPECT_TRUE(builders[1].empty());

  // Series added after the merge (by appenders) and deleted ones keep the index consistent.
  for (SeriesRef ref = kSeries + 1; ref <= kSeries + 50; ++ref) {
    labels.push_back(ReplayLabels(ref));
    got.Add(ref, labels.back());
    want.Add(ref, labels.back());
  }
  got.Delete({{7, labels[7]}, {kSeries + 3, labels[kSeries + 3]}});
  want.Delete({{7, labels[7]}, {kSeries + 3, labels[kSeries + 3]}});
  ExpectSameIndex(got, want);
}

// A builder's refs in any order, and a merge of few values into a large index (which looks
// each value up instead of walking the index) or of values interleaving with the index's.
TEST(PostingsBuilderTest, MergeSortsRefsAndMergesIntoExistingLists) {
  std::mt19937_64 rng(5);
  for (size_t merged : {size_t{3}, size_t{500}, size_t{1000}}) {
    constexpr SeriesRef kSeries = 1000;
    std::vector<SeriesRef> refs(kSeries);
    for (SeriesRef i = 0; i < kSeries; ++i) refs[i] = i + 1;
    std::shuffle(refs.begin(), refs.end(), rng);
    std::vector<Labels> labels(kSeries + 1);
    MemPostings got, want;
    PostingsBuilder b;
    for (size_t i = 0; i < kSeries; ++i) {
      const SeriesRef ref = refs[i];
      labels[ref] = Labels{{"__name__", "m"}, {"even", StrCat(ref % 2)}, {"v", StrCat(ref % 600)}};
      want.Add(ref, labels[ref]);
      if (i < kSeries - merged) {
        got.Add(ref, labels[ref]);
      } else {
        b.Add(ref, labels[ref]);
      }
    }
    b.Seal();
    PostingsBuilder* one[] = {&b};
    got.Merge(one);
    ExpectSameIndex(got, want);
    Postings all = got.All();
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end())) << merged;
    EXPECT_EQ(all.size(), kSeries) << merged;
  }
}

// An empty builder, and merges into an empty index.
TEST(PostingsBuilderTest, EmptyBuildersAndEmptyIndex) {
  MemPostings index;
  PostingsBuilder empty;
  empty.Seal();
  PostingsBuilder* one[] = {&empty};
  index.Merge(one);
  EXPECT_THAT(index.All(), IsEmpty());
  EXPECT_THAT(index.LabelNames(), IsEmpty());
  Labels a{{"__name__", "up"}, {"job", "api"}}, b{{"__name__", "up"}, {"job", "db"}};
  PostingsBuilder builder;
  builder.Add(4, b);
  builder.Add(2, a);
  builder.Seal();
  PostingsBuilder* both[] = {&builder, &empty};
  index.Merge(both);
  EXPECT_THAT(index.All(), ElementsAre(2, 4));
  EXPECT_THAT(index.Get("__name__", "up"), ElementsAre(2, 4));
  EXPECT_THAT(index.LabelValues("job"), ElementsAre("api", "db"));
  EXPECT_THAT(PostingsForMatchers(index, std::vector<Matcher>{M(MatchType::kEqual, "job", "db")}),
              ElementsAre(4));
}

}  // namespace
}  // namespace sundial::tsdb
