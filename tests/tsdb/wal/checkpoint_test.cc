#include "tsdb/wal/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/str_cat.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb::wal {
namespace {

using ::testing::ElementsAre;

constexpr char kDir[] = "/wal";

bool KeepOdd(HeadSeriesRef ref) { return ref % 2 == 1; }

// Segments 0..3: segment i holds series 2i+1 and 2i+2, samples of both at t = 100i and
// 100i + 50, a tombstone for ref 2i+1 over [100i, 100i + 10], metadata, an mmap marker, a
// histogram record and a record of an unknown type.
void WriteFixture(MemFileSystem* fs) {
  auto w = *Writer::Open(fs, kDir);
  for (int i = 0; i < 4; ++i) {
    const HeadSeriesRef a = 2 * i + 1, b = 2 * i + 2;
    std::string series, samples, tomb, meta, mmap;
    EncodeSeries(std::vector<RefSeries>{{a, Labels{{"s", "a"}}}, {b, Labels{{"s", "b"}}}}, &series);
    EncodeSamples(std::vector<RefSample>{{a, 100 * i, 1}, {b, 100 * i, 2}, {a, 100 * i + 50, 3}},
                  &samples);
    EncodeTombstones(std::vector<Stone>{{a, {{100 * i, 100 * i + 10}}}}, &tomb);
    EncodeMetadata(std::vector<RefMetadata>{{1, MetricType::kCounter, "", StrCat("v", i)},
                                            {b, MetricType::kGauge, "", ""}},
                   &meta);
    EncodeMmapMarkers(std::vector<RefMmapMarker>{{a, 7}}, &mmap);
    const std::string histogram("\x07\x01\x02", 3);  // not decoded: passed through
    ASSERT_TRUE(w->Log({series, samples, tomb, meta, mmap, histogram, "\x63"}).ok());
    ASSERT_TRUE(w->NextSegment().ok());
  }
  ASSERT_TRUE(w->Close().ok());
}

struct Contents {
  std::vector<HeadSeriesRef> series;
  std::vector<RefSample> samples;
  std::vector<Stone> tombstones;
  std::vector<RefMetadata> metadata;
  int other = 0;
};

Contents ReadCheckpoint(FileSystem* fs, const std::string& dir) {
  Contents c;
  auto r = *Reader::Open(fs, dir);
  while (r->Next()) {
    std::vector<RefSeries> series;
    switch (GetRecordType(r->record())) {
      case RecordType::kSeries:
        EXPECT_TRUE(DecodeSeries(r->record(), &series).ok());
        for (const RefSeries& s : series) c.series.push_back(s.ref);
        break;
      case RecordType::kSamples:
        EXPECT_TRUE(DecodeSamples(r->record(), &c.samples).ok());
        break;
      case RecordType::kTombstones:
        EXPECT_TRUE(DecodeTombstones(r->record(), &c.tombstones).ok());
        break;
      case RecordType::kMetadata:
        EXPECT_TRUE(DecodeMetadata(r->record(), &c.metadata).ok());
        break;
      default:
        ++c.other;
    }
  }
  EXPECT_TRUE(r->status().ok()) << r->status();
  return c;
}

TEST(Checkpoint, KeepsSelectedSeriesAndRecentData) {
  MemFileSystem fs;
  WriteFixture(&fs);
  auto stats = Checkpoint(&fs, kDir, 0, 2, KeepOdd, 150, /*compress=*/true);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_TRUE(*fs.Exists("/wal/checkpoint.00000002"));
  EXPECT_FALSE(*fs.Exists("/wal/checkpoint.00000002.tmp"));

  Contents c = ReadCheckpoint(&fs, "/wal/checkpoint.00000002");
  EXPECT_THAT(c.series, ElementsAre(1, 3, 5));
  // Samples with t >= 150 from segments 0..2: (3,150), (5,200), (6,200), (5,250).
  EXPECT_THAT(c.samples, ElementsAre(RefSample{3, 150, 3}, RefSample{5, 200, 1},
                                     RefSample{6, 200, 2}, RefSample{5, 250, 3}));
  // Tombstones ending at or after 150: only [200, 210].
  EXPECT_THAT(c.tombstones, ElementsAre(Stone{5, {{200, 210}}}));
  // The latest metadata per kept series (ref 1 from segment 2; even refs are dropped).
  EXPECT_THAT(c.metadata, ElementsAre(RefMetadata{1, MetricType::kCounter, "", "v2"}));
  EXPECT_EQ(c.other, 3);  // the histogram records; mmap markers and unknown types are dropped

  EXPECT_EQ(stats->total_series, 6);
  EXPECT_EQ(stats->dropped_series, 3);
  EXPECT_EQ(stats->total_samples, 9);
  EXPECT_EQ(stats->dropped_samples, 5);
  EXPECT_EQ(stats->total_tombstones, 3);
  EXPECT_EQ(stats->dropped_tombstones, 2);
  EXPECT_EQ(stats->total_metadata, 6);
  EXPECT_EQ(stats->dropped_metadata, 5);
}

TEST(Checkpoint, NextCheckpointBuildsOnThePreviousOne) {
  MemFileSystem fs;
  WriteFixture(&fs);
  ASSERT_TRUE(Checkpoint(&fs, kDir, 0, 1, KeepOdd, 0, false).ok());
  // from is raised to 2 (segments 0..1 are in the checkpoint); 5 would leave a gap.
  EXPECT_TRUE(absl::IsInvalidArgument(Checkpoint(&fs, kDir, 5, 5, KeepOdd, 0, false).status()));
  ASSERT_TRUE(Checkpoint(
                  &fs, kDir, 0, 3, [](HeadSeriesRef r) { return r < 6; }, 0, false)
                  .ok());
  Contents c = ReadCheckpoint(&fs, "/wal/checkpoint.00000003");
  EXPECT_THAT(c.series, ElementsAre(1, 3, 5));  // 2 and 4 were already gone
  EXPECT_EQ(c.samples.size(), 12u);  // samples are filtered by time only, as in Prometheus

  auto last = *LastCheckpoint(&fs, kDir);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->index, 3);
  EXPECT_EQ(last->path, "/wal/checkpoint.00000003");
  ASSERT_TRUE(DeleteCheckpoints(&fs, kDir, 3).ok());
  EXPECT_FALSE(*fs.Exists("/wal/checkpoint.00000001"));
  EXPECT_TRUE(*fs.Exists("/wal/checkpoint.00000003"));
}

TEST(Checkpoint, LeftoverTmpDirIsIgnoredAndCleanedUp) {
  MemFileSystem fs;
  WriteFixture(&fs);
  // A crash in the middle of an earlier checkpoint left this behind.
  ASSERT_TRUE(fs.CreateDirs("/wal/checkpoint.00000003.tmp").ok());
  ASSERT_TRUE(fs.OpenWritable("/wal/checkpoint.00000003.tmp/00000000", OpenMode::kCreateNew).ok());
  EXPECT_FALSE(LastCheckpoint(&fs, kDir)->has_value());
  ASSERT_TRUE(Checkpoint(&fs, kDir, 0, 1, KeepOdd, 0, false).ok());
  EXPECT_EQ((*LastCheckpoint(&fs, kDir))->index, 1);
  ASSERT_TRUE(DeleteCheckpoints(&fs, kDir, 0).ok());
  EXPECT_FALSE(*fs.Exists("/wal/checkpoint.00000003.tmp"));
  EXPECT_TRUE(*fs.Exists("/wal/checkpoint.00000001"));
}

TEST(Checkpoint, FailureLeavesNoTraceAndCrashBeforeRenameKeepsTheOld) {
  MemFileSystem fs;
  fs.set_strict_directory_sync(true);
  WriteFixture(&fs);
  ASSERT_TRUE(fs.SyncDir("/").ok());
  ASSERT_TRUE(Checkpoint(&fs, kDir, 0, 0, KeepOdd, 0, false).ok());
  fs.SetFaultHook([](MemFileSystem::Op op, const std::string&) {
    return op == MemFileSystem::Op::kRename ? absl::InternalError("EIO") : absl::OkStatus();
  });
  EXPECT_FALSE(Checkpoint(&fs, kDir, 0, 2, KeepOdd, 0, false).ok());
  fs.SetFaultHook(nullptr);
  EXPECT_FALSE(*fs.Exists("/wal/checkpoint.00000002.tmp"));
  EXPECT_FALSE(*fs.Exists("/wal/checkpoint.00000002"));
  fs.Crash();
  auto last = *LastCheckpoint(&fs, kDir);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->index, 0);
  EXPECT_THAT(ReadCheckpoint(&fs, last->path).series, ElementsAre(1));

  // A checkpoint that completed survives a crash: it was fsynced and the rename made durable.
  ASSERT_TRUE(Checkpoint(&fs, kDir, 0, 2, KeepOdd, 0, false).ok());
  fs.Crash();
  EXPECT_EQ((*LastCheckpoint(&fs, kDir))->index, 2);
  EXPECT_THAT(ReadCheckpoint(&fs, "/wal/checkpoint.00000002").series, ElementsAre(1, 3, 5));
}

TEST(Checkpoint, CorruptionFailsTheCheckpoint) {
  MemFileSystem fs;
  WriteFixture(&fs);
  std::string seg = *fs.Contents("/wal/00000001");
  seg[20] ^= 1;
  ASSERT_TRUE(fs.SetContents("/wal/00000001", seg).ok());
  EXPECT_FALSE(Checkpoint(&fs, kDir, 0, 2, KeepOdd, 0, false).ok());
  EXPECT_THAT(*fs.List(kDir),
              ElementsAre("00000000", "00000001", "00000002", "00000003", "00000004"));
}

}  // namespace
}  // namespace sundial::tsdb::wal
