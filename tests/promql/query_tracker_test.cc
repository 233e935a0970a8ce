#include "promql/query_tracker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/head.h"

namespace sundial::promql {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

std::string TempDir() {
  std::string tmpl = ::testing::TempDir() + "/tracker-XXXXXX";
  char* d = mkdtemp(tmpl.data());
  return d ? d : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ActiveQueryTrackerTest, FileHasOneSlotPerConcurrentQueryAndStartsEmpty) {
  const std::string dir = TempDir() + "/data";  // created by Open
  auto t = ActiveQueryTracker::Open(dir, 3);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE((*t)->unfinished().has_value());
  const std::string bytes = ReadFile(dir + "/queries.active");
  ASSERT_EQ(bytes.size(), 1 + 3 * ActiveQueryTracker::kEntrySize);
  EXPECT_EQ(bytes[0], '[');
  EXPECT_EQ(bytes.find_first_not_of('\0', 1), std::string::npos);
  EXPECT_EQ(ActiveQueryTracker::ParseFile(bytes), std::nullopt);
}

TEST(ActiveQueryTrackerTest, RunningQueriesAreInTheFileAndLeaveItWhenDone) {
  const std::string dir = TempDir();
  auto t = ActiveQueryTracker::Open(dir, 2);
  ASSERT_TRUE(t.ok()) << t.status();
  const size_t a = (*t)->Insert("up");
  const size_t b = (*t)->Insert("sum by (job) (rate(x{a=\"<b>\"}[5m]))");
  EXPECT_NE(a, b);
  auto parsed = ActiveQueryTracker::ParseFile(ReadFile((*t)->path()));
  ASSERT_TRUE(parsed.has_value());
  // Go's json.Marshal spelling: HTML characters escaped.
  EXPECT_THAT(*parsed, MatchesRegex(R"re(\[\{"query":"up","timestamp_sec":[0-9]+\},)re"
                                    R"re(\{"query":"sum by \(job\) \(rate\(x\{a=)re"
                                    R"re(\\"\\u003cb\\u003e\\"\}\[5m\]\)\)",)re"
                                    R"re("timestamp_sec":[0-9]+\}\])re"));
  (*t)->Delete(a);
  parsed = ActiveQueryTracker::ParseFile(ReadFile((*t)->path()));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_THAT(*parsed, Not(HasSubstr("\"up\"")));
  EXPECT_THAT(*parsed, HasSubstr("rate(x"));
  (*t)->Delete(b);
  EXPECT_EQ(ActiveQueryTracker::ParseFile(ReadFile((*t)->path())), std::nullopt);
}

TEST(ActiveQueryTrackerTest, LongQueriesAreCutToTheSlot) {
  const std::string dir = TempDir();
  auto t = ActiveQueryTracker::Open(dir, 1);
  ASSERT_TRUE(t.ok()) << t.status();
  std::string q(3000, 'x');
  q += "ä";
  (*t)->Insert(q);
  const std::string bytes = ReadFile((*t)->path());
  EXPECT_EQ(bytes.size(), 1 + ActiveQueryTracker::kEntrySize);
  auto parsed = ActiveQueryTracker::ParseFile(bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_THAT(*parsed, MatchesRegex(R"re(\[\{"query":"x+","timestamp_sec":[0-9]+\}\])re"));
  EXPECT_LE(parsed->size(), ActiveQueryTracker::kEntrySize + 1);
}

TEST(ActiveQueryTrackerTest, NextOpenReportsWhatThePreviousRunLeft) {
  const std::string dir = TempDir();
  {
    auto t = ActiveQueryTracker::Open(dir, 4);
    ASSERT_TRUE(t.ok()) << t.status();
    (*t)->Insert("rate(a[1m])");
    const size_t done = (*t)->Insert("finished");
    (*t)->Insert("max(b)");
    (*t)->Delete(done);
    // The process "crashes": the slots stay in the file.
  }
  auto t = ActiveQueryTracker::Open(dir, 4);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE((*t)->unfinished().has_value());
  EXPECT_THAT(*(*t)->unfinished(),
              MatchesRegex(R"re(\[\{"query":"rate\(a\[1m\]\)","timestamp_sec":[0-9]+\},)re"
                           R"re(\{"query":"max\(b\)","timestamp_sec":[0-9]+\}\])re"));
  // The new file starts empty again.
  EXPECT_EQ(ActiveQueryTracker::ParseFile(ReadFile((*t)->path())), std::nullopt);
  auto again = ActiveQueryTracker::Open(dir, 4);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->unfinished().has_value());
}

TEST(ActiveQueryTrackerTest, InsertWaitsForAFreeSlot) {
  const std::string dir = TempDir();
  auto t = ActiveQueryTracker::Open(dir, 1);
  ASSERT_TRUE(t.ok()) << t.status();
  const size_t first = (*t)->Insert("first");
  std::atomic<bool> inserted{false};
  std::thread other([&] {
    const size_t h = (*t)->Insert("second");
    inserted = true;
    (*t)->Delete(h);
  });
  // The second query cannot have a slot before the first frees it.
  EXPECT_FALSE(inserted.load());
  EXPECT_THAT(ReadFile((*t)->path()), HasSubstr("first"));
  (*t)->Delete(first);
  other.join();
  EXPECT_TRUE(inserted.load());
}

// The engine records each query while it runs (seen from inside through a function of the
// query: the file is read back after the query when it has been cleared again).
TEST(ActiveQueryTrackerTest, EngineQueriesTakeASlotAndFreeIt) {
  const std::string dir = TempDir();
  auto t = ActiveQueryTracker::Open(dir, 1);
  ASSERT_TRUE(t.ok()) << t.status();
  tsdb::Head head;
  EngineOptions options;
  options.active_query_tracker = t->get();
  Engine engine(options);
  // With a single slot held from outside, a query would wait: so hold none, run two queries
  // back to back (each must free its slot for the next one to start), then check the file.
  Result r1 = engine.InstantQuery(&head, "vector(1)", 1000);
  ASSERT_TRUE(r1.status.ok()) << r1.status;
  Result r2 = engine.RangeQuery(&head, "vector(2)", 0, 60000, 15000);
  ASSERT_TRUE(r2.status.ok()) << r2.status;
  EXPECT_EQ(ActiveQueryTracker::ParseFile(ReadFile((*t)->path())), std::nullopt);

  // A query that runs while the slot is taken waits for it.
  const size_t held = (*t)->Insert("held");
  std::atomic<bool> done{false};
  std::thread q([&] {
    Result r = engine.InstantQuery(&head, "vector(3)", 1000);
    done = r.status.ok();
  });
  EXPECT_FALSE(done.load());
  (*t)->Delete(held);
  q.join();
  EXPECT_TRUE(done.load());
}

}  // namespace
}  // namespace sundial::promql
