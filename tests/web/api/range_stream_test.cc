// Range and instant queries whose series the engine computes one at a time
// (Engine::RangeQueryStream, Engine::InstantQueryStream; range aggregations group by group) and
// the API writes as they come must give exactly what the materializing path gives: the same
// series in the same order with bit-identical points, the same annotations, stats and errors,
// and through HTTP the same bytes.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/str_cat.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "tsdb/head.h"
#include "tsdb/value.h"
#include "web/api/api.h"
#include "web/api/api_fixture.h"
#include "web/api/json.h"
#include "web/api/response.h"

namespace sundial::web::api {
namespace {

using promql::Engine;
using promql::FPoint;
using promql::Matrix;
using promql::Result;
using web::testing::Fetch;
using web::testing::TestResponse;

constexpr int64_t kStepMs = 15000;

// Streamed evaluation is compared with whole evaluation on one thread: a range query split into
// two halves of its steps (promql/engine.h) counts its stats differently.
promql::EngineOptions Unsplit() {
  promql::EngineOptions options;
  options.split_range_queries = promql::SplitRangeQueries::kNever;
  return options;
}
constexpr int kSeries = 300;
constexpr int kSamples = 200;

// kSeries counters req_total (with resets, a gap, stale markers, a NaN and a label "Zone" that
// sorts before __name__), a gauge mem of a third of them, and a few series without __name__.
void Load(tsdb::Head* head) {
  std::unique_ptr<tsdb::Appender> app = head->NewAppender();
  for (int s = 0; s < kSeries; ++s) {
    const Labels counter{{"Zone", StrCat("z", s % 7)},
                         {"__name__", "req_total"},
                         {"instance", StrCat("host-", s)},
                         {"job", StrCat("j", s % 3)}};
    const Labels gauge{{"__name__", "mem"}, {"instance", StrCat("host-", s)}, {"job", "j1"}};
    double v = 0;
    for (int k = 0; k < kSamples; ++k) {
      if (s % 50 == 4 && k > 50 && k < 90) continue;  // a gap longer than the lookback
      v += (s % 11 + 1) * (k % 7);
      if (s % 13 == 5 && k % 60 == 0) v = 0;  // resets
      double x = v;
      if (s % 17 == 6 && k == 120) x = tsdb::StaleNaN();
      if (s == 7 && k == 30) x = std::nan("");
      ASSERT_TRUE(app->Append(0, counter, k * kStepMs, x).ok());
      if (s % 3 == 1) {
        ASSERT_TRUE(app->Append(0, gauge, k * kStepMs + 1, k * 0.25 - s).ok());
      }
    }
  }
  for (int s = 0; s < 5; ++s) {
    for (int k = 0; k < kSamples; ++k) {
      ASSERT_TRUE(app->Append(0, Labels{{"job", "j1"}, {"n", StrCat(s)}}, k * kStepMs, k).ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
}

// Range queries over [kStart, kEnd] that stream.
const std::vector<std::string>& StreamedQueries() {
  static const auto* const q = new std::vector<std::string>{
      "req_total",
      "{__name__=\"req_total\"}",
      "{job=\"j1\"}",  // several names, none dropped
      "req_total offset 5m",
      "req_total @ 1500",
      "rate(req_total[5m])",
      "increase(req_total{job=\"j0\"}[2m] offset 1m)",
      "irate((req_total[5m]))",
      "max_over_time(req_total[10m])",
      "last_over_time(mem[1m])",
      "quantile_over_time(0.5, req_total[10m])",
      "predict_linear(req_total[10m], 60)",
      "rate(mem[5m])",
      "-req_total",
      "-rate(req_total[5m]) * 2",
      "req_total > 100",
      "req_total > bool 100",
      "100 < req_total",
      "(req_total - 50) / 3",
      "mem % 7 ^ 2",
      "nope",
      // Aggregations, evaluated group by group.
      "sum(req_total)",
      "sum by (job) (rate(req_total[5m]))",
      "sum by (instance) (req_total)",  // 300 groups > 290 steps: evaluated whole
      "avg by (Zone) (req_total)",
      "avg(req_total * 1e308)",  // the sum overflows: incremental mean
      "sum by (job) (req_total * 1e308)",
      "count without (instance) (req_total)",
      "count without (instance) ({job=\"j1\"})",  // groups with different label names
      "min by (job, Zone) (-req_total)",
      "max without (Zone, instance) (rate(req_total[5m]))",
      "stddev by (job) (req_total)",
      "stdvar(mem)",
      "group by (job) ({job=\"j1\"})",
      "avg without (n) ({job=\"j1\"})",
      "sum by (nope) (req_total)",
      "sum by (instance) (req_total > 1000)",
      "(max by (job) (max_over_time(req_total[10m] offset 1m)))",
      "count by (job) (nope)",
  };
  return *q;
}

// Instant queries that stream.
const std::vector<std::string>& StreamedInstantQueries() {
  static const auto* const q = new std::vector<std::string>{
      "req_total",
      "{job=\"j1\"}",
      "req_total @ 1500",
      "rate(req_total[5m])",
      "irate((req_total[5m]))",
      "max_over_time(req_total[10m])",
      "-rate(req_total[5m]) * 2",
      "req_total > 100",
      "mem % 7 ^ 2",
      "nope",
  };
  return *q;
}

// Instant query times: inside the data, in the gap of some series, after the end.
constexpr int64_t kInstantTimes[] = {60000, 1000000, 1400000, 2985000, 3400000};

constexpr int64_t kStart = 60000;
constexpr int64_t kEnd = 2950000;
constexpr int64_t kStep = 10000;

std::string Bits(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return std::to_string(bits);
}

std::string Dump(const Labels& labels, std::span<const FPoint> points) {
  std::string out = labels.ToString() + ":";
  for (const FPoint& p : points) out += StrCat(" ", p.t, "=", Bits(p.v));
  return out + "\n";
}

std::string Dump(const Matrix& m) {
  std::string out;
  for (const promql::Series& s : m) out += Dump(s.labels, s.points);
  return out;
}

struct Streamed {
  Result result;
  std::string series;
};

Streamed Stream(const Engine& engine, tsdb::Queryable* storage, const promql::Expr& expr,
                const promql::QueryControl& control = {}) {
  Streamed out;
  out.result = engine.RangeQueryStream(storage, expr, kStart, kEnd, kStep, control, {},
                                       [&](const Labels& labels, std::span<const FPoint> points) {
                                         out.series += Dump(labels, points);
                                         return absl::OkStatus();
                                       });
  return out;
}

promql::ExprPtr MustParse(const std::string& q) {
  absl::StatusOr<promql::ExprPtr> e = promql::Parse(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

TEST(RangeStreamTest, StreamedSeriesEqualTheMatrix) {
  tsdb::Head head;
  Load(&head);
  Engine engine(Unsplit());
  for (const std::string& q : StreamedQueries()) {
    SCOPED_TRACE(q);
    promql::ExprPtr e = MustParse(q);
    ASSERT_NE(e, nullptr);
    ASSERT_TRUE(Engine::StreamsRangeResult(*e));
    Result whole = engine.RangeQuery(&head, *e, kStart, kEnd, kStep);
    ASSERT_TRUE(whole.status.ok()) << whole.status;
    Streamed streamed = Stream(engine, &head, *e);
    ASSERT_TRUE(streamed.result.status.ok()) << streamed.result.status;
    EXPECT_EQ(streamed.series, Dump(std::get<Matrix>(whole.value)));
    EXPECT_EQ(streamed.result.warnings, whole.warnings);
    EXPECT_EQ(streamed.result.infos, whole.infos);
    EXPECT_EQ(streamed.result.stats.samples_loaded, whole.stats.samples_loaded);
    EXPECT_EQ(streamed.result.stats.peak_samples, whole.stats.peak_samples);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(streamed.result.value));
  }
  // The fixture must exercise what it claims to.
  Result r = engine.RangeQuery(&head, "req_total", kStart, kEnd, kStep);
  EXPECT_EQ(std::get<Matrix>(r.value).size(), static_cast<size_t>(kSeries));
}

std::string Dump(const promql::Vector& v) {
  std::string out;
  for (const promql::Sample& s : v) out += Dump(s.labels, std::vector<FPoint>{{s.t, s.v}});
  return out;
}

TEST(RangeStreamTest, StreamedInstantSamplesEqualTheVector) {
  tsdb::Head head;
  Load(&head);
  Engine engine(Unsplit());
  for (const std::string& q : StreamedInstantQueries()) {
    promql::ExprPtr e = MustParse(q);
    ASSERT_NE(e, nullptr);
    ASSERT_TRUE(Engine::StreamsInstantResult(*e)) << q;
    for (int64_t t : kInstantTimes) {
      SCOPED_TRACE(StrCat(q, " at ", t));
      Result whole = engine.InstantQuery(&head, *e, t);
      ASSERT_TRUE(whole.status.ok()) << whole.status;
      std::string streamed;
      Result r = engine.InstantQueryStream(&head, *e, t, {}, {},
                                           [&](const Labels& labels, std::span<const FPoint> p) {
                                             EXPECT_EQ(p.size(), 1u);
                                             streamed += Dump(labels, p);
                                             return absl::OkStatus();
                                           });
      ASSERT_TRUE(r.status.ok()) << r.status;
      EXPECT_EQ(streamed, Dump(std::get<promql::Vector>(whole.value)));
      EXPECT_EQ(r.warnings, whole.warnings);
      EXPECT_EQ(r.infos, whole.infos);
      EXPECT_EQ(r.stats.samples_loaded, whole.stats.samples_loaded);
      EXPECT_EQ(r.stats.peak_samples, whole.stats.peak_samples);
      EXPECT_TRUE(std::holds_alternative<std::monostate>(r.value));
    }
  }
  Result r = engine.InstantQuery(&head, "req_total", 1000000);
  EXPECT_GT(std::get<promql::Vector>(r.value).size(), static_cast<size_t>(kSeries) / 2);
}

TEST(RangeStreamTest, InstantAggregationsAreNotStreamed) {
  // An instant aggregation lists its groups in the order their first member with a value came:
  // not known from labels alone.
  for (const char* q :
       {"sum(req_total)", "sum by (job) (rate(req_total[5m]))", "rate({job=\"j1\"}[5m])"}) {
    promql::ExprPtr e = MustParse(q);
    ASSERT_NE(e, nullptr);
    EXPECT_FALSE(Engine::StreamsInstantResult(*e)) << q;
  }
}

TEST(RangeStreamTest, OnlyPerSeriesExpressionsInMatrixOrderStream) {
  for (const char* q :
       {"sum by (__name__) (req_total)",  // keeps __name__ unless dropped
        "topk(3, req_total)", "quantile(0.5, req_total)", "count_values(\"v\", req_total)",
        "sum(req_total + mem)", "sum(sum by (job) (req_total))", "sum(rate(req_total[5m:1m]))",
        "req_total + mem",         // vector-vector
        "rate({job=\"j1\"}[5m])",  // drops several names: order may change
        "-{job=\"j1\"}",           // the same
        "{job=\"j1\"} * 2",        // the same
        "rate({__name__=~\"req_total|mem\"}[5m])",
        "label_replace(req_total, \"a\", \"b\", \"\", \"\")",
        "rate(req_total[5m:1m])",  // a subquery
        "abs(req_total)", "1", "scalar(req_total)", "req_total and mem"}) {
    promql::ExprPtr e = MustParse(q);
    ASSERT_NE(e, nullptr);
    EXPECT_FALSE(Engine::StreamsRangeResult(*e)) << q;
  }
}

TEST(RangeStreamTest, ErrorsAreThoseOfTheWholeQuery) {
  tsdb::Head head;
  Load(&head);
  promql::EngineOptions options = Unsplit();
  options.max_samples = 5000;
  Engine limited(options);
  Engine engine(Unsplit());
  std::atomic<bool> cancel{true};
  promql::QueryControl canceled;
  canceled.cancel = &cancel;
  for (const char* q :
       {"req_total", "rate(req_total[5m])", "-req_total > 10", "sum by (instance) (req_total)",
        "avg without (instance) (rate(mem[5m]))", "sum(req_total)"}) {
    SCOPED_TRACE(q);
    promql::ExprPtr e = MustParse(q);
    ASSERT_NE(e, nullptr);
    Result whole = limited.RangeQuery(&head, *e, kStart, kEnd, kStep);
    Streamed streamed = Stream(limited, &head, *e);
    EXPECT_EQ(whole.status.code(), absl::StatusCode::kResourceExhausted) << whole.status;
    EXPECT_EQ(streamed.result.status, whole.status);

    whole = engine.RangeQuery(&head, *e, kStart, kEnd, kStep, canceled);
    streamed = Stream(engine, &head, *e, canceled);
    EXPECT_EQ(whole.status.code(), absl::StatusCode::kCancelled) << whole.status;
    EXPECT_EQ(streamed.result.status, whole.status);
  }
  // An error of the callback ends the query with it.
  promql::ExprPtr e = MustParse("req_total");
  int calls = 0;
  Result r = engine.RangeQueryStream(
      &head, *e, kStart, kEnd, kStep, {}, {}, [&](const Labels&, std::span<const FPoint>) {
        return ++calls == 3 ? absl::AbortedError("stop") : absl::OkStatus();
      });
  EXPECT_EQ(r.status, absl::AbortedError("stop"));
  EXPECT_EQ(calls, 3);
}

// The JSON the materializing path writes for a matrix (RunQuery's WriteResult), up to the
// envelope's warnings (EndSuccess).
std::string MatrixJson(const Matrix& m, size_t limit = 0) {
  std::string out = R"({"status":"success","data":{"resultType":"matrix","result":[)";
  for (size_t i = 0; i < m.size() && (limit == 0 || i < limit); ++i) {
    if (i > 0) out += ',';
    out += R"({"metric":)";
    AppendLabels(&out, m[i].labels);
    out += R"(,"values":[)";
    for (size_t j = 0; j < m[i].points.size(); ++j) {
      if (j > 0) out += ',';
      out += '[';
      AppendTimestamp(&out, m[i].points[j].t);
      out += ',';
      AppendSampleValue(&out, m[i].points[j].v);
      out += ']';
    }
    out += "]}";
  }
  return out + "]}";  // result, data
}

// query, percent-encoded.
std::string Escape(const std::string& query) {
  std::string escaped;
  for (char c : query) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      escaped += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      escaped += hex;
    }
  }
  return escaped;
}

class RangeStreamApiTest : public web::testing::ApiFixture {
 protected:
  void SetUp() override { Load(&head_); }
  void Start(promql::EngineOptions engine_options = Unsplit()) {
    ApiOptions options;
    options.storage = &head_;
    options.max_concurrency = 2;
    options.engine_options = engine_options;
    StartApi(std::move(options));
  }
  static std::string Target(const std::string& query, std::string_view extra = "") {
    return StrCat("/api/v1/query_range?query=", Escape(query), "&start=", kStart / 1000,
                  "&end=", kEnd / 1000, "&step=", kStep / 1000, extra);
  }

  tsdb::Head head_;
};

TEST_F(RangeStreamApiTest, ResponsesEqualTheMaterializedMatrixByteForByte) {
  Start();
  Engine engine(Unsplit());
  for (const std::string& q : StreamedQueries()) {
    SCOPED_TRACE(q);
    Result whole = engine.RangeQuery(&head_, q, kStart, kEnd, kStep);
    ASSERT_TRUE(whole.status.ok()) << whole.status;
    std::string want = MatrixJson(std::get<Matrix>(whole.value));
    EndSuccess(&want, whole.warnings, whole.infos);
    std::optional<TestResponse> r = Fetch(port_, "GET", Target(q));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("content-type"), "application/json");
    EXPECT_EQ(r->body, want);
  }
  // The big answers left in pieces while later series were still being computed.
  std::optional<TestResponse> r = Fetch(port_, "GET", Target("req_total"));
  ASSERT_TRUE(r.has_value());
  EXPECT_GT(r->body.size(), 1000000u);
  EXPECT_GT(r->chunks, 10u);
}

// The JSON the materializing path writes for a vector, up to the envelope's warnings.
std::string VectorJson(const promql::Vector& v, size_t limit = 0) {
  std::string out = R"({"status":"success","data":{"resultType":"vector","result":[)";
  for (size_t i = 0; i < v.size() && (limit == 0 || i < limit); ++i) {
    if (i > 0) out += ',';
    out += R"({"metric":)";
    AppendLabels(&out, v[i].labels);
    out += R"(,"value":[)";
    AppendTimestamp(&out, v[i].t);
    out += ',';
    AppendSampleValue(&out, v[i].v);
    out += "]}";
  }
  return out + "]}";
}

std::string InstantTarget(const std::string& query, int64_t t, std::string_view extra = "") {
  return StrCat("/api/v1/query?query=", Escape(query), "&time=", t / 1000, extra);
}

TEST_F(RangeStreamApiTest, InstantResponsesEqualTheMaterializedVectorByteForByte) {
  Start();
  Engine engine(Unsplit());
  for (const std::string& q : StreamedInstantQueries()) {
    for (int64_t t : kInstantTimes) {
      SCOPED_TRACE(StrCat(q, " at ", t));
      Result whole = engine.InstantQuery(&head_, q, t);
      ASSERT_TRUE(whole.status.ok()) << whole.status;
      std::string want = VectorJson(std::get<promql::Vector>(whole.value));
      EndSuccess(&want, whole.warnings, whole.infos);
      std::optional<TestResponse> r = Fetch(port_, "GET", InstantTarget(q, t));
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, want);
    }
  }
  Result whole = engine.InstantQuery(&head_, "req_total", 1000000);
  std::string want = VectorJson(std::get<promql::Vector>(whole.value), 4);
  EndSuccess(&want, {"results truncated due to limit"});
  std::optional<TestResponse> r =
      Fetch(port_, "GET", InstantTarget("req_total", 1000000, "&limit=4"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, want);
}

TEST_F(RangeStreamApiTest, AnInstantErrorIsAnsweredAsUsual) {
  promql::EngineOptions options = Unsplit();
  options.max_samples = 100;  // one value per series
  Start(options);
  std::optional<TestResponse> r = Fetch(port_, "GET", InstantTarget("req_total", 1000000));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(r->body,
            R"({"status":"error","errorType":"execution","error":"query processing would load )"
            R"(too many samples into memory in query execution"})");
}

TEST_F(RangeStreamApiTest, LimitWritesTheFirstSeriesAndWarns) {
  Start();
  Engine engine(Unsplit());
  Result whole = engine.RangeQuery(&head_, "rate(req_total[5m])", kStart, kEnd, kStep);
  ASSERT_TRUE(whole.status.ok());
  std::string want = MatrixJson(std::get<Matrix>(whole.value), 3);
  EndSuccess(&want, {"results truncated due to limit"});
  std::optional<TestResponse> r = Fetch(port_, "GET", Target("rate(req_total[5m])", "&limit=3"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, want);
}

TEST_F(RangeStreamApiTest, AnErrorBeforeTheFirstFlushIsAnsweredAsUsual) {
  promql::EngineOptions options = Unsplit();
  options.max_samples = 1000;  // exceeded at the 4th series, before 64 KiB of JSON
  Start(options);
  std::optional<TestResponse> r = Fetch(port_, "GET", Target("req_total"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(r->body,
            R"({"status":"error","errorType":"execution","error":"query processing would load )"
            R"(too many samples into memory in query execution"})");
}

TEST_F(RangeStreamApiTest, AnErrorAfterTheFirstFlushBreaksTheConnectionOff) {
  promql::EngineOptions options = Unsplit();
  options.max_samples = kSeries * kSamples / 2;  // exceeded after ~0.5 MB were sent
  Start(options);
  std::optional<TestResponse> r = Fetch(port_, "GET", Target("req_total"));
  EXPECT_FALSE(r.has_value()) << "a truncated answer looked complete: " << r->status;
  // 257 groups, within the 290 steps: written group by group.
  r = Fetch(port_, "GET", Target("sum by (instance) (req_total{Zone!=\"z0\"})"));
  EXPECT_FALSE(r.has_value()) << "a truncated answer looked complete: " << r->status;
  // The server goes on answering.
  r = Fetch(port_, "GET", Target("nope"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
}

}  // namespace
}  // namespace sundial::web::api
