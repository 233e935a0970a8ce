#include "tsdb/head.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/errors.h"
#include "tsdb/pinned_series.h"

namespace sundial::tsdb {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;
using testing::Pair;
using Sample = std::pair<Timestamp, double>;

Matcher M(MatchType type, std::string_view name, std::string_view value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, name, value);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

Matcher Eq(std::string_view name, std::string_view value) {
  return M(MatchType::kEqual, name, value);
}

// Records what a commit logs, in order.
class RecordingLog : public HeadLog {
 public:
  absl::Status LogSeries(std::span<const RefSeries> series) override {
    if (fail) return absl::UnavailableError("disk full");
    for (const RefSeries& s : series) events.push_back("series " + s.labels->ToString());
    return absl::OkStatus();
  }
  absl::Status LogSamples(std::span<const RefSample> samples) override {
    if (fail) return absl::UnavailableError("disk full");
    for (const RefSample& s : samples) {
      events.push_back("sample " + std::to_string(s.ref) + " " + std::to_string(s.t));
    }
    return absl::OkStatus();
  }

  bool fail = false;
  std::vector<std::string> events;
};

class HeadTest : public testing::Test {
 protected:
  void MakeHead(int64_t ooo_window = 0) {
    HeadOptions options;
    options.out_of_order_window_ms = ooo_window;
    options.log = &log_;
    head_ = std::make_unique<Head>(options);
  }
  void SetUp() override { MakeHead(); }

  // Appends and commits one sample.
  absl::StatusOr<SeriesRef> Add(const Labels& l, Timestamp t, double v,
                                const AppendOptions& options = {}) {
    std::unique_ptr<Appender> app = head_->NewAppender();
    absl::StatusOr<SeriesRef> ref = app->Append(0, l, t, v, options);
    EXPECT_TRUE(app->Commit().ok());
    return ref;
  }

  std::vector<std::pair<std::string, std::vector<Sample>>> Query(std::vector<Matcher> matchers,
                                                                 Timestamp mint = INT64_MIN,
                                                                 Timestamp maxt = INT64_MAX) {
    absl::StatusOr<std::unique_ptr<Querier>> q = head_->NewQuerier(mint, maxt);
    EXPECT_TRUE(q.ok());
    std::unique_ptr<SeriesSet> set = (*q)->Select(SelectHints{}, matchers);
    std::vector<std::pair<std::string, std::vector<Sample>>> out;
    while (set->Next()) {
      std::vector<Sample> samples;
      std::unique_ptr<SampleIterator> it = set->At().Iterator();
      while (it->Next() == ValueType::kFloat) samples.push_back(it->At());
      EXPECT_TRUE(it->Err().ok());
      out.emplace_back(set->At().labels().ToString(), std::move(samples));
    }
    EXPECT_TRUE(set->Err().ok());
    return out;
  }

  RecordingLog log_;
  std::unique_ptr<Head> head_;
  const Labels a_{{"__name__", "m"}, {"i", "a"}};
  const Labels b_{{"__name__", "m"}, {"i", "b"}};
};

TEST_F(HeadTest, CommitLogsSeriesThenSamplesThenMakesVisible) {
  std::unique_ptr<Appender> app = head_->NewAppender();
  absl::StatusOr<SeriesRef> ra = app->Append(0, a_, 1000, 1);
  absl::StatusOr<SeriesRef> rb = app->Append(0, b_, 1000, 2);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(*ra, 1u);
  EXPECT_EQ(*rb, 2u);
  // The ref is a hint: labels are not even needed.
  ASSERT_EQ(*app->Append(*ra, Labels(), 2000, 3), *ra);
  EXPECT_THAT(Query({Eq("__name__", "m")}), IsEmpty());  // not yet committed
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(log_.events,
              ElementsAre("series {__name__=\"m\", i=\"a\"}", "series {__name__=\"m\", i=\"b\"}",
                          "sample 1 1000", "sample 2 1000", "sample 1 2000"));
  EXPECT_THAT(
      Query({Eq("__name__", "m")}),
      ElementsAre(Pair("{__name__=\"m\", i=\"a\"}", ElementsAre(Sample(1000, 1), Sample(2000, 3))),
                  Pair("{__name__=\"m\", i=\"b\"}", ElementsAre(Sample(1000, 2)))));
  EXPECT_EQ(head_->MinTime(), 1000);
  EXPECT_EQ(head_->MaxTime(), 2000);
  EXPECT_EQ(head_->NumSeries(), 2u);
  // Spent.
  EXPECT_FALSE(app->Commit().ok());
  EXPECT_FALSE(app->Append(0, a_, 3000, 1).ok());
}

TEST_F(HeadTest, UnknownRefFallsBackToLabels) {
  ASSERT_TRUE(Add(a_, 1000, 1).ok());
  std::unique_ptr<Appender> app = head_->NewAppender();
  EXPECT_EQ(*app->Append(12345, a_, 2000, 1), 1u);
  EXPECT_EQ(app->Append(12345, Labels(), 2000, 1).status().message(), "empty labelset");
  ASSERT_TRUE(app->Commit().ok());
}

TEST_F(HeadTest, AppendErrors) {
  ASSERT_TRUE(Add(a_, 10000, 1).ok());
  std::unique_ptr<Appender> app = head_->NewAppender();
  absl::Status s = app->Append(0, a_, 9000, 1).status();
  EXPECT_TRUE(IsOutOfOrder(s)) << s;
  EXPECT_EQ(s.message(), "out of order sample");
  s = app->Append(0, a_, 10000, 2).status();
  EXPECT_TRUE(IsDuplicateSample(s)) << s;
  EXPECT_EQ(s.message(), "duplicate sample for timestamp");
  // The same value at the same timestamp is accepted and ignored.
  EXPECT_TRUE(app->Append(0, a_, 10000, 1).ok());
  // Older than half a chunk range (1h) behind the head's newest sample.
  s = app->Append(0, b_, 10000 - 3600 * 1000 - 1, 1).status();
  EXPECT_TRUE(IsOutOfBounds(s)) << s;
  EXPECT_EQ(s.message(), "out of bounds");
  // Failed samples leave the batch usable.
  EXPECT_TRUE(app->Append(0, a_, 11000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(Query({Eq("i", "a")}),
              ElementsAre(Pair(testing::_, ElementsAre(Sample(10000, 1), Sample(11000, 1)))));
}

TEST_F(HeadTest, DuplicateComparesBits) {
  ASSERT_TRUE(Add(a_, 1000, StaleNaN()).ok());
  std::unique_ptr<Appender> app = head_->NewAppender();
  EXPECT_TRUE(app->Append(0, a_, 1000, StaleNaN()).ok());
  EXPECT_TRUE(IsDuplicateSample(app->Append(0, a_, 1000, std::nan("")).status()));
  app->Rollback();
  auto got = Query({Eq("i", "a")});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].second.size(), 1u);
  EXPECT_TRUE(IsStaleNaN(got[0].second[0].second));
}

TEST_F(HeadTest, RollbackDiscards) {
  std::unique_ptr<Appender> app = head_->NewAppender();
  ASSERT_TRUE(app->Append(0, a_, 1000, 1).ok());
  app->Rollback();
  // The series stays in the head until truncation, so its record is logged; its sample is not.
  EXPECT_THAT(log_.events, ElementsAre("series " + a_.ToString()));
  EXPECT_THAT(Query({Eq("i", "a")}), IsEmpty());
  EXPECT_EQ(head_->MaxTime(), INT64_MIN);
  // An appender dropped without Commit rolls back too.
  { ASSERT_TRUE(head_->NewAppender()->Append(0, a_, 2000, 1).ok()); }
  EXPECT_THAT(Query({Eq("i", "a")}), IsEmpty());
  // The empty series is collected by the next truncation.
  head_->Truncate(0);
  EXPECT_EQ(head_->NumSeries(), 0u);
}

TEST_F(HeadTest, LogFailureAbortsCommit) {
  log_.fail = true;
  std::unique_ptr<Appender> app = head_->NewAppender();
  ASSERT_TRUE(app->Append(0, a_, 1000, 1).ok());
  EXPECT_EQ(app->Commit().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Query({Eq("i", "a")}), IsEmpty());
}

TEST_F(HeadTest, ConcurrentBatchesDropInvalidatedSamplesAtCommit) {
  ASSERT_TRUE(Add(a_, 1000, 1).ok());
  std::unique_ptr<Appender> first = head_->NewAppender();
  std::unique_ptr<Appender> second = head_->NewAppender();
  ASSERT_TRUE(first->Append(0, a_, 3000, 1).ok());
  ASSERT_TRUE(second->Append(0, a_, 2000, 1).ok());
  ASSERT_TRUE(first->Commit().ok());
  ASSERT_TRUE(second->Commit().ok());  // 2000 is now out of order: dropped and counted
  EXPECT_EQ(head_->commit_drops().out_of_order, 1u);
  EXPECT_THAT(Query({Eq("i", "a")}),
              ElementsAre(Pair(testing::_, ElementsAre(Sample(1000, 1), Sample(3000, 1)))));
}

TEST_F(HeadTest, RefusalsAtAppendAndCommitAreCountedByReasonButDuplicatesAreNot) {
  ASSERT_TRUE(Add(a_, 1000, 1).ok());
  std::unique_ptr<Appender> first = head_->NewAppender();
  std::unique_ptr<Appender> second = head_->NewAppender();
  EXPECT_TRUE(IsOutOfOrder(first->Append(0, a_, 500, 1).status()));
  EXPECT_TRUE(IsDuplicateSample(first->Append(0, a_, 1000, 2).status()));
  ASSERT_TRUE(first->Append(0, a_, 3000, 1).ok());
  ASSERT_TRUE(second->Append(0, a_, 2000, 1).ok());
  ASSERT_TRUE(second->Append(0, a_, 3000, 2).ok());
  ASSERT_TRUE(first->Commit().ok());
  ASSERT_TRUE(second->Commit().ok());  // 2000 is out of order, 3000 a duplicate
  const RefusedSampleCounts drops = head_->commit_drops();
  EXPECT_EQ(drops.out_of_order, 1u);
  EXPECT_EQ(drops.duplicate, 1u);
  EXPECT_EQ(drops.out_of_bounds + drops.too_old, 0u);
  const HeadCounters counters = head_->counters();
  EXPECT_EQ(counters.out_of_order_rejected, 2u);  // one at Append, one at Commit
  EXPECT_EQ(counters.out_of_bounds_rejected + counters.too_old_rejected, 0u);
}

TEST_F(HeadTest, OutOfOrderWindow) {
  MakeHead(/*ooo_window=*/600000);
  ASSERT_TRUE(Add(a_, 1000000, 1).ok());
  ASSERT_TRUE(Add(a_, 1010000, 2).ok());
  std::unique_ptr<Appender> app = head_->NewAppender();
  EXPECT_TRUE(app->Append(0, a_, 1005000, 3).ok());
  EXPECT_TRUE(app->Append(0, a_, 410000, 4).ok());  // the window edge: 1010000 - 600000
  EXPECT_TRUE(IsTooOldSample(app->Append(0, a_, 409999, 5).status()));
  AppendOptions strict;
  strict.discard_out_of_order = true;
  EXPECT_TRUE(IsOutOfOrder(app->Append(0, a_, 1004000, 6, strict).status()));
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_->MinTime(), 410000);
  // Duplicates inside the out-of-order samples.
  EXPECT_TRUE(Add(a_, 1005000, 3).ok());
  EXPECT_TRUE(IsDuplicateSample(Add(a_, 1005000, 7).status()));
  EXPECT_THAT(Query({Eq("i", "a")}),
              ElementsAre(Pair(testing::_, ElementsAre(Sample(410000, 4), Sample(1000000, 1),
                                                       Sample(1005000, 3), Sample(1010000, 2)))));
  // Merged reads honour the range and Seek.
  EXPECT_THAT(Query({Eq("i", "a")}, 600000, 1005000),
              ElementsAre(Pair(testing::_, ElementsAre(Sample(1000000, 1), Sample(1005000, 3)))));
  auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = q->Select({}, std::vector<Matcher>{Eq("i", "a")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator();
  ASSERT_EQ(it->Seek(1000001), ValueType::kFloat);
  EXPECT_EQ(it->At(), Sample(1005000, 3));
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_EQ(it->At(), Sample(1010000, 2));
  EXPECT_EQ(it->Next(), ValueType::kNone);
}

TEST_F(HeadTest, SelectSortsByLabelsAndRespectsRange) {
  const Labels c{{"__name__", "a_metric"}};
  ASSERT_TRUE(Add(b_, 1000, 1).ok());
  ASSERT_TRUE(Add(a_, 1000, 1).ok());
  ASSERT_TRUE(Add(c, 5000, 1).ok());
  auto got = Query({M(MatchType::kRegexp, "__name__", ".+")});
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].first, "{__name__=\"a_metric\"}");
  EXPECT_EQ(got[1].first, "{__name__=\"m\", i=\"a\"}");
  EXPECT_EQ(got[2].first, "{__name__=\"m\", i=\"b\"}");
  // Series without samples in range are left out.
  got = Query({M(MatchType::kRegexp, "__name__", ".+")}, 2000, 6000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, "{__name__=\"a_metric\"}");
  // Hints narrow the range further.
  auto q = *head_->NewQuerier(0, 10000);
  SelectHints hints;
  hints.start = 0;
  hints.end = 1000;
  auto set = q->Select(hints, std::vector<Matcher>{Eq("__name__", "a_metric")});
  EXPECT_FALSE(set->Next());
}

TEST_F(HeadTest, SelectSortsByLabelsAsSeriesComeAndGo) {
  // Selects of many series sort by the head's cached label order; series added after it was
  // built are merged in, and enough of them rebuild it. Labels arrive in scrambled order.
  auto add = [&](int from, int to, Timestamp t) {
    for (int k = from; k < to; ++k) {
      const unsigned x = static_cast<unsigned>(k) * 2654435761u;
      const std::string i = std::to_string(x % 997), j = std::to_string(x % 7);
      const std::string n = std::to_string(k);
      Labels l = k % 3 == 0 ? Labels{{"__name__", "m"}, {"i", i}, {"j", j}, {"k", n}}
                            : Labels{{"__name__", "m"}, {"i", i}, {"k", n}};
      ASSERT_TRUE(Add(l, t, 1).ok());
    }
  };
  auto select = [&](const std::vector<Matcher>& matchers) {
    auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
    auto set = q->Select({}, matchers);
    std::vector<Labels> got;
    while (set->Next()) got.push_back(set->At().labels());
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
    EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end());
    return got;
  };
  // Checks that every series is there, and that a regex Select (a few ranked series found by
  // binary search) is the matching part of it in the same order.
  auto check = [&](size_t want) {
    std::vector<Labels> all = select({Eq("__name__", "m")});
    EXPECT_EQ(all.size(), want);
    std::erase_if(all, [](const Labels& l) {
      const std::string_view i = l.Get("i");
      return !(i.size() == 3 && i[0] == '1' && i[1] <= '2');
    });
    EXPECT_GE(all.size(), 64u);
    EXPECT_EQ(select({M(MatchType::kRegexp, "i", "1[0-2].")}), all);
  };
  add(0, 3000, 1000);
  check(3000);            // builds the order
  add(3000, 3500, 2000);  // too few to rebuild: merged
  check(3500);
  add(3500, 5500, 2000);  // rebuilds
  check(5500);
  head_->Truncate(1500);  // the first 3000 go; the order still ranks the rest
  check(2500);
  add(0, 1100, 3000);  // back with new refs, too few of the head's series to rebuild: merged
  check(3600);
}

TEST_F(HeadTest, SelectReturnsEachSeriesOwnLabels) {
  // Series with different numbers of labels and long values, selected few (sorted directly),
  // many (the first Select builds the cached order, the next uses it) and many after more were
  // added (merged with the ranked ones): every series comes with its own labels.
  std::vector<Labels> want;
  auto add = [&](int from, int to) {
    for (int k = from; k < to; ++k) {
      const std::string n = std::to_string(k);
      Labels l = k % 2 == 0 ? Labels{{"__name__", "m"}, {"k", n}}
                            : Labels{{"__name__", "m"},
                                     {"a_long_label_name", std::string(40 + k % 50, 'x')},
                                     {"k", n},
                                     {"z", "v" + n}};
      ASSERT_TRUE(Add(l, 1000, k).ok());
      want.push_back(l);
    }
  };
  auto check = [&](const Matcher& m) {
    auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
    auto set = q->Select({}, std::vector<Matcher>{m});
    std::vector<Labels> got;
    while (set->Next()) {
      got.push_back(set->At().labels());
      std::unique_ptr<SampleIterator> it = set->At().Iterator();
      ASSERT_EQ(it->Next(), ValueType::kFloat);
      EXPECT_EQ(std::to_string(static_cast<int>(it->At().second)), got.back().Get("k"));
    }
    std::vector<Labels> expected = want;
    std::erase_if(expected, [&m](const Labels& l) { return !m.Matches(l.Get(m.name())); });
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(got, expected);
  };
  add(0, 1500);
  check(Eq("__name__", "m"));
  check(Eq("__name__", "m"));
  check(M(MatchType::kRegexp, "k", "1."));
  add(1500, 1700);
  check(Eq("__name__", "m"));
  check(M(MatchType::kRegexp, "k", "1(4|5)[0-9]."));
}

TEST_F(HeadTest, IteratorSpansChunksAndSeeks) {
  for (Timestamp t = 0; t < 3600 * 1000; t += 15000) ASSERT_TRUE(Add(a_, t, t / 1000.0).ok());
  EXPECT_EQ(head_->ChunksOf(1).size(), 2u);  // 240 samples: 120 + 120
  auto got = Query({Eq("i", "a")}, 1785000, 1815000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_THAT(got[0].second,
              ElementsAre(Sample(1785000, 1785), Sample(1800000, 1800), Sample(1815000, 1815)));
  auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = q->Select({}, std::vector<Matcher>{Eq("i", "a")});
  ASSERT_TRUE(set->Next());
  auto it = set->At().Iterator();
  ASSERT_EQ(it->Seek(1790000), ValueType::kFloat);
  EXPECT_EQ(it->AtT(), 1800000);
  ASSERT_EQ(it->Seek(0), ValueType::kFloat);  // never backwards
  EXPECT_EQ(it->AtT(), 1800000);
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_EQ(it->AtT(), 1815000);
  EXPECT_EQ(it->Seek(3600 * 1000), ValueType::kNone);
  EXPECT_EQ(it->Next(), ValueType::kNone);
}

// Selects starting at every sample's time and around it, ending at the newest sample or
// earlier, read (by Next and by NextFloats) exactly the stored samples in range, however much
// of the first chunk a checkpoint lets the read skip: closed and open chunks of 120 samples,
// the newest closed one and the open one with checkpoints.
TEST_F(HeadTest, SelectFromAnyStartReadsTheSamplesInRange) {
  std::vector<Sample> want;
  double v = 1;
  for (int i = 0; i < 330; ++i) {
    const Timestamp t = 15000 * i + (i % 7 == 0 ? 3 : 0);
    v = i % 5 == 0 ? v : v * 1.37 + i;
    want.emplace_back(t, v);
    ASSERT_TRUE(Add(a_, t, v).ok());
  }
  ASSERT_EQ(head_->ChunksOf(1).size(), 3u);  // 120 + 120 + 90, the last open
  for (Timestamp maxt : {want.back().first, want[300].first, want[200].first}) {
    for (size_t i = 0; i < want.size(); ++i) {
      for (Timestamp d : {-1, 0, 1}) {
        const Timestamp mint = want[i].first + d;
        std::vector<Sample> expect;
        for (const Sample& s : want) {
          if (s.first >= mint && s.first <= maxt) expect.push_back(s);
        }
        auto q = *head_->NewQuerier(mint, maxt);
        auto set = q->Select({}, std::vector<Matcher>{Eq("i", "a")});
        if (expect.empty()) {
          EXPECT_FALSE(set->Next()) << mint;
          continue;
        }
        ASSERT_TRUE(set->Next()) << mint;
        std::vector<Sample> by_next;
        auto it = set->At().Iterator();
        while (it->Next() == ValueType::kFloat) by_next.push_back(it->At());
        EXPECT_TRUE(it->Err().ok());
        EXPECT_EQ(by_next, expect) << mint << " " << maxt;
        std::vector<Sample> by_batch;
        auto batch = set->At().Iterator();
        Timestamp ts[7];
        double vs[7];
        for (size_t n; (n = batch->NextFloats(ts, vs, 7)) > 0;) {
          for (size_t k = 0; k < n; ++k) by_batch.emplace_back(ts[k], vs[k]);
        }
        EXPECT_EQ(by_batch, expect) << mint << " " << maxt;
      }
    }
  }
}

// An iterator passed back to IteratorReusing, whatever state it was left in (fresh, read
// part-way, at the end), reads the next series exactly as a new iterator does: series of
// different lengths and chunk counts, one with out-of-order samples, read by Next, Seek and
// NextFloats. An iterator of another kind, or none, is replaced.
TEST_F(HeadTest, ReusedIteratorsReadWhatNewOnesRead) {
  MakeHead(/*ooo_window=*/3600 * 1000);
  std::vector<Labels> all;
  for (int s = 0; s < 6; ++s) all.push_back(Labels{{"__name__", "m"}, {"i", std::to_string(s)}});
  for (int i = 0; i < 40 + 70 * 5; ++i) {  // series s has 40 + 70 * s samples
    for (int s = 0; s < 6; ++s) {
      if (i < 40 + 70 * s) {
        ASSERT_TRUE(Add(all[s], 1000 + 15000 * i, s * 1000 + i * 1.5).ok());
      }
    }
  }
  ASSERT_TRUE(Add(all[3], 1000 + 15000 * 200 + 7, -1).ok());  // out of order
  class Other final : public SampleIterator {
   public:
    ValueType Next() override { return ValueType::kNone; }
    ValueType Seek(Timestamp) override { return ValueType::kNone; }
    std::pair<Timestamp, double> At() const override { return {}; }
    Timestamp AtT() const override { return 0; }
    absl::Status Err() const override { return absl::OkStatus(); }
  };
  // Reads a series: all of it by Next, or from a Seek by NextFloats, or only its first sample.
  auto read = [](SampleIterator* it, int how) {
    std::vector<Sample> out;
    if (how == 0) {
      while (it->Next() == ValueType::kFloat) out.push_back(it->At());
    } else if (how == 1) {
      if (it->Seek(1000 + 15000 * 50) == ValueType::kFloat) out.push_back(it->At());
      Timestamp ts[16];
      double vs[16];
      for (size_t n; (n = it->NextFloats(ts, vs, 16)) > 0;) {
        for (size_t k = 0; k < n; ++k) out.emplace_back(ts[k], vs[k]);
      }
    } else if (it->Next() == ValueType::kFloat) {
      out.push_back(it->At());
    }
    EXPECT_TRUE(it->Err().ok());
    return out;
  };
  for (Timestamp mint : {Timestamp{0}, Timestamp{1000 + 15000 * 100}}) {
    for (int how = 0; how < 3; ++how) {
      auto q = *head_->NewQuerier(mint, INT64_MAX);
      auto fresh_set = q->Select({}, std::vector<Matcher>{Eq("__name__", "m")});
      auto reuse_set = q->Select({}, std::vector<Matcher>{Eq("__name__", "m")});
      std::unique_ptr<SampleIterator> it = std::make_unique<Other>();
      int n = 0;
      while (fresh_set->Next()) {
        ASSERT_TRUE(reuse_set->Next());
        const int mode = (how + n) % 3;  // leaves the reused iterator in varying states
        const std::vector<Sample> want = read(fresh_set->At().Iterator().get(), mode);
        SampleIterator* before = it.get();
        it = reuse_set->At().IteratorReusing(std::move(it));
        ASSERT_NE(it, nullptr);
        if (n > 0) {
          EXPECT_EQ(it.get(), before);  // reused, not reallocated
        }
        EXPECT_EQ(read(it.get(), mode), want) << n << " " << how;
        ++n;
      }
      EXPECT_FALSE(reuse_set->Next());
      EXPECT_EQ(n, mint == 0 ? 6 : 5);
      auto set = q->Select({}, std::vector<Matcher>{Eq("__name__", "m")});
      ASSERT_TRUE(set->Next());
      EXPECT_FALSE(read(set->At().IteratorReusing(nullptr).get(), 0).empty());
    }
  }
}

TEST_F(HeadTest, ReadersKeepTheirSnapshot) {
  ASSERT_TRUE(Add(a_, 1000, 1).ok());
  auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = q->Select({}, std::vector<Matcher>{Eq("i", "a")});
  ASSERT_TRUE(Add(a_, 2000, 2).ok());
  head_->Truncate(5000);  // the series is gone from the head ...
  EXPECT_EQ(head_->NumSeries(), 0u);
  ASSERT_TRUE(set->Next());  // ... but the selected snapshot still reads
  auto it = set->At().Iterator();
  ASSERT_EQ(it->Next(), ValueType::kFloat);
  EXPECT_EQ(it->At(), Sample(1000, 1));
  EXPECT_EQ(it->Next(), ValueType::kNone);
}

TEST_F(HeadTest, LabelNamesAndValues) {
  ASSERT_TRUE(Add(a_, 1000, 1).ok());
  ASSERT_TRUE(Add(Labels{{"__name__", "n"}, {"zone", "eu"}, {"i", "c"}}, 1000, 1).ok());
  auto q = *head_->NewQuerier(0, 2000);
  EXPECT_THAT(*q->LabelNames({}), ElementsAre("__name__", "i", "zone"));
  EXPECT_THAT(*q->LabelNames(std::vector<Matcher>{Eq("__name__", "m")}),
              ElementsAre("__name__", "i"));
  EXPECT_THAT(*q->LabelValues("i", {}), ElementsAre("a", "c"));
  EXPECT_THAT(*q->LabelValues("i", std::vector<Matcher>{Eq("zone", "eu")}), ElementsAre("c"));
  EXPECT_THAT(*q->LabelValues("zone", std::vector<Matcher>{Eq("__name__", "m")}), IsEmpty());
  // Outside the head's time range there is nothing.
  auto later = *head_->NewQuerier(5000, 6000);
  EXPECT_THAT(*later->LabelNames({}), IsEmpty());
  EXPECT_THAT(*later->LabelValues("i", {}), IsEmpty());
}

TEST_F(HeadTest, TruncateDropsChunksAndCollectsSeries) {
  // a: two chunks (0..1785000, 1800000..3585000); b: one early sample.
  for (Timestamp t = 0; t < 3600 * 1000; t += 15000) ASSERT_TRUE(Add(a_, t, 1).ok());
  ASSERT_TRUE(Add(b_, 1000000, 1).ok());
  ASSERT_EQ(head_->NumSeries(), 2u);
  head_->Truncate(1800000);
  EXPECT_EQ(head_->NumSeries(), 1u);
  EXPECT_EQ(head_->MinTime(), 1800000);
  EXPECT_THAT(head_->ChunksOf(1), ElementsAre(ChunkMeta{1800000, 3585000, 120}));
  EXPECT_THAT(head_->ChunksOf(2), IsEmpty());
  auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_THAT(*q->LabelValues("i", {}), ElementsAre("a"));
  auto got = Query({Eq("__name__", "m")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second.front().first, 1800000);
  // Below the truncation point appends are out of bounds, even for new series.
  EXPECT_TRUE(IsOutOfBounds(Add(b_, 1799999, 1).status()));
  // A series that comes back gets a new ref.
  EXPECT_EQ(*Add(b_, 3600000, 1), 3u);
}

TEST_F(HeadTest, PinnedSeriesSurviveTruncation) {
  ASSERT_TRUE(Add(a_, 1000, 1).ok());
  std::unique_ptr<Appender> app = head_->NewAppender();
  ASSERT_TRUE(app->Append(0, a_, 2000, 1).ok());
  head_->Truncate(1500);  // a has no samples left, but the open batch holds it
  EXPECT_EQ(head_->NumSeries(), 1u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(Query({Eq("i", "a")}), ElementsAre(Pair(testing::_, ElementsAre(Sample(2000, 1)))));
}

TEST_F(HeadTest, AppendThroughPinnedSeries) {
  const SeriesRef ref = *Add(a_, 1000, 1);
  std::unique_ptr<Appender> app = head_->NewAppender();
  auto* pinning = dynamic_cast<PinningAppender*>(app.get());
  ASSERT_NE(pinning, nullptr);
  EXPECT_FALSE(pinning->PinSeries(ref + 100));  // unknown ref: nothing pinned
  PinnedSeries pinned = pinning->PinSeries(ref);
  ASSERT_TRUE(pinned);
  EXPECT_EQ(*pinning->AppendPinned(pinned, 2000, 2), ref);
  // The same checks as Append: out of order, duplicate (same time, other value).
  EXPECT_TRUE(IsOutOfOrder(pinning->AppendPinned(pinned, 500, 2).status()));
  EXPECT_TRUE(IsDuplicateSample(pinning->AppendPinned(pinned, 1000, 3).status()));
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(log_.events, ElementsAre(testing::_, "sample 1 1000", "sample 1 2000"));
  EXPECT_THAT(Query({Eq("i", "a")}),
              ElementsAre(Pair(testing::_, ElementsAre(Sample(1000, 1), Sample(2000, 2)))));

  // Below the truncation point a pinned series is out of bounds too.
  head_->Truncate(5000);
  app = head_->NewAppender();
  pinning = dynamic_cast<PinningAppender*>(app.get());
  EXPECT_TRUE(IsOutOfBounds(pinning->AppendPinned(pinned, 4000, 1).status()));
  // Emptied by the truncation, the series stays while pinned and still takes samples.
  EXPECT_EQ(head_->NumSeries(), 1u);
  EXPECT_EQ(*pinning->AppendPinned(pinned, 6000, 3), ref);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(Query({Eq("i", "a")}), ElementsAre(Pair(testing::_, ElementsAre(Sample(6000, 3)))));

  // Unpinned and emptied, the next truncation collects it.
  pinned.Reset();
  EXPECT_FALSE(pinned);
  head_->Truncate(7000);
  EXPECT_EQ(head_->NumSeries(), 0u);
}

TEST_F(HeadTest, RolledBackPinnedAppendLeavesTheSeriesPinnedOnce) {
  const SeriesRef ref = *Add(a_, 1000, 1);
  PinnedSeries pinned;
  {
    std::unique_ptr<Appender> app = head_->NewAppender();
    auto* pinning = dynamic_cast<PinningAppender*>(app.get());
    pinned = pinning->PinSeries(ref);
    ASSERT_TRUE(pinning->AppendPinned(pinned, 2000, 2).ok());
    app->Rollback();
  }
  head_->Truncate(3000);
  EXPECT_EQ(head_->NumSeries(), 1u);  // still pinned by `pinned`
  PinnedSeries moved = std::move(pinned);
  EXPECT_FALSE(pinned);  // a moved-from PinnedSeries is empty
  moved = PinnedSeries();
  head_->Truncate(3000);
  EXPECT_EQ(head_->NumSeries(), 0u);
}

TEST_F(HeadTest, MetadataSelectListsTheSeriesWithSamplesInRangeWithoutSamples) {
  MakeHead(/*ooo_window=*/10 * 3600 * 1000);
  // a: a closed chunk 0..1785000 and the open one 1800000..3585000; b: one sample (open chunk);
  // c: an in-order sample at 5000000 and an out-of-order one at 100000.
  for (Timestamp t = 0; t < 3600 * 1000; t += 15000) ASSERT_TRUE(Add(a_, t, 1).ok());
  ASSERT_TRUE(Add(b_, 1000000, 1).ok());
  const Labels c{{"__name__", "m"}, {"i", "c"}};
  ASSERT_TRUE(Add(c, 5000000, 1).ok());
  ASSERT_TRUE(Add(c, 4900000, 1).ok());
  ASSERT_TRUE(Add(c, 100000, 1).ok());
  auto q = *head_->NewQuerier(INT64_MIN, INT64_MAX);
  auto select = [&](Timestamp start, Timestamp end, std::string func) {
    SelectHints hints;
    hints.start = start;
    hints.end = end;
    hints.func = std::move(func);
    auto set = q->Select(hints, std::vector<Matcher>{Eq("__name__", "m")});
    std::vector<std::string> got;
    while (set->Next()) {
      got.emplace_back(set->At().labels().Get("i"));
      auto it = set->At().Iterator();
      // A metadata Select reads no samples; a full one reads at least one in range.
      if (hints.func == "series") {
        EXPECT_EQ(it->Next(), ValueType::kNone) << got.back();
      } else {
        EXPECT_EQ(it->Next(), ValueType::kFloat) << got.back();
      }
      EXPECT_TRUE(it->Err().ok());
    }
    EXPECT_TRUE(set->Err().ok());
    return got;
  };
  const struct {
    Timestamp start, end;
    std::vector<std::string> want;
  } cases[] = {
      {1790000, 1795000, {}},          // between a's chunks, before c's in-order samples
      {90000, 110000, {"a", "c"}},     // a's closed chunk, c's out-of-order sample
      {1000000, 1005000, {"a", "b"}},  // a's closed chunk, b's open chunk
      {3000000, 6000000, {"a", "c"}},  // a's open chunk, c's in-order samples
      {6000000, 7000000, {}},          // after everything
  };
  for (const auto& tc : cases) {
    EXPECT_EQ(select(tc.start, tc.end, "series"), tc.want) << tc.start << ".." << tc.end;
    EXPECT_EQ(select(tc.start, tc.end, ""), tc.want) << tc.start << ".." << tc.end;
  }
}

}  // namespace
}  // namespace sundial::tsdb
