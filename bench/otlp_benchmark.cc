// OTLP receive throughput: decoding (protobuf or JSON), translation to Prometheus series and
// appending into a Head, for Collector-shaped requests: one resource (8 attributes) and one
// scope per request, 100 metrics x 10 data points with 3 attributes each (1,000 data points,
// 1,001 samples with target_info). A round sends one request for each of 20 service instances
// (20k series). items_per_second counts Prometheus samples.
//
//   BM_OtlpDecodeAppend/0|1   protobuf | JSON into a Head
//   BM_OtlpDecodeOnly/0|1     the same into an Appendable that discards (decode + translate)
//   BM_OtlpHistograms         100 histogram points x 10 buckets (1,300 samples) into a Head
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "remotewrite/otlp/metrics.pb.h"
#include "remotewrite/otlp/receiver.h"
#include "tsdb/head.h"

namespace sundial::remotewrite::otlp {
namespace {

namespace pb = ::sundial::otlp;

constexpr int kInstances = 20;
constexpr int kMetrics = 100;
constexpr int kPointsPerMetric = 10;

void Attr(google::protobuf::RepeatedPtrField<pb::KeyValue>* attrs, const std::string& k,
          const std::string& v) {
  pb::KeyValue* kv = attrs->Add();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

pb::ResourceMetrics* NewResource(pb::ExportMetricsServiceRequest* req, int instance) {
  pb::ResourceMetrics* rm = req->add_resource_metrics();
  auto* attrs = rm->mutable_resource()->mutable_attributes();
  Attr(attrs, "service.name", "checkout");
  Attr(attrs, "service.namespace", "shop");
  Attr(attrs, "service.instance.id", "instance-" + std::to_string(instance));
  Attr(attrs, "host.name", "host-" + std::to_string(instance));
  Attr(attrs, "os.type", "linux");
  Attr(attrs, "cloud.region", "eu-west-1");
  Attr(attrs, "telemetry.sdk.language", "go");
  Attr(attrs, "telemetry.sdk.version", "1.28.0");
  rm->add_scope_metrics()->mutable_scope()->set_name("go.opentelemetry.io/otel/bench");
  return rm;
}

std::string Encode(const pb::ExportMetricsServiceRequest& req, bool json) {
  std::string out;
  if (json) {
    (void)google::protobuf::util::MessageToJsonString(req, &out);
  } else {
    req.SerializeToString(&out);
  }
  return out;
}

// Gauges and monotonic counters at time t_ms.
std::string NumberRequest(int instance, int64_t t_ms, bool json) {
  pb::ExportMetricsServiceRequest req;
  pb::ScopeMetrics* sm = NewResource(&req, instance)->mutable_scope_metrics(0);
  for (int m = 0; m < kMetrics; ++m) {
    pb::Metric* metric = sm->add_metrics();
    metric->set_name("app.requests." + std::to_string(m));
    metric->set_unit(m % 2 ? "{requests}" : "By");
    google::protobuf::RepeatedPtrField<pb::NumberDataPoint>* points;
    if (m % 2) {
      pb::Sum* sum = metric->mutable_sum();
      sum->set_is_monotonic(true);
      sum->set_aggregation_temporality(pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
      points = sum->mutable_data_points();
    } else {
      points = metric->mutable_gauge()->mutable_data_points();
    }
    for (int p = 0; p < kPointsPerMetric; ++p) {
      pb::NumberDataPoint* point = points->Add();
      Attr(point->mutable_attributes(), "http.method", p % 2 ? "GET" : "POST");
      Attr(point->mutable_attributes(), "http.route", "/api/v1/item/" + std::to_string(p));
      Attr(point->mutable_attributes(), "http.status_code", "200");
      point->set_start_time_unix_nano(1);
      point->set_time_unix_nano(static_cast<uint64_t>(t_ms) * 1000000);
      if (m % 2) {
        point->set_as_int(t_ms / 1000 + p);
      } else {
        point->set_as_double(0.5 * p + static_cast<double>(t_ms));
      }
    }
  }
  return Encode(req, json);
}

std::string HistogramRequest(int instance, int64_t t_ms) {
  pb::ExportMetricsServiceRequest req;
  pb::ScopeMetrics* sm = NewResource(&req, instance)->mutable_scope_metrics(0);
  for (int m = 0; m < 10; ++m) {
    pb::Metric* metric = sm->add_metrics();
    metric->set_name("http.server.duration." + std::to_string(m));
    metric->set_unit("s");
    pb::Histogram* h = metric->mutable_histogram();
    h->set_aggregation_temporality(pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int p = 0; p < 10; ++p) {
      pb::HistogramDataPoint* point = h->add_data_points();
      Attr(point->mutable_attributes(), "http.route", "/api/v1/item/" + std::to_string(p));
      point->set_time_unix_nano(static_cast<uint64_t>(t_ms) * 1000000);
      uint64_t count = 0;
      for (double b : {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0}) {
        point->add_explicit_bounds(b);
        point->add_bucket_counts(static_cast<uint64_t>(t_ms / 1000));
        count += static_cast<uint64_t>(t_ms / 1000);
      }
      point->add_bucket_counts(1);
      point->set_count(count + 1);
      point->set_sum(static_cast<double>(count));
    }
  }
  return req.SerializeAsString();
}

OtlpRequestInfo Info(bool json, const std::string& body) {
  return {.content_type = json ? "application/json" : "application/x-protobuf", .body = body};
}

template <typename MakeRequest>
void RunRounds(benchmark::State& state, bool json, MakeRequest make) {
  tsdb::Head head;
  int64_t t = 1'700'000'000'000;
  std::vector<std::string> round;
  size_t next = 0;
  uint64_t samples = 0;
  uint64_t bytes = 0;
  for (auto _ : state) {
    if (next == round.size()) {  // every series needs a newer timestamp for the next round
      state.PauseTiming();
      t += 15'000;
      round.clear();
      for (int i = 0; i < kInstances; ++i) round.push_back(make(i, t));
      next = 0;
      state.ResumeTiming();
    }
    bytes += round[next].size();
    OtlpResponse r = HandleOtlp(Info(json, round[next++]), &head);
    if (r.status != 200) state.SkipWithError(r.body.c_str());
    samples += r.stats.samples_written;
  }
  state.SetItemsProcessed(static_cast<int64_t>(samples));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["head_series"] = static_cast<double>(head.NumSeries());
}

void BM_OtlpDecodeAppend(benchmark::State& state) {
  const bool json = state.range(0) == 1;
  RunRounds(state, json, [json](int i, int64_t t) { return NumberRequest(i, t, json); });
}
BENCHMARK(BM_OtlpDecodeAppend)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_OtlpHistograms(benchmark::State& state) {
  RunRounds(state, false, [](int i, int64_t t) { return HistogramRequest(i, t); });
}
BENCHMARK(BM_OtlpHistograms)->Unit(benchmark::kMicrosecond);

class DiscardingAppendable : public tsdb::Appendable {
  class Appender : public tsdb::Appender {
    absl::Status Commit() override { return absl::OkStatus(); }
    void Rollback() override {}
    absl::StatusOr<tsdb::SeriesRef> AppendSample(tsdb::SeriesRef, const Labels&, tsdb::Timestamp,
                                                 double, const tsdb::AppendOptions&) override {
      return 1;
    }
  };

 public:
  std::unique_ptr<tsdb::Appender> NewAppender() override { return std::make_unique<Appender>(); }
};

void BM_OtlpDecodeOnly(benchmark::State& state) {
  const bool json = state.range(0) == 1;
  DiscardingAppendable sink;
  const std::string body = NumberRequest(0, 1'700'000'000'000, json);
  uint64_t samples = 0;
  for (auto _ : state) {
    OtlpResponse r = HandleOtlp(Info(json, body), &sink);
    if (r.status != 200) state.SkipWithError(r.body.c_str());
    samples += r.stats.samples_written;
  }
  state.SetItemsProcessed(static_cast<int64_t>(samples));
  state.counters["request_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_OtlpDecodeOnly)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sundial::remotewrite::otlp

int main(int argc, char** argv) {
  // As the server does (cli/server.cc): Debian's Abseil is a debug build whose Mutex deadlock
  // detection would otherwise dominate the Head's cost.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
