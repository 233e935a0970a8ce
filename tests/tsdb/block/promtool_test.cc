// Compatibility with the real peer, Debian's promtool 2.42: it must read the blocks Sundial
// writes (list, analyze, dump), and Sundial must read the blocks promtool writes
// (create-blocks-from openmetrics). Skipped when promtool is not installed.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/process.h"
#include "testing/temp_dir.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_test_util.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/format.h"
#include "tsdb/block/index_writer.h"
#include "tsdb/block/tombstones.h"

namespace sundial::tsdb::block {
namespace {

using ::testing::HasSubstr;

constexpr char kPromtool[] = "/usr/bin/promtool";

class PromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPromtool, X_OK) != 0) GTEST_SKIP() << "promtool not installed";
    ASSERT_FALSE(dir_.empty());
  }
  sundial::testing::RunResult Promtool(std::vector<std::string> args) {
    args.insert(args.begin(), kPromtool);
    return sundial::testing::RunToCompletion(args);
  }

  const sundial::testing::TempDir tmp_;
  const std::string& dir_ = tmp_.path();
};

// Parses promtool tsdb dump lines: `{labels} value timestamp`.
SeriesSamples ParseDump(const std::string& out) {
  SeriesSamples got;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    size_t close = line.rfind('}');
    if (line.empty() || line[0] != '{' || close == std::string::npos) continue;
    std::string labels = line.substr(0, close + 1);
    std::istringstream rest(line.substr(close + 1));
    std::string value;
    int64_t t = 0;
    rest >> value >> t;
    got[labels].push_back({t, std::strtod(value.c_str(), nullptr)});
  }
  return got;
}

TEST_F(PromtoolTest, PromtoolReadsSundialBlock) {
  Head head;
  // 20 series x 300 samples in [0, 2h): counters, gauges with fractions, a NaN.
  SeriesSamples in = Fill(head, MakeSeries(20, 300));
  auto q = head.NewQuerier(INT64_MIN, INT64_MAX);
  ASSERT_TRUE(q.ok());
  absl::StatusOr<BlockMeta> meta = WriteBlock(FileSystem::Default(), dir_, **q, 0, 2 * 3600 * 1000);
  ASSERT_TRUE(meta.ok()) << meta.status();
  ASSERT_EQ(meta->stats.num_samples, 6000u);

  sundial::testing::RunResult list = Promtool({"tsdb", "list", dir_});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  // BLOCK ULID  MIN TIME  MAX TIME  DURATION  NUM SAMPLES  NUM CHUNKS  NUM SERIES  SIZE
  EXPECT_THAT(list.out, HasSubstr(meta->ulid));
  std::istringstream lines(list.out);
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  std::istringstream fields(row);
  std::string ulid, mint, maxt, duration;
  uint64_t samples = 0, chunks = 0, series = 0;
  fields >> ulid >> mint >> maxt >> duration >> samples >> chunks >> series;
  EXPECT_EQ(ulid, meta->ulid);
  EXPECT_EQ(mint, "0");
  EXPECT_EQ(maxt, "7200000");
  EXPECT_EQ(samples, 6000u);
  EXPECT_EQ(chunks, 20u * 3);  // 120 + 120 + 60
  EXPECT_EQ(series, 20u);

  sundial::testing::RunResult analyze = Promtool({"tsdb", "analyze", dir_, meta->ulid});
  ASSERT_EQ(analyze.exit_code, 0) << analyze.err << analyze.out;
  EXPECT_THAT(analyze.out, HasSubstr("Block ID: " + meta->ulid));
  EXPECT_THAT(analyze.out, HasSubstr("Series: 20"));
  EXPECT_THAT(analyze.out, HasSubstr("Label names: 3"));
  EXPECT_THAT(analyze.out, HasSubstr("Postings (unique label pairs): 25"));  // 3 + 20 + 2
  EXPECT_THAT(analyze.out, HasSubstr("Postings entries (total label pairs): 60"));

  // dump opens the whole data dir read-only, head included: give it the (empty) WAL dir a data
  // dir always has.
  ASSERT_TRUE(FileSystem::Default()->CreateDirs(dir_ + "/wal").ok());
  sundial::testing::RunResult dump = Promtool({"tsdb", "dump", dir_});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  SeriesSamples got = ParseDump(dump.out);
  // promtool prints NaN as "NaN"; strtod reads it back as a NaN with another payload, so compare
  // NaNs by kind.
  ASSERT_EQ(got.size(), in.size());
  for (const auto& [labels, samples] : in) {
    ASSERT_TRUE(got.count(labels)) << labels;
    const std::vector<Sample>& g = got[labels];
    ASSERT_EQ(g.size(), samples.size()) << labels;
    for (size_t i = 0; i < samples.size(); ++i) {
      EXPECT_EQ(g[i].first, samples[i].first);
      if (std::isnan(samples[i].second)) {
        EXPECT_TRUE(std::isnan(g[i].second));
      } else {
        EXPECT_EQ(g[i].second, samples[i].second) << labels << " @" << samples[i].first;
      }
    }
  }
}

// Re-encodes what Sundial read from a block Prometheus wrote and expects the very same bytes:
// index (same series, chunk refs and metas), chunk segments, tombstones and meta.json.
void ExpectSameBytesAsPrometheus(const Block& b) {
  FileSystem* fs = FileSystem::Default();
  absl::StatusOr<Postings> ids = b.index().AllPostings();
  ASSERT_TRUE(ids.ok());
  std::vector<IndexSeries> series;
  for (SeriesRef id : *ids) {
    IndexSeries s;
    ASSERT_TRUE(b.index().Series(id, &s.labels, &s.chunks).ok());
    series.push_back(std::move(s));
  }
  absl::StatusOr<std::string> index = EncodeIndex(series);
  ASSERT_TRUE(index.ok()) << index.status();
  std::string theirs = *fs->ReadFile(JoinPath(b.dir(), "index"));
  size_t diff = 0;
  while (diff < index->size() && diff < theirs.size() && (*index)[diff] == theirs[diff]) ++diff;
  EXPECT_TRUE(*index == theirs) << "index differs at byte " << diff << " of " << theirs.size()
                                << " (ours " << index->size() << ")";

  MemFileSystem mem;
  ChunkWriter w(&mem, "/chunks");
  for (const IndexSeries& s : series) {
    for (const ChunkMeta& c : s.chunks) {
      absl::StatusOr<ChunkReader::Chunk> chunk = b.chunks().Read(c.ref);
      ASSERT_TRUE(chunk.ok()) << chunk.status();
      absl::StatusOr<uint64_t> ref = w.Write(chunk->encoding, chunk->data);
      ASSERT_TRUE(ref.ok());
      EXPECT_EQ(*ref, c.ref);
    }
  }
  ASSERT_TRUE(w.Close().ok());
  EXPECT_TRUE(*mem.Contents("/chunks/000001") == *fs->ReadFile(JoinPath(b.dir(), "chunks/000001")))
      << "chunk segment differs";
  EXPECT_EQ(EncodeTombstones(b.tombstones()), *fs->ReadFile(JoinPath(b.dir(), "tombstones")));
  EXPECT_EQ(MarshalMeta(b.meta()), *fs->ReadFile(JoinPath(b.dir(), "meta.json")));
}

TEST_F(PromtoolTest, SundialReadsPromtoolBlock) {
  // An OpenMetrics file (timestamps in seconds) spanning two 2h blocks.
  std::string om;
  SeriesSamples want;
  const char* kSeries[] = {R"(http_requests_total{code="200",path="/"})",
                           R"(http_requests_total{code="500",path="/"})",
                           R"(temperature{room="a b"})"};
  const char* kKeys[] = {R"({__name__="http_requests_total", code="200", path="/"})",
                         R"({__name__="http_requests_total", code="500", path="/"})",
                         R"({__name__="temperature", room="a b"})"};
  om += "# TYPE http_requests_total counter\n# TYPE temperature gauge\n";
  std::vector<std::string> lines;
  for (int s = 0; s < 3; ++s) {
    for (int i = 0; i < 600; ++i) {  // 600 x 15 s = 2.5 h
      int64_t t_ms = 1'600'000'000'000 + int64_t{i} * 15'000;
      double v = s == 2 ? 20.25 + (i % 17) * 0.5 : double(i * (s + 1));
      char buf[128];
      std::snprintf(buf, sizeof(buf), "%s %.17g %.3f\n", kSeries[s], v, t_ms / 1000.0);
      lines.push_back(buf);
      want[kKeys[s]].push_back({t_ms, v});
    }
  }
  // OpenMetrics wants the samples of a metric family together.
  for (const std::string& l : lines) om += l;
  om += "# EOF\n";
  std::string file = dir_ + "/input.om";
  ASSERT_TRUE(FileSystem::Default()->WriteFileAtomic(file, om).ok());
  std::string out = dir_ + "/data";
  sundial::testing::RunResult r =
      Promtool({"tsdb", "create-blocks-from", "openmetrics", file, out});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;

  absl::StatusOr<std::vector<std::string>> entries = FileSystem::Default()->List(out);
  ASSERT_TRUE(entries.ok());
  SeriesSamples got;
  int blocks = 0;
  const Matcher all = M(MatchType::kRegexp, "__name__", ".+");
  for (const std::string& e : *entries) {
    if (!IsValidUlid(e)) continue;
    ++blocks;
    absl::StatusOr<std::shared_ptr<Block>> b = Block::Open(FileSystem::Default(), out + "/" + e);
    ASSERT_TRUE(b.ok()) << b.status();
    auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
    ASSERT_TRUE(q.ok());
    absl::StatusOr<SeriesSamples> part = ReadAll(**q, {&all, 1});
    ASSERT_TRUE(part.ok()) << part.status();
    uint64_t n = 0;
    for (auto& [k, v] : *part) {
      n += v.size();
      got[k].insert(got[k].end(), v.begin(), v.end());
    }
    EXPECT_EQ(n, (*b)->meta().stats.num_samples);
    auto names = (*q)->LabelNames({});
    ASSERT_TRUE(names.ok());
    EXPECT_THAT(*names, ::testing::Contains("__name__"));
    ExpectSameBytesAsPrometheus(**b);
  }
  EXPECT_GE(blocks, 2);
  EXPECT_TRUE(SameSamples(got, want));
}

}  // namespace
}  // namespace sundial::tsdb::block
