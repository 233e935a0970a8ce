#include "tsdb/block/meta.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::tsdb::block {
namespace {

using ::testing::HasSubstr;

// What Prometheus writes for a level-2 block (json.MarshalIndent with "\t").
constexpr char kCompacted[] =
    "{\n"
    "\t\"ulid\": \"01BKGV7JC0RY8A6MACW02A2PJD\",\n"
    "\t\"minTime\": 1500000000000,\n"
    "\t\"maxTime\": 1500021600000,\n"
    "\t\"stats\": {\n"
    "\t\t\"numSamples\": 1000,\n"
    "\t\t\"numSeries\": 10,\n"
    "\t\t\"numChunks\": 20\n"
    "\t},\n"
    "\t\"compaction\": {\n"
    "\t\t\"level\": 2,\n"
    "\t\t\"sources\": [\n"
    "\t\t\t\"01BKGTZQ1SYQJTR4PB43C8PD98\",\n"
    "\t\t\t\"01BKGTZQ1HHWHV8FBJXW1Y3W0K\"\n"
    "\t\t],\n"
    "\t\t\"parents\": [\n"
    "\t\t\t{\n"
    "\t\t\t\t\"ulid\": \"01BKGTZQ1SYQJTR4PB43C8PD98\",\n"
    "\t\t\t\t\"minTime\": 1500000000000,\n"
    "\t\t\t\t\"maxTime\": 1500007200000\n"
    "\t\t\t},\n"
    "\t\t\t{\n"
    "\t\t\t\t\"ulid\": \"01BKGTZQ1HHWHV8FBJXW1Y3W0K\",\n"
    "\t\t\t\t\"minTime\": 1500007200000,\n"
    "\t\t\t\t\"maxTime\": 1500021600000\n"
    "\t\t\t}\n"
    "\t\t]\n"
    "\t},\n"
    "\t\"version\": 1\n"
    "}";

BlockMeta CompactedMeta() {
  BlockMeta m;
  m.ulid = "01BKGV7JC0RY8A6MACW02A2PJD";
  m.min_time = 1500000000000;
  m.max_time = 1500021600000;
  m.stats.num_samples = 1000;
  m.stats.num_series = 10;
  m.stats.num_chunks = 20;
  m.compaction.level = 2;
  m.compaction.sources = {"01BKGTZQ1SYQJTR4PB43C8PD98", "01BKGTZQ1HHWHV8FBJXW1Y3W0K"};
  m.compaction.parents = {{"01BKGTZQ1SYQJTR4PB43C8PD98", 1500000000000, 1500007200000},
                          {"01BKGTZQ1HHWHV8FBJXW1Y3W0K", 1500007200000, 1500021600000}};
  return m;
}

TEST(MetaTest, MarshalMatchesPrometheusBytes) {
  EXPECT_EQ(MarshalMeta(CompactedMeta()), kCompacted);
}

TEST(MetaTest, EmptyStatsAndFlags) {
  BlockMeta m;
  m.ulid = "01BKGV7JC0RY8A6MACW02A2PJD";
  m.max_time = 1;
  m.compaction.level = 1;
  m.compaction.deletable = true;
  m.compaction.failed = true;
  m.compaction.hints = {"from-out-of-order"};
  EXPECT_EQ(MarshalMeta(m),
            "{\n\t\"ulid\": \"01BKGV7JC0RY8A6MACW02A2PJD\",\n\t\"minTime\": 0,\n\t\"maxTime\": 1,\n"
            "\t\"stats\": {},\n\t\"compaction\": {\n\t\t\"level\": 1,\n\t\t\"deletable\": true,\n"
            "\t\t\"failed\": true,\n\t\t\"hints\": [\n\t\t\t\"from-out-of-order\"\n\t\t]\n\t},\n"
            "\t\"version\": 1\n}");
  absl::StatusOr<BlockMeta> back = ParseMeta(MarshalMeta(m));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
}

TEST(MetaTest, ParseRoundTrip) {
  absl::StatusOr<BlockMeta> m = ParseMeta(kCompacted);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, CompactedMeta());
}

TEST(MetaTest, ParseIgnoresUnknownKeysAndWhitespace) {
  absl::StatusOr<BlockMeta> m = ParseMeta(
      R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","minTime":-5,"maxTime":5,"thanos":{"labels":{"a":"b"},)"
      R"("x":[1,2.5,null,true]},"stats":{"numSamples":3,"numFloatSamples":3},"compaction":{"level":1},"version":1})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->min_time, -5);
  EXPECT_EQ(m->stats.num_samples, 3u);
  EXPECT_EQ(m->stats.num_float_samples, 3u);
}

TEST(MetaTest, ParseRejectsBadInput) {
  const char* bad[] = {
      "",
      "{",
      "[]",
      R"({"minTime":0,"maxTime":1,"version":1})",                                      // no ulid
      R"({"ulid":"nope","minTime":0,"maxTime":1,"version":1})",                        // bad ulid
      R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","minTime":0,"maxTime":1,"version":2})",  // version
      R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","minTime":"0","maxTime":1,"version":1})",
      R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","minTime":0,"maxTime":1,"version":1} x)",
      R"({"ulid":"01BKGV7JC0RY8A6MACW02A2PJD","version":1,"compaction":{"sources":["bad"]}})",
  };
  for (const char* in : bad) {
    absl::StatusOr<BlockMeta> m = ParseMeta(in, "dir/meta.json");
    ASSERT_FALSE(m.ok()) << in;
    EXPECT_THAT(std::string(m.status().message()), HasSubstr("dir/meta.json")) << in;
  }
}

TEST(MetaTest, WriteAndReadThroughFileSystem) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/data/b").ok());
  ASSERT_TRUE(WriteMeta(&fs, "/data/b", CompactedMeta()).ok());
  EXPECT_EQ(*fs.Contents("/data/b/meta.json"), kCompacted);
  EXPECT_FALSE(*fs.Exists("/data/b/meta.json.tmp"));
  fs.Crash();  // written durably
  absl::StatusOr<BlockMeta> m = ReadMeta(&fs, "/data/b");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, CompactedMeta());
  EXPECT_FALSE(ReadMeta(&fs, "/data/missing").ok());
}

TEST(MetaTest, WriteFailureLeavesNoTmp) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/b").ok());
  fs.SetFaultHook([](MemFileSystem::Op op, const std::string&) {
    return op == MemFileSystem::Op::kRename ? absl::InternalError("injected") : absl::OkStatus();
  });
  absl::Status s = WriteMeta(&fs, "/b", CompactedMeta());
  EXPECT_FALSE(s.ok());
  fs.SetFaultHook(nullptr);
  EXPECT_FALSE(*fs.Exists("/b/meta.json.tmp"));
  EXPECT_FALSE(*fs.Exists("/b/meta.json"));
}

TEST(UlidTest, FormatTimeAndMonotonic) {
  std::string prev;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUlidAt(1500000000000 + i / 100);
    ASSERT_TRUE(IsValidUlid(u)) << u;
    EXPECT_EQ(UlidTime(u), 1500000000000 + i / 100);
    EXPECT_GT(u, prev);
    prev = u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
  // Known value: the time part of the ULID spec's example encodes 1469918176385 ms.
  EXPECT_EQ(UlidTime("01ARYZ6S41TSV4RRFFQ69G5FAV"), 1469918176385);
  std::string now = NewUlid();
  EXPECT_GT(now, prev);
  EXPECT_FALSE(IsValidUlid("81ARYZ6S41TSV4RRFFQ69G5FAV"));  // overflows 128 bits
  EXPECT_FALSE(IsValidUlid("01ARYZ6S41TSV4RRFFQ69G5FAU"));  // U is not Crockford
}

}  // namespace
}  // namespace sundial::tsdb::block
