// NextFloats of the iterators a query over blocks goes through (a block's, the merge of blocks
// and the head, the head tombstone filter) reads exactly what Next()/At()/Seek() read, in any
// mix with them.
#include <algorithm>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/file_system.h"
#include "gtest/gtest.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/tombstones.h"
#include "tsdb/compact/merge_querier.h"
#include "tsdb/compact/test_storage.h"
#include "tsdb/db/tombstone_querier.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

using block::Interval;
using testing_storage::Sample;
using testing_storage::SeriesData;
using testing_storage::VectorQuerier;
using MakeIterator = std::function<std::unique_ptr<SampleIterator>()>;

// A querier shared with the test, so several merges can read the same parts.
class SharedQuerier final : public Querier {
 public:
  explicit SharedQuerier(std::shared_ptr<Querier> q) : q_(std::move(q)) {}
  std::unique_ptr<SeriesSet> Select(const SelectHints& h, std::span<const Matcher> m) override {
    return q_->Select(h, m);
  }
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> m) override {
    return q_->LabelNames(m);
  }
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view n,
                                                       std::span<const Matcher> m) override {
    return q_->LabelValues(n, m);
  }

 private:
  std::shared_ptr<Querier> q_;
};

const Labels& TheSeries() {
  static const Labels* l = new Labels{{"__name__", "m"}, {"job", "j"}};
  return *l;
}

// The one series of q in [mint, maxt] as a fresh iterator each call (the querier is kept).
MakeIterator IteratorsOf(std::shared_ptr<Querier> q, Timestamp mint, Timestamp maxt) {
  return [q, mint, maxt]() -> std::unique_ptr<SampleIterator> {
    SelectHints hints;
    hints.start = mint;
    hints.end = maxt;
    const Matcher m = *Matcher::Create(MatchType::kEqual, "__name__", "m");
    // The set must outlive the iterator: keep both in one holder.
    struct Holder final : SampleIterator {
      std::unique_ptr<SeriesSet> set;
      std::unique_ptr<SampleIterator> it;
      ValueType Next() override { return it->Next(); }
      ValueType Seek(Timestamp t) override { return it->Seek(t); }
      std::pair<Timestamp, double> At() const override { return it->At(); }
      Timestamp AtT() const override { return it->AtT(); }
      absl::Status Err() const override { return it->Err(); }
      size_t NextFloats(Timestamp* t, double* v, size_t n) override {
        return it->NextFloats(t, v, n);
      }
    };
    auto h = std::make_unique<Holder>();
    h->set = q->Select(hints, std::span<const Matcher>(&m, 1));
    if (!h->set->Next()) return nullptr;
    h->it = h->set->At().Iterator();
    return h;
  };
}

std::vector<Sample> ReadNext(const MakeIterator& make) {
  std::vector<Sample> out;
  std::unique_ptr<SampleIterator> it = make();
  if (it == nullptr) return out;
  while (it->Next() == ValueType::kFloat) out.push_back(it->At());
  EXPECT_TRUE(it->Err().ok()) << it->Err();
  return out;
}

// Reads with a random mix of Next(), Seek() and NextFloats() and checks each answer against
// the samples Next()/At() alone read (want).
void CheckMixedReads(const MakeIterator& make, const std::vector<Sample>& want, uint64_t seed,
                     const std::string& what) {
  std::mt19937_64 rng(seed);
  const Timestamp first = want.empty() ? 0 : want.front().first;
  const Timestamp last = want.empty() ? 0 : want.back().first;
  for (int round = 0; round < 20; ++round) {
    std::unique_ptr<SampleIterator> it = make();
    ASSERT_NE(it, nullptr) << what;
    int64_t pos = -1;  // index in want of the current sample
    std::vector<Timestamp> t(300);
    std::vector<double> v(300);
    for (int op = 0; op < 400 && pos < static_cast<int64_t>(want.size()); ++op) {
      const int kind = static_cast<int>(rng() % 8);
      const std::string where = what + " round " + std::to_string(round) + " op " +
                                std::to_string(op) + " pos " + std::to_string(pos);
      if (kind == 0) {
        const ValueType vt = it->Next();
        ++pos;
        ASSERT_EQ(vt == ValueType::kFloat, pos < static_cast<int64_t>(want.size())) << where;
        if (vt == ValueType::kFloat) {
          ASSERT_EQ(it->At(), want[pos]) << where;
        }
      } else if (kind == 1) {
        const Timestamp target =
            first - 5 + static_cast<Timestamp>(rng() % static_cast<uint64_t>(last - first + 10));
        if (pos < 0 || want[pos].first < target) {
          pos = std::lower_bound(want.begin(), want.end(), target,
                                 [](const Sample& s, Timestamp x) { return s.first < x; }) -
                want.begin();
        }
        const ValueType vt = it->Seek(target);
        ASSERT_EQ(vt == ValueType::kFloat, pos < static_cast<int64_t>(want.size())) << where;
        if (vt == ValueType::kFloat) {
          ASSERT_EQ(it->At(), want[pos]) << where;
        }
      } else {
        const size_t n = 1 + rng() % (kind == 2 ? 3 : 300);
        const size_t got = it->NextFloats(t.data(), v.data(), n);
        const size_t left = want.size() - static_cast<size_t>(pos + 1);
        // These iterators fill a batch unless they reach the end.
        ASSERT_EQ(got, std::min(n, left)) << where;
        for (size_t i = 0; i < got; ++i) {
          ASSERT_EQ(Sample(t[i], v[i]), want[pos + 1 + i]) << where << " i " << i;
        }
        pos += static_cast<int64_t>(got);
        if (got < n) pos = static_cast<int64_t>(want.size());
        if (left == 0) break;
      }
    }
    EXPECT_TRUE(it->Err().ok()) << what;
  }
  // Batches alone, after a Seek as the selectors do.
  for (size_t batch : {1, 7, 256}) {
    std::unique_ptr<SampleIterator> it = make();
    std::vector<Sample> got;
    if (it->Seek(INT64_MIN) == ValueType::kFloat) got.push_back(it->At());
    std::vector<Timestamp> t(batch);
    std::vector<double> v(batch);
    for (size_t n; !got.empty() && (n = it->NextFloats(t.data(), v.data(), batch)) > 0;) {
      for (size_t i = 0; i < n; ++i) got.emplace_back(t[i], v[i]);
    }
    EXPECT_EQ(it->Next(), ValueType::kNone) << what;
    EXPECT_TRUE(it->Err().ok()) << what;
    EXPECT_EQ(got, want) << what << " batch " << batch;
  }
}

// Samples in [from, to), about `step` apart, values with repeats.
std::vector<Sample> Samples(Timestamp from, Timestamp to, Timestamp step, double base,
                            std::mt19937_64& rng) {
  std::vector<Sample> out;
  for (Timestamp t = from; t < to; t += step + static_cast<Timestamp>(rng() % 3)) {
    const double v = rng() % 5 == 0 ? base : base + static_cast<double>(rng() % 1000) / 8;
    out.emplace_back(t, v);
  }
  return out;
}

class BatchReadTest : public testing::Test {
 protected:
  // A block of `samples` (chunks of 40 samples) over [mint, maxt), with `deleted` tombstoned.
  std::shared_ptr<Querier> BlockQuerier(const std::vector<Sample>& samples, Timestamp mint,
                                        Timestamp maxt, const std::vector<Interval>& deleted = {}) {
    SeriesData data{{TheSeries(), samples}};
    VectorQuerier source(&data);
    block::BlockWriterOptions options;
    options.samples_per_chunk = 40;
    absl::StatusOr<block::BlockMeta> meta =
        block::WriteBlock(&fs_, "/data", source, mint, maxt, options);
    EXPECT_TRUE(meta.ok()) << meta.status();
    const std::string dir = JoinPath("/data", meta->ulid);
    if (!deleted.empty()) {
      block::Tombstones t;
      absl::StatusOr<std::shared_ptr<block::Block>> b = block::Block::Open(&fs_, dir);
      EXPECT_TRUE(b.ok()) << b.status();
      const Matcher m = *Matcher::Create(MatchType::kEqual, "__name__", "m");
      absl::StatusOr<Postings> ids = (*b)->index().PostingsForMatchers({&m, 1});
      EXPECT_TRUE(ids.ok() && ids->size() == 1);
      for (const Interval& iv : deleted) t.Add((*ids)[0], iv);
      EXPECT_TRUE(block::WriteTombstones(&fs_, dir, t).ok());
    }
    absl::StatusOr<std::shared_ptr<block::Block>> b = block::Block::Open(&fs_, dir);
    EXPECT_TRUE(b.ok()) << b.status();
    blocks_.push_back(*b);
    absl::StatusOr<std::unique_ptr<Querier>> q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
    EXPECT_TRUE(q.ok());
    return std::move(*q);
  }

  // Several queriers as one.
  static std::shared_ptr<Querier> Merged(const std::vector<std::shared_ptr<Querier>>& parts) {
    std::vector<std::unique_ptr<Querier>> qs;
    for (const auto& p : parts) qs.push_back(std::make_unique<SharedQuerier>(p));
    return NewMergeQuerier(std::move(qs));
  }

  // Checks reads of q over its whole range and parts of it.
  void CheckRanges(const std::shared_ptr<Querier>& q, const std::string& what) {
    const std::vector<Sample> all = ReadNext(IteratorsOf(q, INT64_MIN, INT64_MAX));
    ASSERT_GT(all.size(), 100u) << what;
    const Timestamp lo = all.front().first, hi = all.back().first, span = hi - lo;
    for (auto [mint, maxt] : {std::pair<Timestamp, Timestamp>{INT64_MIN, INT64_MAX},
                              {lo + span / 7, hi - span / 5},
                              {lo + span / 3, lo + span / 3 + span / 20},
                              {hi - span / 9, INT64_MAX}}) {
      const MakeIterator make = IteratorsOf(q, mint, maxt);
      const std::vector<Sample> want = ReadNext(make);
      ASSERT_FALSE(want.empty()) << what;
      for (const Sample& s : want) {
        ASSERT_GE(s.first, mint) << what;
        ASSERT_LE(s.first, maxt) << what;
      }
      CheckMixedReads(make, want, static_cast<uint64_t>(mint ^ maxt),
                      what + " [" + std::to_string(mint) + ", " + std::to_string(maxt) + "]");
    }
  }

  MemFileSystem fs_;
  std::vector<std::shared_ptr<block::Block>> blocks_;
  std::unique_ptr<Head> head_;  // outlives the queriers of a test
  std::mt19937_64 rng_{5};
};

TEST_F(BatchReadTest, OneBlockWithBoundsAndTombstones) {
  const std::vector<Sample> s = Samples(0, 3'600'000, 15000, 1, rng_);
  CheckRanges(BlockQuerier(s, 0, 7'200'000), "block");
  // Deleted: a chunk's first samples, one whole chunk, single samples, the tail.
  const std::vector<Interval> deleted = {{0, 30000},
                                         {1'800'000, 1'800'000 + 40 * 15000},
                                         {1'500'000, 1'500'002},
                                         {2'000'000, 2'040'000},
                                         {3'300'000, INT64_MAX}};
  CheckRanges(BlockQuerier(s, 0, 7'200'000, deleted), "block with tombstones");
}

TEST_F(BatchReadTest, DisjointBlocksAndHead) {
  std::vector<std::shared_ptr<Querier>> parts;
  for (int b = 0; b < 4; ++b) {
    const Timestamp from = b * 7'200'000;
    parts.push_back(
        BlockQuerier(Samples(from, from + 7'200'000, 30000, b, rng_), from, from + 7'200'000));
  }
  HeadOptions options;
  options.chunks.samples_per_chunk = 50;
  head_ = std::make_unique<Head>(options);
  std::unique_ptr<Appender> app = head_->NewAppender();
  for (const Sample& s : Samples(4 * 7'200'000, 5 * 7'200'000, 30000, 9, rng_)) {
    ASSERT_TRUE(app->Append(0, TheSeries(), s.first, s.second).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  parts.push_back(std::move(*head_->NewQuerier(INT64_MIN, INT64_MAX)));
  CheckRanges(Merged(parts), "blocks + head");
}

TEST_F(BatchReadTest, OverlappingSourcesWithDuplicates) {
  // Block A and B overlap in time; B repeats some of A's timestamps with other values (A wins)
  // and interleaves others; C lies inside both.
  std::vector<Sample> a, b, c;
  for (Timestamp t = 0; t < 3'000'000; t += 10000) a.emplace_back(t, 1.0 * t);
  for (Timestamp t = 1'000'000; t < 4'000'000; t += t < 2'000'000 ? 10000 : 7000) {
    b.emplace_back(t, -1.0 * t);
  }
  for (Timestamp t = 1'500'003; t < 1'700'000; t += 5000) c.emplace_back(t, 0.5);
  std::vector<std::shared_ptr<Querier>> parts = {
      BlockQuerier(a, 0, 7'200'000), BlockQuerier(b, 0, 7'200'000),
      BlockQuerier(c, 0, 7'200'000, {{1'600'000, 1'650'000}})};
  std::shared_ptr<Querier> q = Merged(parts);
  const std::vector<Sample> all = ReadNext(IteratorsOf(q, INT64_MIN, INT64_MAX));
  ASSERT_EQ(all[100], Sample(1'000'000, 1'000'000.0));  // A's sample wins the duplicate
  CheckRanges(q, "overlapping blocks");
}

TEST_F(BatchReadTest, ManyRandomSources) {
  // In-memory sources (their NextFloats is the default Next() loop) that overlap at random.
  std::vector<SeriesData> data(6);
  std::vector<std::unique_ptr<Querier>> qs;
  for (size_t i = 0; i < data.size(); ++i) {
    const Timestamp from = static_cast<Timestamp>(rng_() % 500000);
    const Timestamp to = from + 100000 + static_cast<Timestamp>(rng_() % 500000);
    data[i][TheSeries()] = Samples(from, to, 1000 + static_cast<Timestamp>(i) * 370, i, rng_);
    qs.push_back(std::make_unique<VectorQuerier>(&data[i]));
  }
  CheckRanges(std::shared_ptr<Querier>(NewMergeQuerier(std::move(qs))), "random sources");
}

TEST_F(BatchReadTest, HeadTombstonesOverMergedBlocks) {
  std::vector<std::shared_ptr<Querier>> parts;
  for (int b = 0; b < 3; ++b) {
    const Timestamp from = b * 7'200'000;
    parts.push_back(
        BlockQuerier(Samples(from, from + 7'200'000, 15000, b, rng_), from, from + 7'200'000));
  }
  HeadTombstones stones;
  std::vector<std::pair<Labels, Interval>> add;
  for (Interval iv : std::vector<Interval>{{0, 15000},
                                           {7'000'000, 7'400'000},
                                           {9'000'000, 9'000'000},
                                           {12'000'000, 12'600'000},
                                           {20'000'000, INT64_MAX}}) {
    add.emplace_back(TheSeries(), iv);
  }
  stones.Add(add);
  std::shared_ptr<Querier> q =
      NewTombstoneQuerier(std::make_unique<SharedQuerier>(Merged(parts)), stones.Snapshot());
  const std::vector<Sample> all = ReadNext(IteratorsOf(q, INT64_MIN, INT64_MAX));
  for (const Sample& s : all) {
    ASSERT_FALSE(s.first <= 15000 || (s.first >= 7'000'000 && s.first <= 7'400'000) ||
                 s.first >= 20'000'000)
        << s.first;
  }
  CheckRanges(q, "head tombstones over blocks");
}

}  // namespace
}  // namespace sundial::tsdb
