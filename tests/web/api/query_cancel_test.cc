// A client that hangs up cancels its query: the evaluation stops and frees its slot in the
// query pool, whether the query was running or still queued.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/str_cat.h"
#include "testing/wait_until.h"
#include "tsdb/storage.h"
#include "web/api/api.h"
#include "web/api/api_fixture.h"

namespace sundial::web::api {
namespace {

using sundial::testing::WaitUntil;
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
// it runs until it is canceled. Counts the selects, the series sets alive and the series handed
// out.
class EndlessStorage final : public tsdb::Queryable {
 public:
  std::atomic<int64_t> selects{0};
  std::atomic<int64_t> live_sets{0};  // a query that stopped has destroyed its set
  std::atomic<int64_t> series_read{0};
  std::atomic<bool> release{false};  // ends every set, so a failing test cannot hang

  absl::StatusOr<std::unique_ptr<tsdb::Querier>> NewQuerier(Timestamp, Timestamp) override {
    return std::make_unique<Querier>(this);
  }

 private:
  class Set final : public tsdb::SeriesSet {
   public:
    explicit Set(EndlessStorage* storage) : storage_(storage) { storage_->live_sets.fetch_add(1); }
    ~Set() override { storage_->live_sets.fetch_sub(1); }
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
      storage_->selects.fetch_add(1);
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
    api_ = std::make_unique<Api>(std::move(options));
    api_->Register(&router_);
    // The query handler, wrapped to keep each request's hang-up flag (in the order the handler is
    // entered, which is before the query can run) and to count the queries it has queued: a test
    // can then wait until the server has seen a client leave.
    Router::Match query = router_.Find("GET", "/api/v1/query");
    ASSERT_EQ(query.kind, Router::Match::Kind::kFound);
    router_.Get("/api/v1/query", [this, handler = *query.handler](const HttpRequest& req,
                                                                  std::shared_ptr<Responder> resp) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        client_gone_.push_back(resp->client_gone());
      }
      handler(req, std::move(resp));
      ++queued_;
    });
    StartServer();
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
    return WaitUntil([&] { return storage_.series_read.load() >= n; });
  }

  // Waits until every query over the storage has stopped (released its series set).
  bool QueriesStopped() {
    return WaitUntil([&] { return storage_.live_sets.load() == 0; });
  }

  // Waits until the server has queued n queries.
  bool WaitForQueued(size_t n) {
    return WaitUntil([&] { return queued_.load() >= n; });
  }

  // Waits until the server has seen the client of the i-th query (from 0) leave. REQUIRES: that
  // query's response is not complete (its Responder, which owns the flag, is alive).
  bool WaitForClientGone(size_t i) {
    const std::atomic<bool>* gone;
    {
      std::lock_guard<std::mutex> lock(mu_);
      gone = client_gone_.at(i);
    }
    return gone != nullptr && WaitUntil([gone] { return gone->load(); });
  }

  EndlessStorage storage_;
  std::mutex mu_;
  std::vector<const std::atomic<bool>*> client_gone_;  // per query request, in arrival order
  std::atomic<size_t> queued_{0};
};

TEST_F(QueryCancelTest, HangingUpStopsTheRunningQuery) {
  std::unique_ptr<TestConnection> client = StartSlowQuery();
  ASSERT_TRUE(WaitForSeries(10000));
  client.reset();  // the client closes its connection without waiting for the answer

  ASSERT_TRUE(QueriesStopped()) << "the query kept running after its client left";
  const int64_t after_cancel = storage_.series_read.load();
  // The only pool thread is free again: a query that needs no storage is answered.
  std::optional<TestResponse> r = Fetch(port_, "GET", "/api/v1/query?query=1%2B1&time=4");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
  EXPECT_EQ(storage_.series_read.load(), after_cancel);
}

TEST_F(QueryCancelTest, AQueuedQueryWhoseClientLeftIsSkipped) {
  std::unique_ptr<TestConnection> running = StartSlowQuery();
  ASSERT_TRUE(WaitForSeries(1000));
  const int64_t running_selects = storage_.selects.load();
  std::unique_ptr<TestConnection> queued = StartSlowQuery();  // waits for the pool's thread
  ASSERT_TRUE(WaitForQueued(2));
  queued.reset();
  // The running query holds the pool's only thread until its client leaves too.
  ASSERT_TRUE(WaitForClientGone(1)) << "the server did not see the queued query's client leave";
  running.reset();
  ASSERT_TRUE(QueriesStopped()) << "a query kept running after its client left";

  // The pool runs in order: once this is answered, the queued query was taken off the queue.
  std::optional<TestResponse> r = Fetch(port_, "GET", "/api/v1/query?query=1%2B1&time=4");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  // The queued query never started: it selected nothing.
  EXPECT_EQ(storage_.selects.load(), running_selects);
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
