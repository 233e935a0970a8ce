// Exemplars through a DB: WAL-logged at commit, replayed at Open, kept by checkpoints, resized.
#include <memory>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/db/db.h"

namespace sundial::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Labels kSeries{{"__name__", "latency_bucket"}, {"le", "0.5"}};

std::unique_ptr<DB> MustOpen(FileSystem* fs, int64_t max_exemplars,
                             metrics::Registry* registry = nullptr) {
  DbOptions o;
  o.dir = "/data";
  o.max_exemplars = max_exemplars;
  o.registry = registry;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(o, fs);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

// Commits one sample and one exemplar ("t<ts>") at each ts.
void CommitWithExemplars(DB& db, std::vector<int64_t> timestamps) {
  for (int64_t ts : timestamps) {
    std::unique_ptr<Appender> app = db.NewAppender();
    absl::StatusOr<SeriesRef> ref = app->Append(0, kSeries, ts, 1);
    ASSERT_TRUE(ref.ok());
    Exemplar e{.labels = Labels{{"trace_id", StrCat("t", ts)}}, .value = 0.25, .ts = ts};
    ASSERT_TRUE(app->AppendExemplar(*ref, kSeries, e).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
}

std::vector<std::string> Stored(const DB& db) {
  std::vector<std::vector<Matcher>> sets = {
      {*Matcher::Create(MatchType::kEqual, "__name__", "latency_bucket")}};
  std::vector<std::string> out;
  for (const ExemplarQueryResult& r : db.exemplars().Select(INT64_MIN, INT64_MAX, sets)) {
    for (const Exemplar& e : r.exemplars) {
      out.push_back(StrCat(e.labels.Get("trace_id"), "=", e.value, "@", e.ts));
    }
  }
  return out;
}

TEST(DbExemplarsTest, ReplayedFromTheWal) {
  MemFileSystem fs;
  {
    std::unique_ptr<DB> db = MustOpen(&fs, 10);
    CommitWithExemplars(*db, {1000, 2000, 3000});
    EXPECT_THAT(Stored(*db), ElementsAre("t1000=0.25@1000", "t2000=0.25@2000", "t3000=0.25@3000"));
    ASSERT_TRUE(db->Close().ok());
  }
  std::unique_ptr<DB> db = MustOpen(&fs, 10);
  EXPECT_THAT(Stored(*db), ElementsAre("t1000=0.25@1000", "t2000=0.25@2000", "t3000=0.25@3000"));
  // A smaller capacity at the next start keeps the newest.
  ASSERT_TRUE(db->Close().ok());
  db = MustOpen(&fs, 2);
  EXPECT_THAT(Stored(*db), ElementsAre("t2000=0.25@2000", "t3000=0.25@3000"));
  // Disabled: the WAL keeps them, nothing is served.
  ASSERT_TRUE(db->Close().ok());
  db = MustOpen(&fs, 0);
  EXPECT_THAT(Stored(*db), IsEmpty());
}

TEST(DbExemplarsTest, TruncateKeepsExemplarsOfTheRetainedRange) {
  MemFileSystem fs;
  {
    std::unique_ptr<DB> db = MustOpen(&fs, 10);
    CommitWithExemplars(*db, {1000, 2000, 3000});
    ASSERT_TRUE(db->Truncate(2000).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  std::unique_ptr<DB> db = MustOpen(&fs, 10);
  EXPECT_THAT(Stored(*db), ElementsAre("t2000=0.25@2000", "t3000=0.25@3000"));
}

TEST(DbExemplarsTest, ResizeAndMetrics) {
  MemFileSystem fs;
  metrics::Registry registry;
  std::unique_ptr<DB> db = MustOpen(&fs, 10, &registry);
  CommitWithExemplars(*db, {1000, 2000, 3000});
  db->ResizeExemplars(1);
  EXPECT_THAT(Stored(*db), ElementsAre("t3000=0.25@3000"));
  const std::string text = registry.Expose();
  EXPECT_THAT(text, HasSubstr("prometheus_tsdb_exemplar_max_exemplars 1\n"));
  EXPECT_THAT(text, HasSubstr("prometheus_tsdb_exemplar_exemplars_appended_total 3\n"));
}

}  // namespace
}  // namespace sundial::tsdb
