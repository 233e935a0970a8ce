// Layout of what the Writer puts on disk, checked byte by byte against the format as documented
// in docs/format/wal.md (offsets and header bytes worked out by hand in the comments).
#include "tsdb/wal/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_system.h"
#include "tsdb/wal/format.h"
#include "tsdb/wal/reader.h"

namespace sundial::tsdb::wal {
namespace {

using ::testing::ElementsAre;

constexpr char kDir[] = "/wal";

uint8_t At(const std::string& s, size_t i) { return static_cast<uint8_t>(s.at(i)); }
int Length(const std::string& s, size_t header) {
  return At(s, header + 1) << 8 | At(s, header + 2);
}

std::vector<std::string> ReadAll(FileSystem* fs, const std::string& dir) {
  auto r = Reader::Open(fs, dir);
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<std::string> out;
  while ((*r)->Next()) out.emplace_back((*r)->record());
  EXPECT_TRUE((*r)->status().ok()) << (*r)->status();
  return out;
}

std::string Pattern(size_t n, int seed) {
  std::string s(n, '\0');
  uint32_t x = static_cast<uint32_t>(seed) * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

TEST(Writer, SmallSegmentByteExact) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  ASSERT_TRUE(w->Log("abc").ok());
  // type 0x01 (full), length 0x0003, CRC32C("abc") = 0x364B3FB7, then the payload.
  const std::string want_head = std::string("\x01\x00\x03\x36\x4B\x3F\xB7", 7) + "abc";
  EXPECT_EQ(*fs.Contents("/wal/00000000"), want_head);  // written, page not yet padded
  EXPECT_EQ(w->position().segment, 0);
  EXPECT_EQ(w->position().offset, 10);

  ASSERT_TRUE(w->Log(std::string_view()).ok());
  // An empty record: full fragment of length 0 with CRC32C("") = 0.
  EXPECT_EQ(*fs.Contents("/wal/00000000"), want_head + std::string("\x01\0\0\0\0\0\0", 7));

  ASSERT_TRUE(w->Close().ok());
  std::string want = want_head + std::string("\x01\0\0\0\0\0\0", 7);
  want.resize(kPageSize, '\0');  // Close pads the last page with zeros
  EXPECT_EQ(*fs.Contents("/wal/00000000"), want);
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre("abc", ""));
}

TEST(Writer, OpenStartsAfterTheLastSegment) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/wal/checkpoint.00000001").ok());
  for (const char* name : {"/wal/00000001", "/wal/00000002"}) {
    ASSERT_TRUE(fs.OpenWritable(name, OpenMode::kCreateNew).ok());
  }
  auto w = *Writer::Open(&fs, kDir);
  EXPECT_EQ(w->position().segment, 3);
  EXPECT_TRUE(*fs.Exists("/wal/00000003"));
  EXPECT_FALSE(Writer::Open(&fs, "/other", {.segment_size = 1000}).ok());
}

TEST(Writer, RecordExactlyFillingAPageIsOneFullFragment) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  const std::string rec = Pattern(kPageSize - 7, 1);  // 32761 bytes
  ASSERT_TRUE(w->Log(rec).ok());
  ASSERT_TRUE(w->Log("z").ok());
  std::string seg = *fs.Contents("/wal/00000000");
  EXPECT_EQ(At(seg, 0), 0x01);
  EXPECT_EQ(Length(seg, 0), 32761);
  EXPECT_EQ(At(seg, 32768), 0x01);  // next record starts the second page
  EXPECT_EQ(Length(seg, 32768), 1);
  EXPECT_EQ(seg.size(), 32768u + 8);
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre(rec, "z"));
}

TEST(Writer, RecordOneByteOverAPageIsFirstAndLast) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  const std::string rec = Pattern(kPageSize - 6, 2);  // 32762 bytes
  ASSERT_TRUE(w->Log(rec).ok());
  std::string seg = *fs.Contents("/wal/00000000");
  EXPECT_EQ(At(seg, 0), 0x02);
  EXPECT_EQ(Length(seg, 0), 32761);
  EXPECT_EQ(At(seg, 32768), 0x04);
  EXPECT_EQ(Length(seg, 32768), 1);
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre(rec));
}

TEST(Writer, FragmentsAfterAPartialPage) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  const std::string big = Pattern(100000, 3);
  ASSERT_TRUE(w->Log({std::string_view("abc"), std::string_view(big)}).ok());
  std::string seg = *fs.Contents("/wal/00000000");
  // "abc" takes 10 bytes; the first fragment fills the page: 32768 - 10 - 7 = 32751 bytes.
  EXPECT_EQ(At(seg, 10), 0x02);
  EXPECT_EQ(Length(seg, 10), 32751);
  // Two middle fragments of 32761, then 100000 - 32751 - 2 * 32761 = 1727 in the last.
  EXPECT_EQ(At(seg, 32768), 0x03);
  EXPECT_EQ(Length(seg, 32768), 32761);
  EXPECT_EQ(At(seg, 2 * 32768), 0x03);
  EXPECT_EQ(At(seg, 3 * 32768), 0x04);
  EXPECT_EQ(Length(seg, 3 * 32768), 1727);
  EXPECT_EQ(seg.size(), 3u * 32768 + 7 + 1727);
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre("abc", big));
}

TEST(Writer, LessThanAHeaderLeftPadsThePage) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  const std::string rec = Pattern(32756, 4);  // 7 + 32756 = 32763: 5 bytes left < header
  ASSERT_TRUE(w->Log(rec).ok());
  ASSERT_TRUE(w->Log("next").ok());
  std::string seg = *fs.Contents("/wal/00000000");
  EXPECT_EQ(seg.substr(32763, 5), std::string(5, '\0'));
  EXPECT_EQ(At(seg, 32768), 0x01);
  EXPECT_EQ(seg.substr(32775, 4), "next");
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre(rec, "next"));
}

TEST(Writer, RecordNotFittingTheSegmentStartsANewOne) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir, {.segment_size = 3 * kPageSize});
  std::vector<std::string> recs = {Pattern(40000, 5), Pattern(40000, 6), Pattern(40000, 7)};
  ASSERT_TRUE(w->Log(std::span<const std::string>(recs)).ok());
  // Record 1: 32761 in page 0, 7239 in page 1 (page 1 at 7246). Record 2 has
  // 32768 - 7246 - 7 = 25515 left in page 1 plus 32761 in page 2: fits. Record 3 has
  // 32768 - 14492 - 7 = 18269 left: the segment is padded and closed.
  std::string seg0 = *fs.Contents("/wal/00000000");
  EXPECT_EQ(seg0.size(), 3u * kPageSize);
  EXPECT_EQ(At(seg0, 32768 + 7246), 0x02);
  EXPECT_EQ(Length(seg0, 32768 + 7246), 25515);
  EXPECT_EQ(seg0.substr(2 * 32768 + 14492), std::string(32768 - 14492, '\0'));
  std::string seg1 = *fs.Contents("/wal/00000001");
  EXPECT_EQ(At(seg1, 0), 0x02);
  EXPECT_EQ(w->position().segment, 1);
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre(recs[0], recs[1], recs[2]));
}

TEST(Writer, RecordLargerThanASegmentGetsItsOwnOversizedSegment) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir, {.segment_size = kPageSize});
  const std::string huge = Pattern(50000, 8);
  ASSERT_TRUE(w->Log("x").ok());
  ASSERT_TRUE(w->Log(huge).ok());
  ASSERT_TRUE(w->Log("y").ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(fs.Contents("/wal/00000000")->size(), 32768u);
  EXPECT_EQ(fs.Contents("/wal/00000001")->size(), 2u * 32768);  // longer than segment_size
  EXPECT_EQ(fs.Contents("/wal/00000002")->size(), 32768u);
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre("x", huge, "y"));
}

TEST(Writer, CompressionOnlyWhenSmaller) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir, {.compress = true});
  const std::string repetitive(10000, 'a');
  const std::string random = Pattern(1000, 9);
  ASSERT_TRUE(w->Log({std::string_view(repetitive), std::string_view(random), ""}).ok());
  std::string seg = *fs.Contents("/wal/00000000");
  EXPECT_EQ(At(seg, 0), 0x01 | 0x08);  // full + snappy
  const int compressed_len = Length(seg, 0);
  EXPECT_LT(compressed_len, 1000);
  EXPECT_EQ(At(seg, 7 + compressed_len), 0x01);  // incompressible: stored as is
  EXPECT_EQ(Length(seg, 7 + compressed_len), 1000);
  EXPECT_EQ(At(seg, 7 + compressed_len + 1007), 0x01);  // empty: never compressed
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre(repetitive, random, ""));
}

TEST(Writer, CompressedLargeRecordRoundTrip) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir, {.segment_size = 4 * kPageSize, .compress = true});
  std::vector<std::string> recs;
  for (int i = 0; i < 20; ++i)
    recs.push_back(std::string(30000 + i * 1000, 'a' + i % 26) + Pattern(9000, i));
  ASSERT_TRUE(w->Log(std::span<const std::string>(recs)).ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(ReadAll(&fs, kDir), recs);
}

TEST(Writer, NextSegmentAndTruncate) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  ASSERT_TRUE(w->Log("a").ok());
  EXPECT_EQ(*w->NextSegment(), 1);
  EXPECT_EQ(fs.Contents("/wal/00000000")->size(), 32768u);  // padded on completion
  ASSERT_TRUE(w->Log("b").ok());
  EXPECT_EQ(*w->NextSegment(), 2);
  ASSERT_TRUE(w->Log("c").ok());
  EXPECT_FALSE(w->Truncate(3).ok());
  ASSERT_TRUE(w->Truncate(2).ok());
  EXPECT_THAT(*fs.List(kDir), ElementsAre("00000002"));
  EXPECT_THAT(ReadAll(&fs, kDir), ElementsAre("c"));
}

TEST(Writer, IoErrorIsSticky) {
  MemFileSystem fs;
  auto w = *Writer::Open(&fs, kDir);
  fs.SetFaultHook([](MemFileSystem::Op op, const std::string&) {
    return op == MemFileSystem::Op::kAppend ? absl::InternalError("EIO") : absl::OkStatus();
  });
  EXPECT_FALSE(w->Log("a").ok());
  fs.SetFaultHook(nullptr);
  EXPECT_FALSE(w->Log("b").ok());
  EXPECT_FALSE(w->Sync().ok());
}

}  // namespace
}  // namespace sundial::tsdb::wal
