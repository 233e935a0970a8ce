// Replay through checkpoint + segments, and crash safety: with MemFileSystem, whatever was
// synced (or in a completed segment) replays after a simulated power loss.
#include "tsdb/wal/replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/file_system.h"
#include "base/str_cat.h"
#include "tsdb/wal/corruption.h"
#include "tsdb/wal/repair.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb::wal {
namespace {

using ::testing::ElementsAre;

constexpr char kDir[] = "/data/wal";

std::string SeriesRecord(HeadSeriesRef ref, std::string_view name) {
  std::string out;
  EncodeSeries(std::vector<RefSeries>{{ref, Labels{{"__name__", name}}}}, &out);
  return out;
}

std::string SamplesRecord(HeadSeriesRef ref, int64_t t, double v) {
  std::string out;
  EncodeSamples(std::vector<RefSample>{{ref, t, v}}, &out);
  return out;
}

// "s<ref>" for a series, "<ref>@<t>" for a sample: a compact transcript of a replay.
struct Transcript {
  std::vector<std::string> lines;
  absl::Status status;
};

Transcript Replay(FileSystem* fs) {
  Transcript out;
  auto r = Replayer::Open(fs, kDir);
  if (!r.ok()) return {{}, r.status()};
  while ((*r)->Next()) {
    switch ((*r)->type()) {
      case RecordType::kSeries:
        for (const RefSeries& s : (*r)->series()) out.lines.push_back(StrCat("s", s.ref));
        break;
      case RecordType::kSamples:
        for (const RefSample& s : (*r)->samples()) out.lines.push_back(StrCat(s.ref, "@", s.t));
        break;
      default:
        out.lines.push_back(StrCat("type", static_cast<int>((*r)->type())));
    }
  }
  out.status = (*r)->status();
  return out;
}

TEST(Replayer, TypedRecordsInOrder) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir, {.compress = true});
  std::string tomb, meta;
  EncodeTombstones(std::vector<Stone>{{1, {{0, 5}}}}, &tomb);
  EncodeMetadata(std::vector<RefMetadata>{{1, MetricType::kGauge, "", "help"}}, &meta);
  ASSERT_TRUE(w->Log({SeriesRecord(1, "up"), SamplesRecord(1, 10, 1), tomb, meta,
                      std::string("\x07\x01", 2), std::string("\x63", 1)})
                  .ok());
  auto r = *Replayer::Open(&fs, kDir);
  ASSERT_TRUE(r->Next());
  ASSERT_EQ(r->type(), RecordType::kSeries);
  EXPECT_THAT(r->series(), ElementsAre(RefSeries{1, Labels{{"__name__", "up"}}}));
  ASSERT_TRUE(r->Next());
  EXPECT_THAT(r->samples(), ElementsAre(RefSample{1, 10, 1}));
  ASSERT_TRUE(r->Next());
  EXPECT_THAT(r->tombstones(), ElementsAre(Stone{1, {{0, 5}}}));
  ASSERT_TRUE(r->Next());
  EXPECT_THAT(r->metadata(), ElementsAre(RefMetadata{1, MetricType::kGauge, "", "help"}));
  ASSERT_TRUE(r->Next());
  EXPECT_EQ(r->type(), RecordType::kHistogramSamples);  // not decoded, raw kept
  EXPECT_EQ(r->raw(), std::string("\x07\x01", 2));
  ASSERT_TRUE(r->Next());
  EXPECT_EQ(r->type(), RecordType::kUnknown);
  EXPECT_FALSE(r->Next());
  EXPECT_TRUE(r->status().ok());
  EXPECT_FALSE(r->checkpoint().has_value());
  // Every record is counted by its type, whether decoded or not.
  for (RecordType t :
       {RecordType::kSeries, RecordType::kSamples, RecordType::kTombstones, RecordType::kMetadata,
        RecordType::kHistogramSamples, RecordType::kUnknown}) {
    EXPECT_EQ(r->records(t), 1) << static_cast<int>(t);
  }
  EXPECT_EQ(r->records(RecordType::kExemplars), 0);
  EXPECT_EQ(r->records(RecordType::kFloatHistogramSamples), 0);
}

TEST(Replayer, UndecodableRecordIsCorruptionAtItsPosition) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  ASSERT_TRUE(w->Log({SeriesRecord(1, "up"), std::string("\x02\x00", 2)}).ok());
  Transcript t = Replay(&fs);
  EXPECT_THAT(t.lines, ElementsAre("s1"));
  std::optional<Corruption> c = GetCorruption(t.status);
  ASSERT_TRUE(c.has_value()) << t.status;
  EXPECT_EQ(c->segment, 0);
  EXPECT_EQ(c->offset, 7 + 22);  // series record: 1 + 8 + 1 + (1 + 8) + (1 + 2) bytes
}

TEST(Replayer, CheckpointThenLaterSegments) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  ASSERT_TRUE(w->Log({SeriesRecord(1, "a"), SamplesRecord(1, 1, 0)}).ok());
  ASSERT_TRUE(w->NextSegment().ok());
  ASSERT_TRUE(w->Log({SeriesRecord(2, "b"), SamplesRecord(2, 2, 0)}).ok());
  ASSERT_TRUE(w->NextSegment().ok());
  ASSERT_TRUE(w->Log(SamplesRecord(1, 3, 0)).ok());
  ASSERT_TRUE(Checkpoint(
                  &fs, kDir, 0, 0, [](HeadSeriesRef) { return true; }, 0, false)
                  .ok());
  // Segment 0 is covered by the checkpoint and is no longer read, even though it still exists.
  ASSERT_TRUE(w->Truncate(1).ok());
  Transcript t = Replay(&fs);
  EXPECT_TRUE(t.status.ok()) << t.status;
  EXPECT_THAT(t.lines, ElementsAre("s1", "1@1", "s2", "2@2", "1@3"));
}

// --- Crash safety with the fault-injecting file system ------------------------------------------

TEST(CrashSafety, SyncedRecordsSurviveUnsyncedAreDropped) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  ASSERT_TRUE(w->Log({SeriesRecord(1, "a"), SamplesRecord(1, 1, 0)}).ok());
  ASSERT_TRUE(w->Sync().ok());
  ASSERT_TRUE(w->Log(SamplesRecord(1, 2, 0)).ok());  // handed to the "OS" only
  EXPECT_THAT(Replay(&fs).lines, ElementsAre("s1", "1@1", "1@2"));

  fs.Crash();
  w.reset();  // the old handle writes into the void
  Transcript t = Replay(&fs);
  EXPECT_TRUE(t.status.ok()) << t.status;
  EXPECT_THAT(t.lines, ElementsAre("s1", "1@1"));

  // Restart: a new segment, and everything continues.
  w = *Writer::Open(&fs, kDir);
  EXPECT_EQ(w->position().segment, 1);
  ASSERT_TRUE(w->Log(SamplesRecord(1, 3, 0)).ok());
  ASSERT_TRUE(w->Close().ok());
  fs.Crash();
  EXPECT_THAT(Replay(&fs).lines, ElementsAre("s1", "1@1", "1@3"));
}

TEST(CrashSafety, CompletedSegmentsAreDurableWithoutSync) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir, {.segment_size = kPageSize});
  std::vector<std::string> expected;
  // 1200 samples: 17 bytes of bases, 9 bytes each plus a time delta of 1 byte (t < 64) or 2:
  // 13153 bytes per record, so two records fit in a one-page segment and the third starts the
  // next.
  for (int i = 0; i < 9; ++i) {
    std::string rec;
    std::vector<RefSample> samples;
    for (int j = 0; j < 1200; ++j) samples.push_back({static_cast<HeadSeriesRef>(i), j, 0.5});
    EncodeSamples(samples, &rec);
    ASSERT_TRUE(w->Log(rec).ok());
  }
  const int last = w->position().segment;
  ASSERT_GE(last, 4);
  fs.Crash();
  Transcript t = Replay(&fs);
  EXPECT_TRUE(t.status.ok()) << t.status;
  // Everything in the segments before the open one survived: two records each.
  EXPECT_EQ(t.lines.size(), static_cast<size_t>(last) * 2 * 1200);
}

TEST(CrashSafety, TornAppendIsRepairedToTheLastSyncedRecord) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  ASSERT_TRUE(w->Log({SeriesRecord(1, "a"), SamplesRecord(1, 1, 0)}).ok());
  ASSERT_TRUE(w->Sync().ok());
  // The next write(2) gets only 5 bytes out before the disk fails, and is then synced (e.g. by
  // a later successful fsync from the OS writeback).
  fs.set_torn_append_bytes(5);
  fs.SetFaultHook([](MemFileSystem::Op op, const std::string&) {
    return op == MemFileSystem::Op::kAppend ? absl::InternalError("EIO") : absl::OkStatus();
  });
  EXPECT_FALSE(w->Log(SamplesRecord(1, 2, 0)).ok());
  fs.SetFaultHook(nullptr);
  ASSERT_TRUE(fs.SetContents("/data/wal/00000000", *fs.Contents("/data/wal/00000000")).ok());
  w.reset();
  fs.Crash();

  Transcript t = Replay(&fs);
  EXPECT_THAT(t.lines, ElementsAre("s1", "1@1"));
  std::optional<Corruption> c = GetCorruption(t.status);
  ASSERT_TRUE(c.has_value()) << t.status;
  ASSERT_TRUE(Repair(&fs, *c).ok());
  t = Replay(&fs);
  EXPECT_TRUE(t.status.ok());
  EXPECT_THAT(t.lines, ElementsAre("s1", "1@1"));
}

TEST(CrashSafety, RandomCrashPointsNeverLoseSyncedRecords) {
  for (int crash_after = 0; crash_after < 40; crash_after += 3) {
    SCOPED_TRACE(crash_after);
    MemFileSystem fs;
    auto w = *Writer::Open(&fs, kDir, {.segment_size = 2 * kPageSize, .compress = true});
    size_t synced = 0;
    for (int i = 0; i < crash_after; ++i) {
      std::vector<RefSample> samples;
      for (int j = 0; j < 100 * (i % 7); ++j) samples.push_back({1, i * 1000 + j, 1.0 * j});
      std::string rec;
      EncodeSamples(samples, &rec);
      ASSERT_TRUE(w->Log(rec).ok());
      if (i % 4 == 3) {
        ASSERT_TRUE(w->Sync().ok());
        synced = static_cast<size_t>(i) + 1;
      }
    }
    fs.Crash();
    w.reset();
    Transcript t = Replay(&fs);
    if (!t.status.ok()) {
      std::optional<Corruption> c = GetCorruption(t.status);
      ASSERT_TRUE(c.has_value()) << t.status;
      ASSERT_TRUE(Repair(&fs, *c).ok());
      t = Replay(&fs);
      ASSERT_TRUE(t.status.ok());
    }
    size_t records = 0;
    auto r = *Replayer::Open(&fs, kDir);
    while (r->Next()) ++records;
    EXPECT_GE(records, synced);
    EXPECT_LE(records, static_cast<size_t>(crash_after));
  }
}

// --- Interop with a real Prometheus 2.42 (opt-in: needs a data directory it wrote) -----------
//
//   prometheus --config.file=self-scrape.yml --storage.tsdb.path=/tmp/p &   # ~15 s, then SIGINT
//   SUNDIAL_PROMETHEUS_WAL=/tmp/p/wal tsdb_wal_replay_test --gtest_filter='Interop*'
//
// Prometheus writes snappy-compressed records by default, so this covers that path too.

TEST(Interop, ReplaysAWalWrittenByPrometheus) {
  const char* dir = std::getenv("SUNDIAL_PROMETHEUS_WAL");
  if (dir == nullptr) GTEST_SKIP() << "set SUNDIAL_PROMETHEUS_WAL to a Prometheus wal/ dir";
  auto r = Replayer::Open(FileSystem::Default(), dir);
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<HeadSeriesRef> refs;
  std::set<std::string> names;
  size_t samples = 0, unknown_refs = 0;
  while ((*r)->Next()) {
    if ((*r)->type() == RecordType::kSeries) {
      for (const RefSeries& s : (*r)->series()) {
        refs.insert(s.ref);
        names.insert(std::string(s.labels.MetricName()));
      }
    } else if ((*r)->type() == RecordType::kSamples) {
      for (const RefSample& s : (*r)->samples()) {
        ++samples;
        unknown_refs += refs.count(s.ref) == 0 ? 1 : 0;
      }
    }
  }
  ASSERT_TRUE((*r)->status().ok()) << (*r)->status();
  EXPECT_GT(refs.size(), 100u);
  EXPECT_GT(samples, refs.size());
  EXPECT_EQ(unknown_refs, 0u);
  EXPECT_TRUE(names.count("up") == 1 && names.count("prometheus_build_info") == 1);
}

// Writes data/wal with one series and samples over the last 10 minutes for Prometheus to
// replay: start it on the directory and query sundial_interop{source="wal"}.
TEST(Interop, WritesAWalForPrometheus) {
  const char* dir = std::getenv("SUNDIAL_WAL_OUT");
  if (dir == nullptr) GTEST_SKIP() << "set SUNDIAL_WAL_OUT to an empty data/wal dir";
  auto w = Writer::Open(FileSystem::Default(), dir, {.compress = true});
  ASSERT_TRUE(w.ok()) << w.status();
  const int64_t now = absl::ToUnixMillis(absl::Now());
  std::string series, samples;
  EncodeSeries(
      std::vector<RefSeries>{{1, Labels{{"__name__", "sundial_interop"}, {"source", "wal"}}}},
      &series);
  std::vector<RefSample> s;
  for (int i = 0; i < 600; ++i) s.push_back({1, now - 600000 + 1000 * int64_t{i}, 1.0 * i});
  EncodeSamples(s, &samples);
  ASSERT_TRUE((*w)->Log({series, samples}).ok());
  ASSERT_TRUE((*w)->Close().ok());
}

}  // namespace
}  // namespace sundial::tsdb::wal
