// DB with chunks_head/: closed chunks are written there; a restart restores them and replays
// only the WAL samples after them (no sample lost or doubled), also after a checkpoint, with a
// corrupt chunk file (the WAL has its samples) and after truncation deleted old files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/str_cat.h"
#include "tsdb/db/db.h"
#include "tsdb/db/db_test_util.h"

namespace sundial::tsdb {
namespace {

namespace fs = std::filesystem;

constexpr int kSeries = 20;
constexpr Timestamp kStep = 15000;

Labels Series(int i) { return Labels{{"__name__", "m"}, {"i", StrCat(i)}}; }
double Value(int i, Timestamp t) { return i * 1000.5 + static_cast<double>(t) / 7; }

std::string FreshDir(const std::string& name) {
  const std::string dir =
      StrCat(::testing::TempDir(), "/sundial_db_head_chunks_", name, "_", getpid());
  fs::remove_all(dir);
  return dir;
}

std::unique_ptr<DB> MustOpen(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open({.dir = dir});
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

// Samples at from, from + kStep, ..., before to for every series, one commit per step.
void Ingest(DB& db, Timestamp from, Timestamp to) {
  for (Timestamp t = from; t < to; t += kStep) {
    std::unique_ptr<Appender> app = db.NewAppender();
    for (int i = 0; i < kSeries; ++i) ASSERT_TRUE(app->Append(0, Series(i), t, Value(i, t)).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
}

Dump Expected(Timestamp from, Timestamp to) {
  Dump out;
  for (int i = 0; i < kSeries; ++i) {
    auto& v = out[Series(i).ToString()];
    for (Timestamp t = from; t < to; t += kStep) v.push_back({t, Value(i, t)});
  }
  return out;
}

Dump MustRead(DB& db) {
  absl::StatusOr<Dump> d = ReadAll(db);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Dump{};
}

int64_t DirBytes(const std::string& dir) {
  int64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += static_cast<int64_t>(e.file_size());
  }
  return n;
}

int ChunkFiles(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir + "/chunks_head")) n += e.is_regular_file();
  return n;
}

// 400 samples a series at 15 s: several closed chunks each, the last one open.
constexpr Timestamp kEnd = 400 * kStep;

TEST(DbHeadChunks, RestartRestoresChunksAndReplaysOnlyTheTail) {
  const std::string dir = FreshDir("restart");
  {
    std::unique_ptr<DB> db = MustOpen(dir);
    Ingest(*db, 0, kEnd);
    ASSERT_TRUE(db->Close().ok());
  }
  ASSERT_GE(ChunkFiles(dir), 1);
  {
    std::unique_ptr<DB> db = MustOpen(dir);
    const ReplayStats& st = db->replay_stats();
    EXPECT_GE(st.mmapped_chunks, 2 * kSeries);
    EXPECT_GT(st.mmapped_samples, 0);
    EXPECT_EQ(st.samples, 400 * kSeries);
    EXPECT_EQ(st.rejected_samples, 0);
    EXPECT_EQ(MustRead(*db), Expected(0, kEnd));
    // Appending continues the restored series (same value at the last timestamp is no error).
    {
      std::unique_ptr<Appender> app = db->NewAppender();
      EXPECT_TRUE(app->Append(0, Series(0), kEnd - kStep, Value(0, kEnd - kStep)).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
    Ingest(*db, kEnd, 2 * kEnd);
    ASSERT_TRUE(db->Close().ok());
  }
  std::unique_ptr<DB> db = MustOpen(dir);
  EXPECT_EQ(MustRead(*db), Expected(0, 2 * kEnd));
  fs::remove_all(dir);
}

TEST(DbHeadChunks, CorruptChunkFileFallsBackToTheWal) {
  const std::string dir = FreshDir("corrupt");
  {
    std::unique_ptr<DB> db = MustOpen(dir);
    Ingest(*db, 0, kEnd);
  }
  const std::string f = dir + "/chunks_head/000001";
  {
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(fs::file_size(f) / 2));
    io.put('\x5a');
    io.seekp(static_cast<std::streamoff>(fs::file_size(f) / 2 + 1));
    io.put('\xa5');
  }
  std::unique_ptr<DB> db = MustOpen(dir);
  EXPECT_EQ(MustRead(*db), Expected(0, kEnd));
  fs::remove_all(dir);
}

TEST(DbHeadChunks, TruncationDeletesOldFilesAndCheckpointReplayStaysExact) {
  const std::string dir = FreshDir("truncate");
  // Several chunk files: each Truncate cuts the file being written.
  const Timestamp mint = 2 * kEnd;
  {
    std::unique_ptr<DB> db = MustOpen(dir);
    Ingest(*db, 0, kEnd);
    ASSERT_TRUE(db->Truncate(0).ok());
    Ingest(*db, kEnd, 3 * kEnd);
    ASSERT_TRUE(db->Truncate(mint).ok());
    EXPECT_FALSE(fs::exists(dir + "/chunks_head/000001"));
    Ingest(*db, 3 * kEnd, 4 * kEnd);
    ASSERT_TRUE(db->Close().ok());
  }
  std::unique_ptr<DB> db = MustOpen(dir);
  EXPECT_GT(db->replay_stats().mmapped_chunks, 0);
  // The head serves from its min time: the chunk holding mint starts at or before it.
  Dump got = MustRead(*db);
  Dump want = Expected(0, 4 * kEnd);
  for (auto& [k, v] : want) {
    const auto& g = got[k];
    ASSERT_FALSE(g.empty());
    EXPECT_LE(g.front().t, mint);
    std::erase_if(v, [&](const TestSample& s) { return s.t < g.front().t; });
  }
  EXPECT_EQ(got, want);
  fs::remove_all(dir);
}

// Size retention counts chunks_head/ with the blocks and the WAL, as Prometheus' Head.Size().
TEST(DbHeadChunks, SizeRetentionCountsTheChunkFiles) {
  const std::string dir = FreshDir("retention");
  size_t blocks_before = 0;
  {
    std::unique_ptr<DB> db = MustOpen(dir);
    Ingest(*db, 0, 4 * kEnd);  // 6.7 h: Compact cuts 2 h blocks from the head
    ASSERT_TRUE(db->Compact().ok());
    blocks_before = db->Blocks().size();
    ASSERT_GE(blocks_before, 2u);
    ASSERT_TRUE(db->Close().ok());
  }
  const int64_t chunk_bytes = DirBytes(dir + "/chunks_head");
  ASSERT_GT(chunk_bytes, 0);
  // Above the blocks and the WAL, below them plus the chunk files.
  DbOptions options;
  options.dir = dir;
  options.retention_size_bytes = DirBytes(dir) - chunk_bytes / 2;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_LT((*db)->Blocks().size(), blocks_before);
  const Dump got = MustRead(**db);
  ASSERT_EQ(got.size(), static_cast<size_t>(kSeries));
  EXPECT_EQ(got.begin()->second.back().t, 4 * kEnd - kStep);  // the head is whole
  db->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sundial::tsdb
