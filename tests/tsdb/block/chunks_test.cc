#include "tsdb/block/chunks.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/block/format.h"

namespace sundial::tsdb::block {
namespace {

using ::testing::HasSubstr;

TEST(ChunksTest, WriteReadAcrossSegments) {
  MemFileSystem fs;
  ChunkWriter w(&fs, "/b/chunks", /*segment_size=*/100);
  std::vector<std::pair<uint64_t, std::string>> written;
  for (int i = 0; i < 20; ++i) {
    std::string data(static_cast<size_t>(i * 3 + 1), static_cast<char>('a' + i));
    absl::StatusOr<uint64_t> ref = w.Write(kEncXor, data);
    ASSERT_TRUE(ref.ok()) << ref.status();
    written.emplace_back(*ref, data);
  }
  ASSERT_TRUE(w.Close().ok());
  fs.Crash();  // everything was synced
  absl::StatusOr<std::vector<std::string>> names = fs.List("/b/chunks");
  ASSERT_TRUE(names.ok());
  EXPECT_GT(names->size(), 3u);
  EXPECT_EQ((*names)[0], "000001");
  // First chunk right after the 8-byte header of segment 0; refs increase.
  EXPECT_EQ(written[0].first, ChunkRef(0, 8));
  for (size_t i = 1; i < written.size(); ++i) EXPECT_GT(written[i].first, written[i - 1].first);

  absl::StatusOr<std::unique_ptr<ChunkReader>> r = ChunkReader::Open(&fs, "/b/chunks");
  ASSERT_TRUE(r.ok()) << r.status();
  for (const auto& [ref, data] : written) {
    absl::StatusOr<ChunkReader::Chunk> c = (*r)->Read(ref);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->encoding, kEncXor);
    EXPECT_EQ(c->data, data);
  }
}

TEST(ChunksTest, SegmentBytesMatchTheFormat) {
  MemFileSystem fs;
  ChunkWriter w(&fs, "/c");
  ASSERT_TRUE(w.Write(kEncXor, "xyz").ok());
  ASSERT_TRUE(w.Close().ok());
  std::string got = *fs.Contents("/c/000001");
  // magic, version 1, 3 padding bytes, len 3, encoding 1, "xyz", CRC32C("\x01xyz").
  std::string want("\x85\xBD\x40\xDD\x01\x00\x00\x00\x03\x01xyz", 13);
  ASSERT_EQ(got.substr(0, 13), want);
  ASSERT_EQ(got.size(), 17u);
}

TEST(ChunksTest, CorruptionIsReported) {
  MemFileSystem fs;
  ChunkWriter w(&fs, "/c");
  absl::StatusOr<uint64_t> ref = w.Write(kEncXor, "hello world");
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(w.Close().ok());
  std::string good = *fs.Contents("/c/000001");

  std::string bad = good;
  bad[12] ^= 0x20;  // inside the data
  ASSERT_TRUE(fs.SetContents("/c/000001", bad).ok());
  auto r = ChunkReader::Open(&fs, "/c");
  ASSERT_TRUE(r.ok());
  absl::StatusOr<ChunkReader::Chunk> c = (*r)->Read(*ref);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("/c/000001"));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("checksum mismatch"));

  ASSERT_TRUE(fs.SetContents("/c/000001", good.substr(0, good.size() - 2)).ok());
  r = ChunkReader::Open(&fs, "/c");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(std::string((*r)->Read(*ref).status().message()), HasSubstr("truncated"));

  bad = good;
  bad[0] = 0;
  ASSERT_TRUE(fs.SetContents("/c/000001", bad).ok());
  r = ChunkReader::Open(&fs, "/c");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("invalid magic number"));

  ASSERT_TRUE(fs.SetContents("/c/000001", good).ok());
  r = ChunkReader::Open(&fs, "/c");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)->Read(ChunkRef(1, 8)).ok());     // no such segment
  EXPECT_FALSE((*r)->Read(ChunkRef(0, 4)).ok());     // inside the header
  EXPECT_FALSE((*r)->Read(ChunkRef(0, 1000)).ok());  // past the end
}

}  // namespace
}  // namespace sundial::tsdb::block
