// Exemplars through the head's Appender: buffered with the batch, logged after its samples,
// stored at Commit.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/exemplars/circular_storage.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records the order of log calls; fails every call once `fail` is set.
class RecordingLog : public HeadLog {
 public:
  absl::Status LogSeries(std::span<const RefSeries> series) override {
    calls.push_back("series");
    return fail ? absl::InternalError("disk full") : absl::OkStatus();
  }
  absl::Status LogSamples(std::span<const RefSample> samples) override {
    calls.push_back("samples");
    return fail ? absl::InternalError("disk full") : absl::OkStatus();
  }
  absl::Status LogExemplars(std::span<const RefExemplar> exemplars) override {
    calls.push_back("exemplars");
    for (const RefExemplar& e : exemplars) {
      logged.push_back(std::string(e.exemplar->labels.Get("trace_id")));
    }
    return fail ? absl::InternalError("disk full") : absl::OkStatus();
  }
  std::vector<std::string> calls;
  std::vector<std::string> logged;
  bool fail = false;
};

HeadOptions Options(HeadLog* log, CircularExemplarStorage* exemplars) {
  HeadOptions o;
  o.log = log;
  o.exemplars = exemplars;
  return o;
}

const Labels kSeries{{"__name__", "http_requests_total"}, {"job", "api"}};

Exemplar Ex(std::string trace, int64_t ts) {
  return Exemplar{.labels = Labels{{"trace_id", trace}}, .value = 1, .ts = ts};
}

std::vector<std::string> Stored(const CircularExemplarStorage& s) {
  std::vector<std::vector<Matcher>> sets = {{*Matcher::Create(MatchType::kEqual, "job", "api")}};
  std::vector<std::string> out;
  for (const ExemplarQueryResult& r : s.Select(INT64_MIN, INT64_MAX, sets)) {
    EXPECT_EQ(r.series_labels, kSeries);
    for (const Exemplar& e : r.exemplars) out.push_back(std::string(e.labels.Get("trace_id")));
  }
  return out;
}

TEST(HeadExemplarsTest, CommitLogsExemplarsAfterSamplesThenStoresThem) {
  CircularExemplarStorage store(10);
  RecordingLog log;
  Head head(Options(&log, &store));
  auto app = head.NewAppender();
  absl::StatusOr<SeriesRef> ref = app->Append(0, kSeries, 1000, 1);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(*app->AppendExemplar(*ref, kSeries, Ex("t1", 1000)), *ref);
  EXPECT_THAT(Stored(store), IsEmpty());  // not before Commit
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(log.calls, ElementsAre("series", "samples", "exemplars"));
  EXPECT_THAT(log.logged, ElementsAre("t1"));
  EXPECT_THAT(Stored(store), ElementsAre("t1"));
}

TEST(HeadExemplarsTest, FindsTheSeriesByLabelsButNeverCreatesOne) {
  CircularExemplarStorage store(10);
  Head head(Options(nullptr, &store));
  auto app = head.NewAppender();
  absl::StatusOr<SeriesRef> unknown = app->AppendExemplar(0, kSeries, Ex("t0", 500));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "unknown HeadSeriesRef when trying to add exemplar: 0");
  ASSERT_TRUE(app->Append(0, kSeries, 1000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head.NumSeries(), 1u);

  app = head.NewAppender();
  // Another series shares a label pair, so the lookup must compare whole label sets.
  ASSERT_TRUE(app->Append(0, Labels{{"__name__", "other"}, {"job", "api"}}, 1000, 1).ok());
  absl::StatusOr<SeriesRef> found = app->AppendExemplar(0, kSeries, Ex("t1", 1000));
  ASSERT_TRUE(found.ok());
  EXPECT_NE(*found, 0u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(Stored(store), ElementsAre("t1"));
}

TEST(HeadExemplarsTest, InvalidExemplarsFailAloneAndDuplicatesAreIgnored) {
  CircularExemplarStorage store(10);
  Head head(Options(nullptr, &store));
  auto app = head.NewAppender();
  SeriesRef ref = *app->Append(0, kSeries, 1000, 1);
  ASSERT_TRUE(app->AppendExemplar(ref, kSeries, Ex("t1", 1000)).ok());
  ASSERT_TRUE(app->Commit().ok());

  app = head.NewAppender();
  EXPECT_EQ(*app->AppendExemplar(ref, kSeries, Ex("t1", 1000)), 0u);  // duplicate
  EXPECT_TRUE(IsOutOfOrderExemplar(app->AppendExemplar(ref, kSeries, Ex("t0", 900)).status()));
  Exemplar long_labels{.labels = Labels{{"trace_id", std::string(200, 'x')}}, .ts = 2000};
  EXPECT_TRUE(IsExemplarLabelLength(app->AppendExemplar(ref, kSeries, long_labels).status()));
  EXPECT_EQ(*app->AppendExemplar(ref, kSeries, Ex("t2", 2000)), ref);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(Stored(store), ElementsAre("t1", "t2"));
}

TEST(HeadExemplarsTest, RollbackAndLogErrorsStoreNothing) {
  CircularExemplarStorage store(10);
  RecordingLog log;
  Head head(Options(&log, &store));
  auto app = head.NewAppender();
  SeriesRef ref = *app->Append(0, kSeries, 1000, 1);
  ASSERT_TRUE(app->AppendExemplar(ref, kSeries, Ex("t1", 1000)).ok());
  app->Rollback();
  EXPECT_THAT(Stored(store), IsEmpty());

  log.fail = true;
  app = head.NewAppender();
  ref = *app->Append(0, kSeries, 1000, 1);
  ASSERT_TRUE(app->AppendExemplar(ref, kSeries, Ex("t2", 1000)).ok());
  EXPECT_FALSE(app->Commit().ok());
  EXPECT_THAT(Stored(store), IsEmpty());
}

TEST(HeadExemplarsTest, WithoutStorageExemplarsAreAcceptedAndDropped) {
  RecordingLog log;
  Head head(Options(&log, nullptr));
  auto app = head.NewAppender();
  SeriesRef ref = *app->Append(0, kSeries, 1000, 1);
  EXPECT_EQ(*app->AppendExemplar(ref, kSeries, Ex("t1", 1000)), 0u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_THAT(log.calls, ElementsAre("series", "samples"));

  CircularExemplarStorage disabled(0);
  Head head2(Options(nullptr, &disabled));
  app = head2.NewAppender();
  ref = *app->Append(0, kSeries, 1000, 1);
  EXPECT_EQ(*app->AppendExemplar(ref, kSeries, Ex("t1", 1000)), 0u);
  ASSERT_TRUE(app->Commit().ok());
}

}  // namespace
}  // namespace sundial::tsdb
