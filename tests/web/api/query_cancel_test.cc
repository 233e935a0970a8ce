// A client that hangs up cancels its query: the evaluation stops and frees its slot in the
// query pool, whether the query was running or still queued.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "base/str_cat.h"
#include "tsdb/storage.h"
#include "web/api/api.h"
#include "web/api/api_fixture.h"

namespace sundial::web::api {
namespace {

using namespace std::chrono_literals;
using tsdb::Timestamp;
using tsdb::ValueType;
using web::testing::Fetch;
using web::testing::TestConnection;
using web::testing::TestResponse;

// One float sample at t=0.
class OneSampleIterator final : public tsdb::SampleIterator {
 public:
  ValueType Next() override {
    pos_ = pos_ == kBefore ? kAt : kAfter;
    return pos_ == kAt ? ValueType::kFloat : ValueType::kNone;
  }
  ValueType Seek(Timestamp t) override {
    if (pos_ == kBefore) pos_ = kAt;
    if (pos_ == kAt && t > 0) pos_ = kAfter;
    return pos_ == kAt ? ValueType::kFloat : ValueType::kNone;
  }
  std::pair<Timestamp, double> At() const override { return {0, 1}; }
  Timestamp AtT() const override { return 0; }
  absl::Status Err() const override { return absl::OkStatus(); }

 private:
  enum { kBefore, kAt, kAfter } pos_ = kBefore;
};

class NumberedSeries final : public tsdb::Series {
 public:
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<tsdb::SampleIterator> Iterator() const override {
    return std::make_unique<OneSampleIterator>();
  }
  Labels labels_;
};

// Series {__name__="slow", i="<n>"} without end, until the storage is released: a query over
// it runs until it is canceled. Counts the series handed out.
class EndlessStorage final : public tsdb::Queryable {
 public:
  std::atomic<int64_t> series_read{0};
  std::atomic<bool> release{false};  // ends every set, so a failing test cannot hang

  absl::StatusOr<std::unique_ptr<tsdb::Querier>> NewQuerier(Timestamp, Timestamp) override {
    return std::make_unique<Querier>(this);
  }

 private:
  class Set final : public tsdb::SeriesSet {
   public:
    explicit Set(EndlessStorage* storage) : storage_(storage) {}
    bool Next() override {
      if (storage_->release.load()) return false;
      storage_->series_read.fetch_add(1);
      // Names that sort after each other, as a SeriesSet must be sorted.
      std::string n = StrCat(++n_);
      series_.labels_ = Labels{{"__name__", "slow"}, {"i", StrCat(n.size(), "-", n)}};
      return true;
    }
    const tsdb::Series& At() const override { return series_; }
    absl::Status Err() const override { return absl::OkStatus(); }

   private:
    EndlessStorage* storage_;
    int64_t n_ = 0;
    NumberedSeries series_;
  };

  class Querier final : public tsdb::Querier {
   public:
    explicit Querier(EndlessStorage* storage) : storage_(storage) {}
    std::unique_ptr<tsdb::SeriesSet> Select(const tsdb::SelectHints&,
                                            std::span<const Matcher>) override {
      return std::make_unique<Set>(storage_);
    }
    absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher>) override {
      return std::vector<std::string>{};
    }
    absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view,
                                                         std::span<const Matcher>) override {
      return std::vector<std::string>{};
    }

   private:
    EndlessStorage* storage_;
  };
};

class QueryCancelTest : public web::testing::ApiFixture {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.storage = &storage_;
    options.max_concurrency = 1;
    StartApi(std::move(options));
  }

  void TearDown() override {
    storage_.release = true;
    ApiFixture::TearDown();
  }

  // Sends a query for the endless series and returns the open connection without reading.
  std::unique_ptr<TestConnection> StartSlowQuery() {
    auto conn = std::make_unique<TestConnection>(port_);
    EXPECT_TRUE(
        conn->Send("GET /api/v1/query?query=count(slow)&time=0 HTTP/1.1\r\nHost: t\r\n\r\n"));
    return conn;
  }

  // Waits until the storage has handed out at least n series in all.
  bool WaitForSeries(int64_t n) {
    for (int i = 0; i < 3000 && storage_.series_read.load() < n; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return storage_.series_read.load() >= n;
  }

  // True once the series count has stopped growing (it grows by thousands per millisecond
  // while a query runs).
  bool SeriesStopGrowing() {
    for (int i = 0; i < 300; ++i) {
      int64_t before = storage_.series_read.load();
      std::this_thread::sleep_for(100ms);
      if (storage_.series_read.load() == before) return true;
    }
    return false;
  }

  EndlessStorage storage_;
};

TEST_F(QueryCancelTest, HangingUpStopsTheRunningQuery) {
  std::unique_ptr<TestConnection> client = StartSlowQuery();
  ASSERT_TRUE(WaitForSeries(10000));
  client.reset();  // the client closes its connection without waiting for the answer

  ASSERT_TRUE(SeriesStopGrowing()) << "the query kept running after its client left";
  // The only pool thread is free again: a query that needs no storage is answered.
  std::optional<TestResponse> r = Fetch(port_, "GET", "/api/v1/query?query=1%2B1&time=4");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
}

TEST_F(QueryCancelTest, AQueuedQueryWhoseClientLeftIsSkipped) {
  std::unique_ptr<TestConnection> running = StartSlowQuery();
  ASSERT_TRUE(WaitForSeries(1000));
  std::unique_ptr<TestConnection> queued = StartSlowQuery();  // waits for the pool's thread
  std::this_thread::sleep_for(100ms);                         // let the server read it
  queued.reset();
  std::this_thread::sleep_for(100ms);  // let the server notice before the pool is free
  running.reset();
  ASSERT_TRUE(SeriesStopGrowing()) << "a query kept running after its client left";
  const int64_t after_cancel = storage_.series_read.load();

  std::optional<TestResponse> r = Fetch(port_, "GET", "/api/v1/query?query=1%2B1&time=4");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  // The queued query never started reading series.
  EXPECT_EQ(storage_.series_read.load(), after_cancel);
}

TEST_F(QueryCancelTest, AClientThatStaysGetsItsAnswer) {
  storage_.release = true;  // every set is empty: the query finishes at once
  std::unique_ptr<TestConnection> client = StartSlowQuery();
  std::optional<TestResponse> r = client->Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"status":"success","data":{"resultType":"vector","result":[]}})");
}

}  // namespace
}  // namespace sundial::web::api
