// chunks_head/: the record format against hand-computed bytes, write -> mmap -> read back,
// file rollover at 128 MiB, corrupt and truncated files, zero-filled tails, truncation.
#include "tsdb/head_chunks/chunk_disk_mapper.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/str_cat.h"
#include "testing/temp_dir.h"
#include "tsdb/head_chunks/format.h"
#include "tsdb/xor_chunk.h"

namespace sundial::tsdb::head_chunks {
namespace {

namespace fs = std::filesystem;

using sundial::testing::FreshScratchDir;

std::string Xor(Timestamp from, int n) {
  XorChunk c;
  for (int i = 0; i < n; ++i) c.Append(from + i * 15000, i * 1.5);
  return std::string(c.bytes());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

TEST(HeadChunksFormat, FileHeaderBytes) {
  EXPECT_EQ(FileHeader(), std::string("\x01\x30\xBC\x91\x01\x00\x00\x00", 8));
  EXPECT_EQ(FileName(1), "000001");
  EXPECT_EQ(FileName(1234567), "1234567");
}

TEST(HeadChunksFormat, OneRecordHandComputed) {
  std::string rec;
  AppendChunkRecord(1, 1000, 2000, kEncXor, std::string("\x00\x01\xAB", 3), &rec);
  // series ref, mint 1000, maxt 2000 (8 bytes big-endian each), encoding 1, uvarint length 3,
  // the data, then CRC32C of all of it (0xdaad36ed, computed bit by bit with 0x82F63B78).
  const std::string want(
      "\x00\x00\x00\x00\x00\x00\x00\x01"
      "\x00\x00\x00\x00\x00\x00\x03\xE8"
      "\x00\x00\x00\x00\x00\x00\x07\xD0"
      "\x01\x03\x00\x01\xAB"
      "\xDA\xAD\x36\xED",
      33);
  EXPECT_EQ(rec, want);
  EXPECT_EQ(RecordSize(3), want.size());

  ChunkRecord r;
  size_t n = 0;
  const std::string with_more = rec + "trailing";  // r.data points into it
  ASSERT_TRUE(ParseChunkRecord(with_more, &r, &n).ok());
  EXPECT_EQ(n, want.size());
  EXPECT_EQ(r.series_ref, 1u);
  EXPECT_EQ(r.mint, 1000);
  EXPECT_EQ(r.maxt, 2000);
  EXPECT_EQ(r.encoding, kEncXor);
  EXPECT_EQ(r.data, std::string("\x00\x01\xAB", 3));
  EXPECT_EQ(r.num_samples, 1);

  std::string bad = rec;
  bad[30] ^= 1;
  EXPECT_FALSE(ParseChunkRecord(bad, &r, &n).ok());
  EXPECT_FALSE(ParseChunkRecord(rec.substr(0, 32), &r, &n).ok());
  EXPECT_FALSE(ParseChunkRecord(rec.substr(0, 20), &r, &n).ok());
}

TEST(ChunkDiskMapper, WriteMmapReadBack) {
  const std::string dir = FreshScratchDir("roundtrip");
  std::vector<std::string> data = {Xor(0, 120), Xor(1800000, 120), Xor(3600000, 7)};
  std::vector<uint64_t> refs;
  {
    ChunkDiskMapper m;
    std::vector<LoadedChunk> none;
    ASSERT_TRUE(m.Open(dir, &none).ok());
    EXPECT_TRUE(none.empty());
    for (size_t i = 0; i < data.size(); ++i) {
      absl::StatusOr<std::shared_ptr<const ClosedChunk>> c =
          m.Write(100 + i, i * 10, i * 10 + 5, i == 2 ? 7 : 120, data[i]);
      ASSERT_TRUE(c.ok()) << c.status();
      EXPECT_EQ((*c)->bytes(), data[i]);
      EXPECT_NE((*c)->disk_ref(), 0u);
      refs.push_back((*c)->disk_ref());
    }
    EXPECT_EQ(refs[0], ChunkRef(1, kFileHeaderSize));
    EXPECT_EQ(refs[1], refs[0] + RecordSize(data[0].size()));
    ASSERT_TRUE(m.Close().ok());
  }
  EXPECT_EQ(fs::file_size(dir + "/000001"), kFileHeaderSize + RecordSize(data[0].size()) +
                                                RecordSize(data[1].size()) +
                                                RecordSize(data[2].size()));

  ChunkDiskMapper m;
  std::vector<LoadedChunk> loaded;
  OpenStats stats;
  ASSERT_TRUE(m.Open(dir, &loaded, &stats).ok());
  EXPECT_EQ(stats.files, 1);
  ASSERT_EQ(loaded.size(), 3u);
  for (size_t i = 0; i < data.size(); ++i) {
    EXPECT_EQ(loaded[i].series_ref, 100 + i);
    EXPECT_EQ(loaded[i].encoding, kEncXor);
    EXPECT_EQ(loaded[i].chunk->mint, static_cast<Timestamp>(i * 10));
    EXPECT_EQ(loaded[i].chunk->maxt, static_cast<Timestamp>(i * 10 + 5));
    EXPECT_EQ(loaded[i].chunk->num_samples, i == 2 ? 7 : 120);
    EXPECT_EQ(loaded[i].chunk->disk_ref(), refs[i]);
    EXPECT_EQ(loaded[i].chunk->bytes(), data[i]);
  }
  // New chunks go to a new file after Open, as in Prometheus.
  absl::StatusOr<std::shared_ptr<const ClosedChunk>> c = m.Write(1, 50, 60, 120, data[0]);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->disk_ref(), ChunkRef(2, kFileHeaderSize));
  EXPECT_EQ(m.Files(), (std::vector<uint32_t>{1, 2}));
}

TEST(ChunkDiskMapper, RollsOverAt128MiB) {
  const std::string dir = FreshScratchDir("rollover");
  ChunkDiskMapper m;
  std::vector<LoadedChunk> none;
  ASSERT_TRUE(m.Open(dir, &none).ok());
  const std::string big(1 << 20, 'x');
  uint64_t last = 0;
  int written = 0;
  while (m.Files().size() < 2) {
    absl::StatusOr<std::shared_ptr<const ClosedChunk>> c = m.Write(1, written, written, 1, big);
    ASSERT_TRUE(c.ok()) << c.status();
    last = (*c)->disk_ref();
    ++written;
  }
  // The first file holds as many records as fit in 128 MiB; the next starts after the header.
  const uint64_t per_file = (kMaxFileSize - kFileHeaderSize) / RecordSize(big.size());
  EXPECT_EQ(written, static_cast<int>(per_file) + 1);
  EXPECT_EQ(last, ChunkRef(2, kFileHeaderSize));
  EXPECT_LE(fs::file_size(dir + "/000001"), kMaxFileSize);
  ASSERT_TRUE(m.Close().ok());

  ChunkDiskMapper again;
  std::vector<LoadedChunk> loaded;
  ASSERT_TRUE(again.Open(dir, &loaded).ok());
  EXPECT_EQ(loaded.size(), static_cast<size_t>(written));
  fs::remove_all(dir);
}

// Two files with two chunks each: 000001 (series 1, 2) and 000002 (series 3, 4).
std::string TwoFiles(const std::string& name) {
  const std::string dir = FreshScratchDir(name);
  ChunkDiskMapper m;
  std::vector<LoadedChunk> none;
  EXPECT_TRUE(m.Open(dir, &none).ok());
  EXPECT_TRUE(m.Write(1, 0, 100, 120, Xor(0, 120)).ok());
  EXPECT_TRUE(m.Write(2, 0, 100, 120, Xor(0, 120)).ok());
  EXPECT_TRUE(m.Truncate(INT64_MIN).ok());  // cuts the file, deletes nothing
  EXPECT_TRUE(m.Write(3, 200, 300, 120, Xor(0, 120)).ok());
  EXPECT_TRUE(m.Write(4, 200, 300, 120, Xor(0, 120)).ok());
  EXPECT_EQ(m.Files(), (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(m.Close().ok());
  return dir;
}

std::vector<uint64_t> OpenSeriesRefs(const std::string& dir, OpenStats* stats) {
  ChunkDiskMapper m;
  std::vector<LoadedChunk> loaded;
  EXPECT_TRUE(m.Open(dir, &loaded, stats).ok());
  std::vector<uint64_t> refs;
  for (const LoadedChunk& c : loaded) refs.push_back(c.series_ref);
  return refs;
}

TEST(ChunkDiskMapper, FlippedCrcByteDeletesThatFileAndLaterOnes) {
  const std::string dir = TwoFiles("crc");
  std::string f1 = ReadFile(dir + "/000001");
  f1[f1.size() - 1] ^= 0xff;  // the CRC of series 2's chunk
  WriteFile(dir + "/000001", f1);
  OpenStats stats;
  EXPECT_TRUE(OpenSeriesRefs(dir, &stats).empty());
  EXPECT_EQ(stats.deleted_files, 2);
  EXPECT_FALSE(fs::exists(dir + "/000001"));
  EXPECT_FALSE(fs::exists(dir + "/000002"));
}

TEST(ChunkDiskMapper, CorruptLastFileKeepsEarlierFiles) {
  const std::string dir = TwoFiles("lastcorrupt");
  std::string f2 = ReadFile(dir + "/000002");
  f2[kFileHeaderSize + 30] ^= 0x10;  // inside series 3's chunk data
  WriteFile(dir + "/000002", f2);
  OpenStats stats;
  EXPECT_EQ(OpenSeriesRefs(dir, &stats), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(stats.deleted_files, 1);
  EXPECT_TRUE(fs::exists(dir + "/000001"));
  EXPECT_FALSE(fs::exists(dir + "/000002"));
}

TEST(ChunkDiskMapper, TruncatedFileIsDeleted) {
  const std::string dir = TwoFiles("truncated");
  fs::resize_file(dir + "/000002", fs::file_size(dir + "/000002") - 3);
  OpenStats stats;
  EXPECT_EQ(OpenSeriesRefs(dir, &stats), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(stats.deleted_files, 1);
}

TEST(ChunkDiskMapper, BadMagicIsCorruption) {
  const std::string dir = TwoFiles("magic");
  std::string f2 = ReadFile(dir + "/000002");
  f2[0] = 0x7f;
  WriteFile(dir + "/000002", f2);
  OpenStats stats;
  EXPECT_EQ(OpenSeriesRefs(dir, &stats), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(stats.deleted_files, 1);
}

TEST(ChunkDiskMapper, ZeroFilledTailEndsTheFile) {
  const std::string dir = TwoFiles("zeros");
  WriteFile(dir + "/000002", ReadFile(dir + "/000002") + std::string(4096, '\0'));
  OpenStats stats;
  EXPECT_EQ(OpenSeriesRefs(dir, &stats), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(stats.deleted_files, 0);
}

TEST(ChunkDiskMapper, TruncateDeletesOldFilesOnly) {
  const std::string dir = FreshScratchDir("truncate");
  ChunkDiskMapper m;
  std::vector<LoadedChunk> none;
  ASSERT_TRUE(m.Open(dir, &none).ok());
  std::shared_ptr<const ClosedChunk> old;
  for (int f = 0; f < 3; ++f) {
    absl::StatusOr<std::shared_ptr<const ClosedChunk>> c =
        m.Write(1, f * 1000, f * 1000 + 999, 120, Xor(f * 1000, 120));
    ASSERT_TRUE(c.ok());
    if (f == 0) old = *c;
    ASSERT_TRUE(m.Truncate(INT64_MIN).ok());  // one file per chunk
  }
  EXPECT_EQ(m.Files(), (std::vector<uint32_t>{1, 2, 3}));
  ASSERT_TRUE(m.Truncate(1500).ok());  // file 1 ends at 999; file 2 at 1999 stays
  EXPECT_EQ(m.Files(), (std::vector<uint32_t>{2, 3}));
  EXPECT_FALSE(fs::exists(dir + "/000001"));
  // A reader holding a chunk of a deleted file still reads it from the mapping.
  EXPECT_EQ(old->bytes(), Xor(0, 120));
  ASSERT_TRUE(m.Truncate(10000).ok());
  EXPECT_TRUE(m.Files().empty());
  // Numbering continues after the deleted files.
  absl::StatusOr<std::shared_ptr<const ClosedChunk>> c = m.Write(1, 20000, 20001, 2, Xor(0, 2));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->disk_ref(), ChunkRef(4, kFileHeaderSize));
  fs::remove_all(dir);
}

TEST(ChunkDiskMapper, WriteBeforeOpenFailsAndPersistKeepsInMemory) {
  ChunkDiskMapper m;
  EXPECT_FALSE(m.Write(1, 0, 1, 1, "ab").ok());
  ClosedChunk c(0, 1, 1, std::string("ab"));
  EXPECT_EQ(m.Persist(1, c), nullptr);
}

}  // namespace
}  // namespace sundial::tsdb::head_chunks
