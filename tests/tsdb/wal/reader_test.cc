// Reading hand-built segments, and one test per kind of corruption: each must be reported at
// the right segment and offset, and Repair must keep every record before it.
#include "tsdb/wal/reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "base/file_system.h"
#include "testing/temp_dir.h"
#include "tsdb/wal/corruption.h"
#include "tsdb/wal/format.h"
#include "tsdb/wal/records.h"
#include "tsdb/wal/repair.h"
#include "tsdb/wal/segments.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb::wal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kDir[] = "/wal";

// A fragment as docs/format/wal.md describes it.
std::string Fragment(uint8_t type, std::string_view payload) {
  std::string f;
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(payload.size() >> 8));
  f.push_back(static_cast<char>(payload.size()));
  uint32_t crc = Crc32c(payload);
  for (int i = 3; i >= 0; --i) f.push_back(static_cast<char>(crc >> (8 * i)));
  f.append(payload);
  return f;
}

struct ReadResult {
  std::vector<std::string> records;
  absl::Status status;
};

ReadResult ReadAll(FileSystem* fs, const std::string& dir = kDir) {
  ReadResult out;
  auto r = Reader::Open(fs, dir);
  if (!r.ok()) return {{}, r.status()};
  while ((*r)->Next()) out.records.emplace_back((*r)->record());
  out.status = (*r)->status();
  return out;
}

void WriteSegment(MemFileSystem* fs, int index, const std::string& data) {
  ASSERT_TRUE(fs->CreateDirs(kDir).ok());
  auto f = fs->OpenWritable(JoinPath(kDir, SegmentName(index)), OpenMode::kTruncate);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(data).ok());
  ASSERT_TRUE((*f)->Sync().ok());
}

void ExpectCorruption(const absl::Status& s, int segment, int64_t offset, std::string_view what) {
  std::optional<Corruption> c = GetCorruption(s);
  ASSERT_TRUE(c.has_value()) << s;
  EXPECT_EQ(c->segment, segment) << s;
  EXPECT_EQ(c->offset, offset) << s;
  EXPECT_THAT(c->reason, HasSubstr(what));
}

// Repairs at the corruption in s and checks what reads back afterwards.
void RepairAndExpect(MemFileSystem* fs, const absl::Status& s, std::vector<std::string> want) {
  std::optional<Corruption> c = GetCorruption(s);
  ASSERT_TRUE(c.has_value());
  ASSERT_TRUE(Repair(fs, *c).ok());
  ReadResult after = ReadAll(fs);
  EXPECT_TRUE(after.status.ok()) << after.status;
  EXPECT_EQ(after.records, want);
  // The log is writable again and continues after the repaired segment.
  auto w = Writer::Open(fs, kDir);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->position().segment, c->segment + 1);
  ASSERT_TRUE((*w)->Log("after repair").ok());
  want.push_back("after repair");
  EXPECT_EQ(ReadAll(fs).records, want);
}

TEST(Reader, DecodesAHandBuiltSegment) {
  // Page 0: a full series record, then a samples record split into first + middle, zero padding;
  // page 1: its last fragment. The file ends mid-page, as after a crash.
  std::string series, samples;
  EncodeSeries(std::vector<RefSeries>{{1, Labels{{"a", "b"}}}}, &series);
  EncodeSamples(std::vector<RefSample>{{1, 1000, 1.0}, {2, 1015, 2.0}}, &samples);
  ASSERT_EQ(samples.size(), 37u);
  std::string seg = Fragment(0x01, series) + Fragment(0x02, samples.substr(0, 20)) +
                    Fragment(0x03, samples.substr(20, 10));
  seg.resize(kPageSize, '\0');
  seg += Fragment(0x04, samples.substr(30));
  MemFileSystem fs;
  WriteSegment(&fs, 0, seg);

  auto r = *Reader::Open(&fs, kDir);
  ASSERT_TRUE(r->Next());
  EXPECT_EQ(r->record(), series);
  EXPECT_EQ(r->offset(), 0);
  ASSERT_TRUE(r->Next());
  EXPECT_EQ(r->record(), samples);
  EXPECT_EQ(r->segment(), 0);
  EXPECT_EQ(r->offset(), 7 + 14);
  EXPECT_FALSE(r->Next());
  EXPECT_TRUE(r->status().ok()) << r->status();
  std::vector<RefSample> decoded;
  ASSERT_TRUE(DecodeSamples(samples, &decoded).ok());
  EXPECT_THAT(decoded, ElementsAre(RefSample{1, 1000, 1.0}, RefSample{2, 1015, 2.0}));
}

TEST(Reader, SegmentRangeAndEmptySegments) {
  MemFileSystem fs;
  WriteSegment(&fs, 3, Fragment(1, "three"));
  WriteSegment(&fs, 4, "");
  WriteSegment(&fs, 5, Fragment(1, "five"));
  EXPECT_THAT(ReadAll(&fs).records, ElementsAre("three", "five"));
  auto r = *Reader::Open(&fs, kDir, 4, 5);
  ASSERT_TRUE(r->Next());
  EXPECT_EQ(r->record(), "five");
  EXPECT_EQ(r->segment(), 5);
  EXPECT_FALSE(r->Next());
}

TEST(Reader, SnappyHandBuilt) {
  // Snappy block format: uvarint length 3, literal tag (3-1)<<2 = 0x08, "abc".
  MemFileSystem fs;
  WriteSegment(&fs, 0,
               Fragment(0x09, std::string("\x03\x08"
                                          "abc",
                                          5)));
  EXPECT_THAT(ReadAll(&fs).records, ElementsAre("abc"));
}

// --- Corruption, one test per kind ------------------------------------------------------------

TEST(ReaderCorruption, TornWriteAtTheTail) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  const std::string big(50000, 'b');
  ASSERT_TRUE(w->Log({std::string_view("first"), std::string_view(big)}).ok());
  ASSERT_TRUE(w->Close().ok());
  // "first" is 12 bytes; big starts at 12 and continues into page 1. Cut inside page 1.
  std::string seg = *fs.Contents("/wal/00000000");
  ASSERT_TRUE(fs.SetContents("/wal/00000000", seg.substr(0, kPageSize + 100)).ok());

  ReadResult got = ReadAll(&fs);
  EXPECT_THAT(got.records, ElementsAre("first"));
  ExpectCorruption(got.status, 0, 12, "truncated fragment");
  RepairAndExpect(&fs, got.status, {"first"});
}

TEST(ReaderCorruption, TornHeaderAtTheTail) {
  MemFileSystem fs;
  WriteSegment(&fs, 0, Fragment(1, "ok") + Fragment(1, "torn").substr(0, 4));
  ReadResult got = ReadAll(&fs);
  EXPECT_THAT(got.records, ElementsAre("ok"));
  ExpectCorruption(got.status, 0, 9, "truncated fragment header");
  RepairAndExpect(&fs, got.status, {"ok"});
}

TEST(ReaderCorruption, LastRecordTornAtSegmentEnd) {
  // The first fragment is complete but the rest never made it.
  MemFileSystem fs;
  WriteSegment(&fs, 0, Fragment(1, "ok") + Fragment(2, "part"));
  WriteSegment(&fs, 1, Fragment(1, "next"));
  ReadResult got = ReadAll(&fs);
  EXPECT_THAT(got.records, ElementsAre("ok"));
  ExpectCorruption(got.status, 0, 9, "torn");
  RepairAndExpect(&fs, got.status, {"ok"});
}

TEST(ReaderCorruption, FlippedByteInTheMiddleIsAChecksumMismatch) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  ASSERT_TRUE(w->Log({"a0", "a1", "a2"}).ok());
  ASSERT_TRUE(w->NextSegment().ok());
  ASSERT_TRUE(w->Log({"b0", "b1", "b2"}).ok());
  ASSERT_TRUE(w->NextSegment().ok());
  ASSERT_TRUE(w->Log({"c0"}).ok());
  ASSERT_TRUE(w->Close().ok());
  // Each record is 9 bytes: b1 is at 9 in segment 1, its payload at 16.
  std::string seg = *fs.Contents("/wal/00000001");
  seg[17] ^= 0x20;
  ASSERT_TRUE(fs.SetContents("/wal/00000001", seg).ok());
  ReadResult got = ReadAll(&fs);
  EXPECT_THAT(got.records, ElementsAre("a0", "a1", "a2", "b0"));
  ExpectCorruption(got.status, 1, 9, "checksum mismatch");
  RepairAndExpect(&fs, got.status, {"a0", "a1", "a2", "b0"});
}

TEST(ReaderCorruption, FlippedByteInTheLastRecord) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  const std::string big(40000, 'x');
  ASSERT_TRUE(w->Log({std::string_view("a"), std::string_view(big)}).ok());
  ASSERT_TRUE(w->Sync().ok());
  std::string seg = *fs.Contents("/wal/00000000");
  seg.back() ^= 0x01;  // in the last fragment of big, on page 1
  ASSERT_TRUE(fs.SetContents("/wal/00000000", seg).ok());
  ReadResult got = ReadAll(&fs);
  EXPECT_THAT(got.records, ElementsAre("a"));
  ExpectCorruption(got.status, 0, 8, "checksum mismatch at offset 32768");
}

TEST(ReaderCorruption, BadFragmentTypeSequences) {
  struct Case {
    std::string name;
    std::string data;
    std::string reason;
  };
  const std::string ok = Fragment(1, "ok");  // 9 bytes
  std::vector<Case> cases = {
      {"middle without first", ok + Fragment(3, "m"), "unexpected middle"},
      {"last without first", ok + Fragment(4, "l"), "unexpected last"},
      {"full inside a record", ok + Fragment(2, "f") + Fragment(1, "x"), "unexpected full"},
      {"first inside a record", ok + Fragment(2, "f") + Fragment(2, "x"), "unexpected first"},
      {"invalid type 5", ok + Fragment(5, "x"), "invalid fragment type byte 0x05"},
      {"unknown flag bit", ok + Fragment(0x21, "x"), "invalid fragment type byte 0x21"},
      {"compression flag changes", ok + Fragment(2, "f") + Fragment(0x0C, "x"), "compression"},
      {"non-zero padding", ok + std::string("\0\0\x07", 3), "non-zero byte in page padding"},
      {"length past the page", ok + Fragment(1, std::string(kPageSize - 9 - 7 + 1, 'y')),
       "runs past the end of the page"},
      {"bad snappy", ok + Fragment(0x09, "\x05zz"), "snappy"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    MemFileSystem fs;
    WriteSegment(&fs, 0, c.data);
    ReadResult got = ReadAll(&fs);
    EXPECT_THAT(got.records, ElementsAre("ok"));
    ExpectCorruption(got.status, 0, 9, c.reason);
  }
}

TEST(ReaderCorruption, HeaderAcrossAPageBoundary) {
  MemFileSystem fs;
  std::string seg = Fragment(1, std::string(kPageSize - 7 - 3, 'a'));  // 3 bytes left in page
  seg += Fragment(1, "x");
  WriteSegment(&fs, 0, seg);
  ReadResult got = ReadAll(&fs);
  EXPECT_EQ(got.records.size(), 1u);
  ExpectCorruption(got.status, 0, kPageSize - 3, "crosses a page boundary");
}

TEST(ReaderCorruption, MissingSegmentInTheMiddle) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  for (std::string_view rec : {"s0", "s1", "s2"}) {
    ASSERT_TRUE(w->Log(rec).ok());
    ASSERT_TRUE(w->NextSegment().ok());
  }
  ASSERT_TRUE(w->Close().ok());
  ASSERT_TRUE(fs.Remove("/wal/00000001").ok());
  ReadResult got = ReadAll(&fs);
  EXPECT_THAT(got.records, ElementsAre("s0"));
  ExpectCorruption(got.status, 1, 0, "missing segment");
  std::optional<Corruption> c = GetCorruption(got.status);
  ASSERT_TRUE(Repair(&fs, *c).ok());
  EXPECT_THAT(*fs.List(kDir), ElementsAre("00000000"));
  EXPECT_THAT(ReadAll(&fs).records, ElementsAre("s0"));
}

TEST(Reader, ZstdIsRejectedButNotCorruption) {
  MemFileSystem fs;
  WriteSegment(&fs, 0, Fragment(1, "ok") + Fragment(0x11, "zstd bytes"));
  ReadResult got = ReadAll(&fs);
  EXPECT_THAT(got.records, ElementsAre("ok"));
  EXPECT_TRUE(absl::IsUnimplemented(got.status)) << got.status;
  EXPECT_FALSE(IsCorruptionError(got.status));
}

TEST(Repair, RefusesCheckpoints) {
  MemFileSystem fs;
  EXPECT_TRUE(
      absl::IsFailedPrecondition(Repair(&fs, Corruption{"/wal/checkpoint.00000003", 0, 0, "x"})));
}

TEST(Reader, EmptyDirectory) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs(kDir).ok());
  ReadResult got = ReadAll(&fs);
  EXPECT_THAT(got.records, IsEmpty());
  EXPECT_TRUE(got.status.ok());
  EXPECT_FALSE(Reader::Open(&fs, "/nope").ok());
}

// On the POSIX file system segments are read through a memory-mapped window of pages that moves
// along (PageWindow): records of every size, across window, page and segment boundaries, and a
// segment ending inside a page read back unchanged; a flipped byte on disk is still found.
TEST(ReaderTest, ReadsSegmentsOnDiskThroughMappedWindows) {
  testing::TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const std::string dir = tmp.File("wal");
  FileSystem* fs = FileSystem::Default();
  std::mt19937 rng(7);
  std::vector<std::string> want;
  {
    auto w = *Writer::Open(fs, dir, {.segment_size = 6 * (int64_t{1} << 20)});
    for (int i = 0; i < 800; ++i) {
      // Mostly small records, some spanning many pages.
      const size_t n = i % 5 == 0 ? rng() % 200'000 : rng() % 3'000;
      std::string rec(n, '\0');
      for (char& c : rec) c = static_cast<char>(rng());
      ASSERT_TRUE(w->Log(rec).ok());
      want.push_back(std::move(rec));
    }
    ASSERT_TRUE(w->Close().ok());
  }
  ReadResult got = ReadAll(fs, dir);
  ASSERT_TRUE(got.status.ok()) << got.status;
  ASSERT_EQ(got.records.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got.records[i], want[i]) << "record " << i;

  // A byte in the middle of the second segment, past the first window.
  const std::string path = SegmentPath(dir, 1);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(5 << 20);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x40);
    f.seekp(5 << 20);
    f.write(&c, 1);
  }
  got = ReadAll(fs, dir);
  std::optional<Corruption> c = GetCorruption(got.status);
  ASSERT_TRUE(c.has_value()) << got.status;
  EXPECT_EQ(c->segment, 1);
  EXPECT_LE(c->offset, 5 << 20);
  ASSERT_LT(got.records.size(), want.size());
  for (size_t i = 0; i < got.records.size(); ++i) EXPECT_EQ(got.records[i], want[i]);
}

}  // namespace
}  // namespace sundial::tsdb::wal
