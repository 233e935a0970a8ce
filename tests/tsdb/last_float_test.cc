// SampleIterator::LastFloatIn on head iterators: the same sample as reading the window with
// Next(), whether the head answers from its snapshot's newest sample or decodes.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/head.h"
#include "tsdb/value.h"

namespace sundial::tsdb {
namespace {

using Sample = std::pair<Timestamp, double>;

// An iterator over the one series "m" of a querier over [mint, maxt], with what it reads from.
struct Reader {
  Reader(Head& head, Timestamp mint, Timestamp maxt) : querier(*head.NewQuerier(mint, maxt)) {
    const Matcher m = *Matcher::Create(MatchType::kEqual, "__name__", "m");
    set = querier->Select(SelectHints{}, std::span<const Matcher>(&m, 1));
    EXPECT_TRUE(set->Next());
    it = set->At().Iterator();
  }
  std::unique_ptr<Querier> querier;
  std::unique_ptr<SeriesSet> set;
  std::unique_ptr<SampleIterator> it;
};

// The newest sample in [mint, maxt] of a querier over [qmint, qmaxt], by Next().
std::optional<Sample> ByNext(Head& head, Timestamp qmint, Timestamp qmaxt, Timestamp mint,
                             Timestamp maxt) {
  Reader r(head, qmint, qmaxt);
  std::optional<Sample> last;
  while (r.it->Next() == ValueType::kFloat) {
    if (r.it->AtT() >= mint && r.it->AtT() <= maxt) last = r.it->At();
  }
  EXPECT_TRUE(r.it->Err().ok()) << r.it->Err();
  return last;
}

std::optional<Sample> ByLastFloatIn(Head& head, Timestamp qmint, Timestamp qmaxt, Timestamp mint,
                                    Timestamp maxt) {
  Reader r(head, qmint, qmaxt);
  std::optional<Sample> last = r.it->LastFloatIn(mint, maxt);
  EXPECT_TRUE(r.it->Err().ok()) << r.it->Err();
  return last;
}

void Append(Head& head, Timestamp t, double v) {
  LabelsBuilder b;
  b.Set("__name__", "m");
  std::unique_ptr<Appender> app = head.NewAppender();
  ASSERT_TRUE(app->Append(0, b.Build(), t, v).ok());
  ASSERT_TRUE(app->Commit().ok());
}

TEST(LastFloatTest, HeadAgreesWithNextInEveryWindow) {
  HeadOptions options;
  options.out_of_order_window_ms = 3600 * 1000;
  options.chunks.samples_per_chunk = 50;  // several closed chunks and an open one
  Head head(options);
  for (int i = 0; i < 300; ++i) Append(head, Timestamp{i} * 10000, i * 0.5);
  // Out-of-order samples between in-order ones, the newest just before the newest in-order one.
  for (int i = 0; i < 20; ++i) Append(head, 2000001 + Timestamp{i} * 50000, -i);
  Append(head, 2989999, -100);
  const Timestamp newest = 299 * 10000;
  const std::vector<std::pair<Timestamp, Timestamp>> windows = {
      {INT64_MIN, INT64_MAX},
      {newest - 300000 + 1, newest},  // the newest sample
      {newest, newest},
      {newest + 1, INT64_MAX},  // nothing at or after
      {newest - 300000, newest - 1},
      {2000000, 2100000},  // before the newest: decoded
      {0, 5},
      {123, 456},
  };
  const std::vector<std::pair<Timestamp, Timestamp>> queriers = {
      {INT64_MIN, INT64_MAX}, {0, newest - 10000}, {2500000, INT64_MAX}};
  for (auto [qmint, qmaxt] : queriers) {
    for (auto [mint, maxt] : windows) {
      EXPECT_EQ(ByLastFloatIn(head, qmint, qmaxt, mint, maxt),
                ByNext(head, qmint, qmaxt, mint, maxt))
          << "querier " << qmint << ".." << qmaxt << " window " << mint << ".." << maxt;
    }
  }
  EXPECT_EQ(ByLastFloatIn(head, INT64_MIN, INT64_MAX, 0, INT64_MAX), Sample(newest, 299 * 0.5));
}

// Windows that end at, between and before the two newest samples, with the open chunk just cut
// (one sample), and with an out-of-order sample between the two newest.
TEST(LastFloatTest, WindowsEndingNearTheNewestSamples) {
  for (int n : {1, 2, 3, 49, 50, 51, 52, 120}) {
    for (bool ooo : {false, true}) {
      HeadOptions options;
      options.out_of_order_window_ms = 3600 * 1000;
      options.chunks.samples_per_chunk = 50;
      Head head(options);
      for (int i = 1; i <= n; ++i) Append(head, Timestamp{i} * 10000, i);
      const Timestamp newest = Timestamp{n} * 10000, prev = newest - 10000;
      if (ooo && n >= 2) Append(head, newest - 5000, -1);
      for (Timestamp end : {newest + 1, newest, newest - 1, newest - 5000, prev, prev - 1}) {
        for (Timestamp lookback : {Timestamp{300000}, Timestamp{10000}, Timestamp{1}}) {
          EXPECT_EQ(ByLastFloatIn(head, INT64_MIN, INT64_MAX, end - lookback + 1, end),
                    ByNext(head, INT64_MIN, INT64_MAX, end - lookback + 1, end))
              << n << " samples, ooo " << ooo << ", window ending " << end << " lookback "
              << lookback;
        }
      }
    }
  }
}

TEST(LastFloatTest, StaleMarkerIsReturnedBitForBit) {
  Head head;
  Append(head, 1000, 1);
  Append(head, 2000, StaleNaN());
  std::optional<Sample> last = ByLastFloatIn(head, INT64_MIN, INT64_MAX, 0, 5000);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->first, 2000);
  EXPECT_TRUE(IsStaleNaN(last->second));
}

TEST(LastFloatTest, AnIteratorKeepsItsSnapshot) {
  Head head;
  Append(head, 1000, 1);
  Reader r(head, INT64_MIN, INT64_MAX);
  Append(head, 2000, 2);  // after the Select
  EXPECT_EQ(r.it->LastFloatIn(0, 5000), Sample(1000, 1));
  // Used up afterwards.
  EXPECT_EQ(r.it->Next(), ValueType::kNone);
}

}  // namespace
}  // namespace sundial::tsdb
