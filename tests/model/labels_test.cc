#include "model/labels.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/xxhash.h"

namespace sundial {
namespace {

TEST(Labels, SortsAndLooksUp) {
  Labels l{{"job", "node"}, {"__name__", "up"}, {"instance", "a:9100"}};
  std::vector<std::string_view> names;
  for (const Label& x : l) names.push_back(x.name);
  EXPECT_EQ(names, (std::vector<std::string_view>{"__name__", "instance", "job"}));
  EXPECT_EQ(l.size(), 3u);
  EXPECT_EQ(l.Get("job"), "node");
  EXPECT_EQ(l.Get("missing"), "");
  EXPECT_EQ(l.MetricName(), "up");
  EXPECT_TRUE(l.Has("instance"));
}

TEST(Labels, DropsEmptyValuesAndDuplicates) {
  Labels l{{"a", "1"}, {"b", ""}, {"a", "2"}};
  EXPECT_EQ(l.ToString(), "{a=\"2\"}");
}

TEST(Labels, ToStringQuotesLikeGo) {
  Labels l{{"__name__", "up"}, {"path", "/a\"b\n"}};
  EXPECT_EQ(l.ToString(), "{__name__=\"up\", path=\"/a\\\"b\\n\"}");
  EXPECT_EQ(Labels().ToString(), "{}");
}

TEST(Labels, ComparesLikePrometheus) {
  Labels a{{"a", "1"}};
  Labels ab{{"a", "1"}, {"b", "1"}};
  Labels b{{"b", "0"}};
  EXPECT_LT(a, ab);  // prefix first
  EXPECT_LT(ab, b);  // by name first
  EXPECT_LT((Labels{{"a", "1"}}), (Labels{{"a", "2"}}));
  EXPECT_EQ(a, (Labels{{"a", "1"}}));
}

// The comparison skips the common encoded prefix; it must still order like a pair-by-pair
// comparison for sets sharing prefixes, with names and values that are prefixes of others and
// values longer than 127 bytes (two-byte length varints).
TEST(Labels, ComparesPairByPairWhateverTheSharedPrefix) {
  const std::vector<std::string> names = {"a", "ab", "b", "__name__"};
  const std::vector<std::string> values = {
      "", "x", "xy", "y", std::string(130, 'x'), std::string(129, 'x').append("y")};
  std::vector<Labels> sets;
  for (const std::string& v1 : values) {
    for (const std::string& v2 : values) {
      for (size_t n = 0; n < names.size(); ++n) {
        sets.push_back(Labels{{"__name__", "m"}, {names[n], v1}, {"zz", v2}});
        sets.push_back(Labels{{names[n], v1}, {names[(n + 1) % names.size()], v2}});
      }
    }
  }
  auto naive = [](const Labels& a, const Labels& b) {
    std::vector<Label> la(a.begin(), a.end()), lb(b.begin(), b.end());
    for (size_t i = 0; i < la.size() && i < lb.size(); ++i) {
      if (int c = la[i].name.compare(lb[i].name); c != 0) return c < 0 ? -1 : 1;
      if (int c = la[i].value.compare(lb[i].value); c != 0) return c < 0 ? -1 : 1;
    }
    if (la.size() == lb.size()) return 0;
    return la.size() < lb.size() ? -1 : 1;
  };
  for (const Labels& a : sets) {
    for (const Labels& b : sets) {
      const auto got = a <=> b;
      const int want = naive(a, b);
      EXPECT_EQ(got < 0, want < 0) << a.ToString() << " vs " << b.ToString();
      EXPECT_EQ(got == 0, want == 0) << a.ToString() << " vs " << b.ToString();
    }
  }
}

TEST(Labels, HashMatchesPrometheusDefinition) {
  // Prometheus hashes name 0xff value 0xff for each pair with XXH64; equal sets hash equal and
  // the separator keeps {a="bc"} apart from {ab="c"}.
  EXPECT_EQ((Labels{{"a", "1"}, {"b", "2"}}).Hash(), (Labels{{"b", "2"}, {"a", "1"}}).Hash());
  EXPECT_NE((Labels{{"a", "bc"}}).Hash(), (Labels{{"ab", "c"}}).Hash());
}

// Hash walks the encoding itself: lengths of one and two varint bytes, and sets longer than
// its stack buffer, hash as the definition's bytes do.
TEST(Labels, HashIsXxHash64OfNamesAndValuesWithSeparators) {
  for (size_t len : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{300}, size_t{5000}}) {
    const std::string long_value(len, 'v');
    Labels l{{"__name__", "up"}, {"job", long_value}, {std::string(len, 'n'), "x"}};
    std::string want;
    for (const Label& x : l) {
      want.append(x.name);
      want.push_back('\xff');
      want.append(x.value);
      want.push_back('\xff');
    }
    EXPECT_EQ(l.Hash(), XxHash64(want)) << len;
  }
}

// FromSorted writes the same encoding as the builder, empty values dropped, for names and
// values of one- and two-byte lengths.
TEST(Labels, FromSortedEqualsBuilt) {
  for (size_t len : {size_t{1}, size_t{127}, size_t{128}, size_t{20000}}) {
    const std::string a(len, 'a'), v(len, 'v');
    const Label pairs[] = {{"__name__", "up"}, {a, v}, {"b", ""}, {"c", v}};
    const Labels got = Labels::FromSorted(pairs);
    const Labels want{{"__name__", "up"}, {a, v}, {"c", v}};
    EXPECT_EQ(got, want) << len;
    EXPECT_EQ(got.Get(a), v) << len;
    EXPECT_EQ(got.size(), 3u) << len;
  }
  EXPECT_TRUE(Labels::FromSorted({}).empty());
}

TEST(LabelsBuilder, SetDelKeepDrop) {
  Labels base{{"__name__", "x"}, {"a", "1"}, {"b", "2"}, {"c", "3"}};
  LabelsBuilder b(base);
  b.Set("d", "4").Del("a").Set("b", "20");
  EXPECT_EQ(b.Get("b"), "20");
  EXPECT_EQ(b.Build().ToString(), "{__name__=\"x\", b=\"20\", c=\"3\", d=\"4\"}");
  b.Keep({"c", "d"});
  EXPECT_EQ(b.Build().ToString(), "{c=\"3\", d=\"4\"}");
  b.Drop({"c"});
  EXPECT_EQ(b.Build().ToString(), "{d=\"4\"}");
}

TEST(Labels, LongValuesRoundTrip) {
  std::string big(300, 'v');  // multi-byte varint length
  Labels l{{"k", big}, {"z", "1"}};
  EXPECT_EQ(l.Get("k"), big);
  EXPECT_EQ(l.Get("z"), "1");
}

}  // namespace
}  // namespace sundial
