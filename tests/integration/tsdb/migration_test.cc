// Drop-in migration of a data directory between Sundial and the Debian Prometheus 2.42, both
// ways: one server writes the directory (blocks, WAL, checkpoint), the other is started on a copy
// of it, and the query API of the two must give the same answers (instant and range queries,
// selectors, rate, sum by, histogram_quantile, series, labels, label values; JSON compared with
// unordered result lists and 1e-9 relative tolerance) and hold every sample of the dataset.
//
// Sundial -> Prometheus: a tsdb::DB with 10 minute blocks (30 minute level compaction, 128 KiB WAL
// segments, snappy records) takes 53 minutes of the dataset with a head compaction in the middle
// and at the end, so the directory has blocks of both levels, a checkpoint and WAL segments.
// Prometheus opens a copy; Sundial serves the original.
//
// Prometheus -> Sundial: promtool turns two hours of OpenMetrics into blocks in Prometheus'
// directory; then four runs of Prometheus (10 minute blocks) each take 20-28 minutes by remote
// write and are stopped with SIGTERM, so that head compactions cut blocks and the third run
// writes a WAL checkpoint; the last run also takes native histograms, which Sundial does not keep
// yet (their WAL records must be skipped and counted). Sundial opens a copy; Prometheus is
// restarted on the original.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "integration/api/json.h"
#include "integration/api/peers.h"
#include "integration/process.h"
#include "integration/tsdb/dataset.h"
#include "integration/tsdb/servers.h"
#include "model/labels.h"
#include "remotewrite/prompb_v1.pb.h"
#include "snappy.h"
#include "testing/temp_dir.h"
#include "tsdb/db/db.h"

namespace sundial::testing::tsdb_migration {
namespace {

using namespace std::chrono_literals;
using api::Seconds;

// Every series of the dataset; the native histogram of the Prometheus -> Sundial test is left out.
constexpr char kAll[] = "{__name__=~\".+\",__name__!=\"native_request_duration_seconds\"}";
constexpr char kNativeHistogram[] = "native_request_duration_seconds";

int64_t NowStep() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() /
         kStepMs;
}

// 7 s after step i: off the sample grid, so no sample sits on a range boundary (Prometheus 2.x
// ranges are closed on the left, 3.x ones open).
std::string At(int64_t step) { return Seconds(step * kStepMs + 7'000); }

int64_t CountPoints(const std::vector<DatasetSeries>& data, int64_t from, int64_t to) {
  int64_t n = 0;
  ForEachPoint(data, from, to, /*skip_stale=*/true, [&n](const Point&) { ++n; });
  return n;
}

// The requests compared for data in steps [first, last); `times` are instant query steps.
std::vector<QueryCase> Cases(int64_t first, int64_t last, const std::vector<int64_t>& times) {
  const std::string span = std::to_string((last - first) * kStepMs / 1000 + 60) + "s";
  std::vector<QueryCase> cases;
  const std::vector<std::pair<std::string, std::string>> instant = {
      {"raw_20m", std::string(kAll) + "[20m]"},
      {"selector", "http_requests_total{job=\"worker\"}"},
      {"regex_selector", "{__name__=~\"up|http_requests_in_flight\",instance=~\"api-.*\"}"},
      {"rate", "rate(http_requests_total[5m])"},
      {"sum_by", "sum by (job, status) (rate(http_requests_total[5m]))"},
      {"p90",
       "histogram_quantile(0.9, sum by (job, le) "
       "(rate(http_request_duration_seconds_bucket[5m])))"},
      {"gauge", "process_resident_memory_bytes"},
      {"churn", "batch_job_duration_seconds"},
      {"stale", "worker_queue_depth"},
      {"down", "up == 0"},
  };
  for (int64_t t : times) {
    for (const auto& [name, q] : instant) {
      cases.push_back({name + "@" + std::to_string(t - first),
                       "/api/v1/query",
                       {{"query", q}, {"time", At(t)}}});
    }
  }
  const std::vector<std::pair<std::string, std::string>> range = {
      {"range_rate", "rate(http_requests_total{job=\"worker\"}[2m])"},
      {"range_sum_by", "sum by (job) (rate(http_requests_total[5m]))"},
      // Names are dropped: only metrics whose other labels differ can go together.
      {"range_count", "count_over_time({__name__=~\"up|http_requests_total\"}[10m])"},
      {"range_count_buckets", "count_over_time(http_request_duration_seconds_bucket[10m])"},
      {"range_churn", "batch_job_duration_seconds"},
      {"range_stale", "max_over_time(worker_queue_depth[1m])"},
  };
  for (const auto& [name, q] : range) {
    cases.push_back({name,
                     "/api/v1/query_range",
                     {{"query", q}, {"start", At(first)}, {"end", At(last)}, {"step", "60"}}});
  }
  // Every raw sample of one series of each kind.
  for (const char* q :
       {"process_resident_memory_bytes{instance=\"api-1:8080\"}",
        "http_requests_total{instance=\"worker-1:9000\",method=\"GET\","
        "status=\"200\"}",
        "http_request_duration_seconds_bucket{instance=\"node-2:9100\",le=\"0.25\"}"}) {
    cases.push_back({std::string("raw ") + q,
                     "/api/v1/query_range",
                     {{"query", q}, {"start", At(first - 1)}, {"end", At(last)}, {"step", "15"}}});
  }
  cases.push_back({"raw_all",
                   "/api/v1/query",
                   {{"query", std::string(kAll) + "[" + span + "]"}, {"time", At(last)}}});
  const std::string start = Seconds(first * kStepMs - 60'000);
  const std::string end = Seconds(last * kStepMs + 60'000);
  cases.push_back(
      {"series_all", "/api/v1/series", {{"match[]", kAll}, {"start", start}, {"end", end}}});
  cases.push_back({"series_churn",
                   "/api/v1/series",
                   {{"match[]", "batch_job_duration_seconds"}, {"start", start}, {"end", end}}});
  cases.push_back(
      {"labels", "/api/v1/labels", {{"match[]", kAll}, {"start", start}, {"end", end}}});
  for (const char* name : {"__name__", "job", "instance", "le", "status"}) {
    cases.push_back({std::string("values ") + name,
                     std::string("/api/v1/label/") + name + "/values",
                     {{"match[]", kAll}, {"start", start}, {"end", end}}});
  }
  return cases;
}

// The number of samples of every series over [first, last) as served on port: the values of
// the matrix `kAll[...]` (count_over_time would drop the metric names and collide).
std::string Total(int port, int64_t first, int64_t last) {
  std::string error;
  const std::string span = std::to_string((last - first) * kStepMs / 1000 + 60) + "s";
  std::string body =
      Get(port, "/api/v1/query",
          {{"query", std::string(kAll) + "[" + span + "]"}, {"time", At(last)}}, &error);
  if (body.empty()) return error;
  json::Value v;
  if (!json::Parse(body, &v, &error)) return error;
  const json::Value* data = v.Find("data");
  const json::Value* result = data ? data->Find("result") : nullptr;
  if (result == nullptr) return "no result: " + body.substr(0, 1000);
  size_t n = 0;
  for (const json::Value& series : result->items) {
    const json::Value* values = series.Find("values");
    if (values != nullptr) n += values->items.size();
  }
  return std::to_string(n);
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsUlid(const std::string& name) {
  return name.size() == 26 && std::all_of(name.begin(), name.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) ||
                  std::isupper(static_cast<unsigned char>(c));
         });
}

int CountBlocks(const std::string& dir) {
  int n = 0;
  for (const std::string& name : Names(dir)) n += IsUlid(name);
  return n;
}

bool HasCheckpoint(const std::string& wal_dir) {
  for (const std::string& name : Names(wal_dir)) {
    if (name.starts_with("checkpoint.")) return true;
  }
  return false;
}

// name -> size of every file below dir.
std::map<std::string, uintmax_t> FileSizes(const std::string& dir) {
  std::map<std::string, uintmax_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) out[e.path().string()] = e.file_size();
  }
  return out;
}

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kPrometheusBinary, X_OK) != 0 || access(kPromtoolBinary, X_OK) != 0) {
      GTEST_SKIP() << kPrometheusBinary << " or " << kPromtoolBinary << " is not installed";
    }
    ASSERT_FALSE(tmp_.empty());
  }
  void TearDown() override {
    if (HasFailure()) scratch_.Keep();
  }
  TempDir scratch_;
  const std::string& tmp_ = scratch_.path();
};

TEST_F(MigrationTest, PrometheusServesSundialsDirectory) {
  // Blocks are aligned to multiples of their range, so where the data starts decides the layout:
  // 10 steps into a 30-minute window gives a level-2 block and two 10-minute blocks after it.
  // Started at a window's first step, the level-2 block and one 10-minute block were all.
  constexpr int64_t kWindowSteps = 30 * kMinuteMs / kStepMs;
  const int64_t first = (NowStep() - 230) / kWindowSteps * kWindowSteps + 10;
  const int64_t last = first + 212;  // 53 minutes, ending 2 to 32 minutes ago
  const std::vector<DatasetSeries> data = Dataset(first, first + 40, first + 120, first + 150);
  const std::string dir = tmp_ + "/sundial-data";
  {
    tsdb::DbOptions options;
    options.dir = dir;
    options.wal_compression = true;
    options.wal_segment_size = 128 * 1024;
    options.block_range_ms = 10 * kMinuteMs;
    options.max_block_duration_ms = 30 * kMinuteMs;
    absl::StatusOr<std::unique_ptr<tsdb::DB>> db = tsdb::DB::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    std::vector<tsdb::SeriesRef> refs(data.size(), 0);
    for (int64_t i = first; i < last; ++i) {
      std::unique_ptr<tsdb::Appender> app = (*db)->NewAppender();
      for (size_t k = 0; k < data.size(); ++k) {
        std::optional<double> v = data[k].value(i);
        if (!v.has_value()) continue;
        Labels labels;
        if (refs[k] == 0) {
          LabelsBuilder b;
          for (const auto& [name, value] : data[k].labels) b.Set(name, value);
          labels = b.Build();
        }
        absl::StatusOr<tsdb::SeriesRef> ref = app->Append(refs[k], labels, i * kStepMs, *v);
        ASSERT_TRUE(ref.ok()) << ref.status();
        refs[k] = *ref;
      }
      ASSERT_TRUE(app->Commit().ok());
      if (i == first + 160) {
        ASSERT_TRUE((*db)->Compact().ok());
      }
    }
    ASSERT_TRUE((*db)->Compact().ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  ASSERT_GE(CountBlocks(dir), 3) << ::testing::PrintToString(Names(dir));
  ASSERT_TRUE(HasCheckpoint(dir + "/wal")) << ::testing::PrintToString(Names(dir + "/wal"));

  std::string error;
  ASSERT_TRUE(CopyDir(dir, tmp_ + "/prometheus-data", &error)) << error;
  Server prometheus = StartPrometheus(tmp_, tmp_ + "/prometheus-data", {}, &error);
  ASSERT_TRUE(prometheus.process) << error;
  Server sundial = StartSundial(tmp_, dir, {}, &error);
  ASSERT_TRUE(sundial.process) << error;

  const std::string want_total = std::to_string(CountPoints(data, first, last));
  EXPECT_EQ(Total(prometheus.port, first, last), want_total);
  EXPECT_EQ(Total(sundial.port, first, last), want_total);
  const std::vector<std::string> diffs =
      CompareAnswers(prometheus.port, sundial.port,
                     Cases(first, last, {first + 30, first + 100, first + 170, last - 2}));
  EXPECT_THAT(diffs, ::testing::IsEmpty()) << absl::StrJoin(diffs, "\n");
  // Whatever head chunks Sundial left are readable by Prometheus.
  EXPECT_THAT(prometheus.process->Stderr(),
              ::testing::Not(::testing::HasSubstr("Loading on-disk chunks failed")));
  EXPECT_EQ(Stop(&prometheus), 0) << prometheus.process->Stderr();
  EXPECT_EQ(Stop(&sundial), 0) << sundial.process->Stderr();
}

// A remote write body of native histograms (exponential schema 0, two positive buckets) for
// steps [from, to).
std::string NativeHistogramBody(int64_t from, int64_t to) {
  remotewrite::prompb::WriteRequest request;
  remotewrite::prompb::TimeSeries* ts = request.add_timeseries();
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"__name__", kNativeHistogram}, {"instance", "api-1:8080"}, {"job", "api"}}) {
    remotewrite::prompb::Label* l = ts->add_labels();
    l->set_name(name);
    l->set_value(value);
  }
  for (int64_t i = from; i < to; ++i) {
    const uint64_t n = static_cast<uint64_t>(i - from) * 10;
    remotewrite::prompb::Histogram* h = ts->add_histograms();
    h->set_count_int(n);
    h->set_sum(0.5 * static_cast<double>(n));
    h->set_schema(0);
    h->set_zero_threshold(1e-128);
    h->set_zero_count_int(0);
    remotewrite::prompb::BucketSpan* span = h->add_positive_spans();
    span->set_offset(0);
    span->set_length(2);
    h->add_positive_deltas(static_cast<int64_t>(n / 2));
    h->add_positive_deltas(0);
    h->set_timestamp(i * kStepMs);
  }
  const std::string raw = request.SerializeAsString();
  std::string body;
  snappy::Compress(raw.data(), raw.size(), &body);
  return body;
}

// Polls Prometheus' /api/v1/status/tsdb until its head spans at most max_span_ms.
bool WaitForShortHead(int port, int64_t max_span_ms, std::string* error) {
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    last = Get(port, "/api/v1/status/tsdb", {}, error);
    json::Value v;
    std::string parse_error;
    if (!last.empty() && json::Parse(last, &v, &parse_error)) {
      const json::Value* head = v.Find("data") ? v.Find("data")->Find("headStats") : nullptr;
      if (head != nullptr && head->Find("minTime") && head->Find("maxTime") &&
          head->Find("maxTime")->number - head->Find("minTime")->number <=
              static_cast<double>(max_span_ms)) {
        return true;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  *error = "the head was not compacted: " + last;
  return false;
}

TEST_F(MigrationTest, SundialServesPrometheusDirectory) {
  const int64_t now = NowStep();
  const int64_t first = now - 840, imported = now - 360, last = now - 8;
  const std::vector<DatasetSeries> data = Dataset(first, now - 400, now - 200, now - 100);
  const std::string dir = tmp_ + "/prometheus-data";

  // Blocks from OpenMetrics for [first, imported).
  const std::string om = tmp_ + "/import.om";
  std::ofstream(om) << OpenMetrics(data, first, imported);
  RunResult created = RunToCompletion(
      {kPromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", "--quiet", om, dir});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;
  ASSERT_GE(CountBlocks(dir), 1);

  // Four runs of Prometheus taking remote writes for [imported, last).
  const std::vector<std::string> flags = {
      "--web.enable-remote-write-receiver", "--storage.tsdb.min-block-duration=10m",
      "--storage.tsdb.max-block-duration=30m", "--enable-feature=native-histograms"};
  const std::vector<int64_t> bounds = {imported, imported + 80, imported + 160, imported + 240,
                                       last};
  for (size_t round = 0; round + 1 < bounds.size(); ++round) {
    std::string error;
    Server prometheus = StartPrometheus(tmp_, dir, flags, &error);
    ASSERT_TRUE(prometheus.process) << error;
    ASSERT_EQ(RemoteWrite(prometheus.port, RemoteWriteBody(data, bounds[round], bounds[round + 1])),
              "");
    if (round + 2 == bounds.size()) {
      // Native histograms in the last minutes, which stay in the head.
      ASSERT_EQ(RemoteWrite(prometheus.port, NativeHistogramBody(last - 16, last)), "");
    }
    // Every run makes the head span more than 1.5 block ranges: head compactions, then a WAL
    // truncation, which the third run finds enough segments for to write a checkpoint. Once
    // the head is short again, the compaction loop is past the point a SIGTERM could cancel
    // and finishes with the WAL truncation before Prometheus exits.
    ASSERT_TRUE(WaitForShortHead(prometheus.port, 15 * kMinuteMs, &error)) << error;
    if (round == 2) {
      ASSERT_TRUE(prometheus.process->WaitForStderr("WAL checkpoint complete", 120s))
          << prometheus.process->Stderr();
    }
    ASSERT_EQ(Stop(&prometheus), 0) << prometheus.process->Stderr();
  }
  ASSERT_GE(CountBlocks(dir), 3) << ::testing::PrintToString(Names(dir));
  ASSERT_TRUE(HasCheckpoint(dir + "/wal")) << ::testing::PrintToString(Names(dir + "/wal"));

  std::string error;
  const std::string copy = tmp_ + "/sundial-data";
  ASSERT_TRUE(CopyDir(dir, copy, &error)) << error;
  const std::map<std::string, uintmax_t> chunks_head = FileSizes(copy + "/chunks_head");
  ASSERT_FALSE(chunks_head.empty());
  Server prometheus = StartPrometheus(tmp_, dir, flags, &error);
  ASSERT_TRUE(prometheus.process) << error;
  Server sundial = StartSundial(tmp_, copy, {}, &error);
  ASSERT_TRUE(sundial.process) << error;

  const std::string want_total = std::to_string(CountPoints(data, first, last));
  EXPECT_EQ(Total(prometheus.port, first, last), want_total);
  EXPECT_EQ(Total(sundial.port, first, last), want_total);
  const std::vector<std::string> diffs = CompareAnswers(
      prometheus.port, sundial.port,
      Cases(first, last, {first + 100, imported - 3, imported + 10, imported + 150, last - 2}));
  EXPECT_THAT(diffs, ::testing::IsEmpty()) << absl::StrJoin(diffs, "\n");

  // The native histogram's WAL records were skipped, and counted.
  EXPECT_THAT(
      sundial.process->Stderr(),
      ::testing::ContainsRegex("msg=\"WAL replay skipped records\".*histogram_samples=[1-9]"))
      << sundial.process->Stderr();
  // Prometheus' head chunks were read and their samples not replayed from the WAL again (the
  // totals above would differ if a chunk went to the wrong series or a sample were doubled).
  EXPECT_THAT(
      sundial.process->Stderr(),
      ::testing::ContainsRegex("msg=\"WAL replay completed\".*samples_in_mmapped_chunks=[1-9]"))
      << sundial.process->Stderr();
  EXPECT_EQ(Stop(&prometheus), 0) << prometheus.process->Stderr();
  EXPECT_EQ(Stop(&sundial), 0) << sundial.process->Stderr();
  // Prometheus' files are never changed (Sundial writes its chunks to new files; it may delete
  // files older than its head).
  const std::map<std::string, uintmax_t> after = FileSizes(copy + "/chunks_head");
  for (const auto& [name, size] : chunks_head) {
    auto it = after.find(name);
    if (it != after.end()) {
      EXPECT_EQ(it->second, size) << name;
    }
  }
}

}  // namespace
}  // namespace sundial::testing::tsdb_migration
