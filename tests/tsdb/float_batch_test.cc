#include <algorithm>
#include <memory>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/head.h"
#include "tsdb/xor_chunk.h"

namespace sundial::tsdb {
namespace {

using Sample = std::pair<Timestamp, double>;

Labels L(std::string_view name) {
  LabelsBuilder b;
  b.Set("__name__", name);
  return b.Build();
}

// The samples of the one series in [mint, maxt], read with Next()/At() (want) and with
// NextFloats in batches of `batch` after the first `singles` samples came from Next() (got).
std::pair<std::vector<Sample>, std::vector<Sample>> ReadBoth(Head& head, Timestamp mint,
                                                             Timestamp maxt, size_t batch,
                                                             int singles) {
  std::pair<std::vector<Sample>, std::vector<Sample>> out;
  for (int pass = 0; pass < 2; ++pass) {
    std::unique_ptr<Querier> q = *head.NewQuerier(mint, maxt);
    const Matcher m = *Matcher::Create(MatchType::kEqual, "__name__", "m");
    std::unique_ptr<SeriesSet> set = q->Select(SelectHints{}, std::span<const Matcher>(&m, 1));
    EXPECT_TRUE(set->Next());
    std::unique_ptr<SampleIterator> it = set->At().Iterator();
    std::vector<Sample>& dst = pass == 0 ? out.first : out.second;
    if (pass == 0) {
      while (it->Next() == ValueType::kFloat) dst.push_back(it->At());
    } else {
      bool more = true;
      for (int i = 0; i < singles && more; ++i) {
        more = it->Next() == ValueType::kFloat;
        if (more) dst.push_back(it->At());
      }
      std::vector<Timestamp> t(batch);
      std::vector<double> v(batch);
      for (size_t n; more && (n = it->NextFloats(t.data(), v.data(), batch)) > 0;) {
        for (size_t i = 0; i < n; ++i) dst.emplace_back(t[i], v[i]);
      }
      // Exhausted: further reads find nothing.
      EXPECT_EQ(it->Next(), ValueType::kNone);
    }
    EXPECT_TRUE(it->Err().ok()) << it->Err();
  }
  return out;
}

TEST(FloatBatchTest, XorNextBatchDecodesAsNext) {
  XorChunk c;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    // Regular steps with jitter and the odd huge gap (64-bit dods take the checked path).
    const Timestamp t = i * 15000 + static_cast<Timestamp>(rng() % 50) +
                        (i == 500 ? (Timestamp{1} << 40) : 0) +
                        (i > 500 ? (Timestamp{1} << 40) : 0);
    c.Append(t, i % 7 == 0 ? static_cast<double>(rng() % 1000) : i * 0.5);
  }
  std::vector<Sample> want;
  XorIterator a(c.bytes());
  while (a.Next() == ValueType::kFloat) want.push_back(a.At());
  for (size_t batch : {1, 3, 64, 1000, 2000}) {
    XorIterator b(c.bytes());
    std::vector<Timestamp> t(batch);
    std::vector<double> v(batch);
    std::vector<Sample> got;
    for (size_t n; (n = b.NextBatch(t.data(), v.data(), batch)) > 0;) {
      for (size_t i = 0; i < n; ++i) got.emplace_back(t[i], v[i]);
      EXPECT_EQ(b.At(), got.back());
    }
    EXPECT_TRUE(b.Err().ok());
    EXPECT_EQ(got, want) << "batch " << batch;
  }
}

TEST(FloatBatchTest, XorNextBatchReportsTruncation) {
  XorChunk c;
  for (int i = 0; i < 300; ++i) c.Append(i * 1000, i * 1.25);
  const std::string_view bytes = c.bytes();
  XorIterator it(bytes.substr(0, bytes.size() / 2));
  Timestamp t[512];
  double v[512];
  const size_t n = it.NextBatch(t, v, 512);
  EXPECT_LT(n, 300u);
  EXPECT_FALSE(it.Err().ok());
  EXPECT_EQ(it.NextBatch(t, v, 512), 0u);
}

TEST(FloatBatchTest, HeadBatchesEqualNextAcrossChunksOutOfOrderAndBounds) {
  HeadOptions options;
  options.out_of_order_window_ms = 3600 * 1000;
  options.chunks.samples_per_chunk = 50;  // many chunk boundaries
  Head head(options);
  const Labels l = L("m");
  std::mt19937_64 rng(11);
  for (int i = 0; i < 700; ++i) {
    std::unique_ptr<Appender> app = head.NewAppender();
    ASSERT_TRUE(app->Append(0, l, Timestamp{i} * 10000, i * 1.5).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  // Out-of-order samples in between (odd timestamps) in a part of the range.
  for (int i = 0; i < 40; ++i) {
    std::unique_ptr<Appender> app = head.NewAppender();
    const Timestamp t =
        6000001 + static_cast<Timestamp>(i) * 7000 + static_cast<Timestamp>(rng() % 6) * 1000;
    ASSERT_TRUE(app->Append(0, l, t, -1.0 * i).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  for (auto [mint, maxt] : {std::pair<Timestamp, Timestamp>{INT64_MIN, INT64_MAX},
                            {123456, 5432100},
                            {0, 1000000},
                            {5990000, 6300000},
                            {6900000, INT64_MAX}}) {
    for (size_t batch : {1, 7, 256}) {
      for (int singles : {0, 1, 5}) {
        auto [want, got] = ReadBoth(head, mint, maxt, batch, singles);
        EXPECT_FALSE(want.empty());
        EXPECT_EQ(got, want) << mint << ".." << maxt << " batch " << batch << " singles "
                             << singles;
      }
    }
  }
}

}  // namespace
}  // namespace sundial::tsdb
