#include <string>
#include <vector>

#include "base/big_endian.h"
#include "base/byte_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/block/block_test_util.h"
#include "tsdb/block/format.h"
#include "tsdb/block/index_reader.h"
#include "tsdb/block/index_writer.h"

namespace sundial::tsdb::block {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<IndexSeries> TestSeries() {
  std::vector<IndexSeries> s;
  uint64_t ref = 8;
  auto add = [&](Labels l, int chunks) {
    IndexSeries e;
    e.labels = std::move(l);
    for (int i = 0; i < chunks; ++i) {
      e.chunks.push_back({i * 1000, i * 1000 + 999, ref});
      ref += 37 + i;
    }
    s.push_back(std::move(e));
  };
  add({{"__name__", "up"}, {"instance", "a"}, {"job", "api"}}, 1);
  add({{"__name__", "up"}, {"instance", "b"}, {"job", "api"}}, 3);
  add({{"__name__", "up"}, {"instance", "c"}, {"job", "web"}}, 2);
  add({{"__name__", "up"}, {"job", "web"}}, 1);
  add({{"__name__", "x"}, {"env", "prod"}}, 0);
  return s;
}

class IndexTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> bytes = EncodeIndex(series_);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    bytes_ = *bytes;
    absl::StatusOr<std::unique_ptr<IndexReader>> r = IndexReader::FromBytes(bytes_, "idx");
    ASSERT_TRUE(r.ok()) << r.status();
    reader_ = std::move(*r);
  }

  // The label sets selected by matchers, in postings order.
  std::vector<std::string> Select(std::vector<Matcher> ms) {
    absl::StatusOr<Postings> p = reader_->PostingsForMatchers(ms);
    EXPECT_TRUE(p.ok()) << p.status();
    std::vector<std::string> out;
    for (SeriesRef id : *p) {
      Labels l;
      std::vector<ChunkMeta> c;
      EXPECT_TRUE(reader_->Series(id, &l, &c).ok());
      out.push_back(l.ToString());
    }
    return out;
  }

  std::vector<IndexSeries> series_ = TestSeries();
  std::string bytes_;
  std::unique_ptr<IndexReader> reader_;
};

TEST_F(IndexTest, LayoutHeaderAndToc) {
  ASSERT_GE(bytes_.size(), kIndexHeaderSize + kIndexTocSize);
  EXPECT_EQ(LoadBigEndian32(bytes_.data()), kIndexMagic);
  EXPECT_EQ(bytes_[4], 2);
  ByteReader toc(std::string_view(bytes_).substr(bytes_.size() - kIndexTocSize));
  uint64_t symbols = toc.BigEndian64(), series = toc.BigEndian64(),
           label_indices = toc.BigEndian64(), label_table = toc.BigEndian64(),
           postings = toc.BigEndian64(), postings_table = toc.BigEndian64();
  EXPECT_EQ(symbols, 5u);
  EXPECT_LT(symbols, series);
  EXPECT_LT(series, label_indices);
  EXPECT_LE(label_indices, postings);
  EXPECT_LT(postings, label_table);
  EXPECT_LT(label_table, postings_table);
  // Symbols: sorted, unique.
  EXPECT_EQ(reader_->NumSymbols(), 13u);  // "" __name__ a api b c env instance job prod up web x
}

TEST_F(IndexTest, SeriesRoundTrip) {
  absl::StatusOr<Postings> all = reader_->AllPostings();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), series_.size());
  for (size_t i = 0; i < series_.size(); ++i) {
    Labels l;
    std::vector<ChunkMeta> c;
    ASSERT_TRUE(reader_->Series((*all)[i], &l, &c).ok());
    EXPECT_EQ(l, series_[i].labels);
    EXPECT_EQ(c, series_[i].chunks);
    EXPECT_EQ((*all)[i] * 16 % 16, 0u);
  }
}

TEST_F(IndexTest, LabelNamesAndValues) {
  EXPECT_THAT(reader_->LabelNames(), ElementsAre("__name__", "env", "instance", "job"));
  EXPECT_THAT(reader_->LabelValues("instance"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(reader_->LabelValues("nope"), IsEmpty());
}

TEST_F(IndexTest, Matchers) {
  const std::string a = R"({__name__="up", instance="a", job="api"})";
  const std::string b = R"({__name__="up", instance="b", job="api"})";
  const std::string c = R"({__name__="up", instance="c", job="web"})";
  const std::string d = R"({__name__="up", job="web"})";
  const std::string x = R"({__name__="x", env="prod"})";
  struct Case {
    std::vector<Matcher> ms;
    std::vector<std::string> want;
  };
  std::vector<Case> cases = {
      {{M(MatchType::kEqual, "job", "api")}, {a, b}},
      {{M(MatchType::kEqual, "job", "nope")}, {}},
      {{M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "job", "web")}, {c, d}},
      {{M(MatchType::kNotEqual, "job", "api")}, {c, d, x}},   // includes series without job
      {{M(MatchType::kRegexp, "instance", "a|c")}, {a, c}},   // literal set
      {{M(MatchType::kRegexp, "instance", "[bc]")}, {b, c}},  // general regex
      {{M(MatchType::kNotRegexp, "instance", "a|b")}, {c, d, x}},
      {{M(MatchType::kEqual, "instance", "")}, {d, x}},  // label absent
      {{M(MatchType::kRegexp, "instance", ".+")}, {a, b, c}},
      {{M(MatchType::kNotRegexp, "instance", ".+")}, {d, x}},
      {{M(MatchType::kNotRegexp, "instance", ".*")}, {}},
      {{M(MatchType::kRegexp, "__name__", "u.*")}, {a, b, c, d}},  // prefix
      {{M(MatchType::kNotRegexp, "__name__", "u.*")}, {x}},
      {{M(MatchType::kRegexp, "instance", "b|zz")}, {b}},
      {{M(MatchType::kRegexp, "instance", ".*")}, {a, b, c, d, x}},
      {{M(MatchType::kEqual, "__name__", "up"), M(MatchType::kNotRegexp, "job", "web")}, {a, b}},
      {{M(MatchType::kRegexp, "job", "api|web"), M(MatchType::kEqual, "instance", "")}, {d}},
      {{}, {}},
  };
  for (const Case& tc : cases) {
    std::string desc;
    for (const Matcher& m : tc.ms) desc += m.ToString() + " ";
    EXPECT_EQ(Select(tc.ms), tc.want) << desc;
  }
}

TEST(IndexWriterTest, RejectsWhatPrometheusRejects) {
  std::vector<IndexSeries> unsorted(2);
  unsorted[0].labels = Labels{{"a", "2"}};
  unsorted[1].labels = Labels{{"a", "1"}};
  EXPECT_THAT(std::string(EncodeIndex(unsorted).status().message()), HasSubstr("out-of-order"));

  std::vector<IndexSeries> overlap(1);
  overlap[0].labels = Labels{{"a", "1"}};
  overlap[0].chunks = {{0, 10, 8}, {10, 20, 20}};
  EXPECT_THAT(std::string(EncodeIndex(overlap).status().message()), HasSubstr("minT"));

  std::vector<IndexSeries> refs(2);
  refs[0].labels = Labels{{"a", "1"}};
  refs[0].chunks = {{0, 10, 100}};
  refs[1].labels = Labels{{"a", "2"}};
  refs[1].chunks = {{0, 10, 50}};
  EXPECT_THAT(std::string(EncodeIndex(refs).status().message()), HasSubstr("unsorted chunk"));
}

TEST(IndexWriterTest, EmptyIndexIsReadable) {
  absl::StatusOr<std::string> bytes = EncodeIndex({});
  ASSERT_TRUE(bytes.ok());
  auto r = IndexReader::FromBytes(*bytes, "idx");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT((*r)->LabelNames(), IsEmpty());
  EXPECT_THAT(*(*r)->AllPostings(), IsEmpty());
}

// The streaming writer flushing after every series and section writes the very bytes of the
// in-memory encoding.
TEST_F(IndexTest, StreamingWriterWritesTheSameBytes) {
  MemFileSystem fs;
  absl::StatusOr<std::unique_ptr<IndexWriter>> w =
      IndexWriter::Create(&fs, "/index", /*flush_bytes=*/1);
  ASSERT_TRUE(w.ok()) << w.status();
  std::vector<std::string_view> symbols;
  for (const IndexSeries& s : series_) {
    for (const Label& l : s.labels) symbols.insert(symbols.end(), {l.value, l.name, l.value});
  }
  ASSERT_TRUE((*w)->AddSymbols(symbols).ok());
  for (const IndexSeries& s : series_) ASSERT_TRUE((*w)->AddSeries(s.labels, s.chunks).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  absl::StatusOr<std::string> written = fs.Contents("/index");
  ASSERT_TRUE(written.ok());
  EXPECT_TRUE(*written == bytes_);
}

// Symbols no series uses (a compaction takes every symbol of its sources) are harmless.
TEST_F(IndexTest, StreamingWriterKeepsExtraSymbols) {
  IndexWriter w;
  std::vector<std::string_view> symbols = {"unused", "zzz"};
  for (const IndexSeries& s : series_) {
    for (const Label& l : s.labels) symbols.insert(symbols.end(), {l.name, l.value});
  }
  ASSERT_TRUE(w.AddSymbols(symbols).ok());
  for (const IndexSeries& s : series_) ASSERT_TRUE(w.AddSeries(s.labels, s.chunks).ok());
  ASSERT_TRUE(w.Finish().ok());
  absl::StatusOr<std::unique_ptr<IndexReader>> r = IndexReader::FromBytes(w.contents(), "idx");
  ASSERT_TRUE(r.ok()) << r.status();
  absl::StatusOr<Postings> all = (*r)->AllPostings();
  ASSERT_TRUE(all.ok());
  size_t i = 0;
  for (SeriesRef id : *all) {
    Labels l;
    std::vector<ChunkMeta> c;
    ASSERT_TRUE((*r)->Series(id, &l, &c).ok());
    ASSERT_LT(i, series_.size());
    EXPECT_EQ(l, series_[i].labels);
    EXPECT_EQ(c, series_[i].chunks);
    ++i;
  }
  EXPECT_EQ(i, series_.size());
}

TEST(IndexWriterTest, StreamingWriterChecksItsInput) {
  IndexWriter w;
  EXPECT_THAT(w.AddSeries(Labels{{"a", "b"}}, {}).message(), HasSubstr("before symbols"));
  ASSERT_TRUE(w.AddSymbols({"a", "b"}).ok());
  EXPECT_FALSE(w.AddSymbols({"c"}).ok());
  EXPECT_THAT(w.AddSeries(Labels{{"a", "c"}}, {}).message(),
              HasSubstr("a=c of {a=\"c\"} is not in the index symbol table"));
  EXPECT_TRUE(w.AddSeries(Labels{{"a", "b"}}, {}).ok());
  EXPECT_THAT(w.AddSeries(Labels{{"a", "b"}}, {}).message(), HasSubstr("out-of-order series"));
}

TEST_F(IndexTest, EveryFlippedByteIsDetectedOrHarmless) {
  // Flip each byte in turn: Open fails, or reading every series fails, or (padding and unused
  // bytes) everything reads back the same. Never a crash.
  absl::StatusOr<Postings> all = reader_->AllPostings();
  ASSERT_TRUE(all.ok());
  int detected = 0;
  for (size_t i = 0; i < bytes_.size(); ++i) {
    std::string bad = bytes_;
    bad[i] ^= 0x5a;
    auto r = IndexReader::FromBytes(bad, "idx");
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << i << r.status();
      EXPECT_THAT(std::string(r.status().message()), HasSubstr("idx: ")) << i;
      ++detected;
      continue;
    }
    bool failed = false;
    absl::StatusOr<Postings> p = (*r)->AllPostings();
    if (!p.ok()) {
      ++detected;
      continue;
    }
    if (*p != *all) {
      // A changed postings list must have been caught by its CRC; a changed offset points at
      // another list and is tolerated only when that list still checks out.
      failed = true;
    }
    for (size_t k = 0; k < series_.size() && !failed; ++k) {
      Labels l;
      std::vector<ChunkMeta> c;
      absl::Status s = (*r)->Series((*all)[k], &l, &c);
      if (!s.ok()) {
        failed = true;
        break;
      }
      EXPECT_EQ(l, series_[k].labels) << "byte " << i;
    }
    if (failed) ++detected;
  }
  EXPECT_GT(detected, static_cast<int>(bytes_.size() / 2));
}

TEST_F(IndexTest, EveryTruncationIsAnError) {
  for (size_t n = 0; n + 1 < bytes_.size(); ++n) {
    auto r = IndexReader::FromBytes(bytes_.substr(0, n), "idx");
    EXPECT_FALSE(r.ok()) << n;
  }
}

}  // namespace
}  // namespace sundial::tsdb::block
