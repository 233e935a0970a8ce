// Appenders, readers and truncation running at once. Meant to be run under ThreadSanitizer too.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/errors.h"
#include "tsdb/head.h"

namespace sundial::tsdb {
namespace {

constexpr int kWriters = 3;
constexpr int kSeriesPerWriter = 50;
constexpr int kSteps = 400;

Labels SeriesLabels(int writer, int i) {
  return Labels{{"__name__", "m"}, {"w", std::to_string(writer)}, {"i", std::to_string(i)}};
}

TEST(HeadConcurrencyTest, AppendersReaderAndTruncation) {
  Head head;
  std::atomic<bool> done{false};
  std::atomic<int> shared_ok{0};
  const Labels shared{{"__name__", "shared"}};

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::vector<SeriesRef> refs(kSeriesPerWriter, 0);
      for (int step = 0; step < kSteps; ++step) {
        const Timestamp t = step * 1000;
        std::unique_ptr<Appender> app = head.NewAppender();
        for (int i = 0; i < kSeriesPerWriter; ++i) {
          absl::StatusOr<SeriesRef> ref = app->Append(refs[i], SeriesLabels(w, i), t, t);
          // A writer that lags far behind the others may fall under the truncation point.
          if (!ref.ok()) {
            ASSERT_TRUE(IsOutOfBounds(ref.status())) << ref.status();
            continue;
          }
          refs[i] = *ref;
        }
        // All writers race on one series; the losers get errors or commit-time drops.
        if (app->Append(0, shared, t + w, t).ok()) shared_ok.fetch_add(1);
        ASSERT_TRUE(app->Commit().ok());
      }
    });
  }

  std::thread reader([&] {
    const Matcher m = *Matcher::Create(MatchType::kEqual, "__name__", "m");
    while (!done.load()) {
      std::unique_ptr<Querier> q = *head.NewQuerier(INT64_MIN, INT64_MAX);
      std::unique_ptr<SeriesSet> set = q->Select({}, std::span<const Matcher>(&m, 1));
      bool first = true;
      Labels prev_labels;
      while (set->Next()) {
        const Series& s = set->At();
        if (!first) {
          ASSERT_TRUE(prev_labels < s.labels()) << s.labels().ToString();
        }
        first = false;
        prev_labels = s.labels();
        std::unique_ptr<SampleIterator> it = s.Iterator();
        Timestamp last = INT64_MIN;
        while (it->Next() == ValueType::kFloat) {
          auto [t, v] = it->At();
          ASSERT_GT(t, last);
          ASSERT_EQ(static_cast<double>(t), v);
          last = t;
        }
        ASSERT_TRUE(it->Err().ok());
      }
      if (const Timestamp max = head.MaxTime(); max != INT64_MIN) head.Truncate(max - 100 * 1000);
    }
  });

  for (std::thread& t : writers) t.join();
  done.store(true);
  reader.join();

  // Every writer's own series holds the newest samples that survived truncation, in order.
  std::unique_ptr<Querier> q = *head.NewQuerier(INT64_MIN, INT64_MAX);
  const Matcher m = *Matcher::Create(MatchType::kEqual, "__name__", "m");
  std::unique_ptr<SeriesSet> set = q->Select({}, std::span<const Matcher>(&m, 1));
  int series = 0;
  while (set->Next()) {
    ++series;
    std::unique_ptr<SampleIterator> it = set->At().Iterator();
    ASSERT_EQ(it->Seek((kSteps - 1) * 1000), ValueType::kFloat);
    EXPECT_EQ(it->AtT(), (kSteps - 1) * 1000);
  }
  EXPECT_EQ(series, kWriters * kSeriesPerWriter);
  EXPECT_GT(shared_ok.load(), 0);
}

}  // namespace
}  // namespace sundial::tsdb
