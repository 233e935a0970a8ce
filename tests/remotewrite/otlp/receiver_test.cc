// The OTLP receiver end to end (body -> head): series names, labels and values for each metric
// type, target_info, the otlp config block, stale markers, rejections and partial success,
// content negotiation, compression and limits.
#include "remotewrite/otlp/receiver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "google/protobuf/util/json_util.h"
#include "remotewrite/otlp/metrics.pb.h"
#include "remotewrite/otlp/otlp_payloads.h"
#include "remotewrite/payloads.h"
#include "tsdb/head.h"
#include "tsdb/value.h"

namespace sundial::remotewrite::otlp {
namespace {

namespace pb = ::sundial::otlp;
using ::sundial::remotewrite::testing::ReadHead;
using ::testing::ElementsAre;
using testing::Gzip;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::JsonToProtobuf;
using testing::kT0Ms;
using testing::kT0Ns;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// A Collector-like export: one resource (service.namespace/name/instance.id + host.name), one
// scope, a gauge, a counter, an up-down counter, a histogram and a summary.
std::string Export() {
  return testing::Resource(
      R"("service.name": "api", "service.namespace": "shop",
                               "service.instance.id": "i-1", "host.name": "h1")",
      testing::Join({
          testing::Gauge("system.cpu.utilization", "1", R"("cpu": "0", "http.method": "GET")",
                         0.25),
          testing::Sum("http.server.requests", "{requests}", true, 2, "", 42),
          testing::Sum("process.memory.usage", "By", false, 2, "", 1024),
          testing::Histogram("http.server.duration", "s", 2, R"("route": "/x")", {0.1, 1},
                             {2, 3, 1}, 3.5),
          testing::Summary("rpc.latency", "ms", "", 7, 70, {{0.5, 10}, {0.99, 20}}),
      }));
}

class ReceiverTest : public ::testing::Test {
 protected:
  OtlpResponse Post(const std::string& body, std::string_view type = "application/json",
                    std::string_view encoding = "") {
    return HandleOtlp({.content_type = type, .content_encoding = encoding, .body = body}, &head_,
                      options_);
  }

  static pb::ExportMetricsServiceResponse ProtoAnswer(const OtlpResponse& r) {
    pb::ExportMetricsServiceResponse answer;
    EXPECT_TRUE(answer.ParseFromString(r.body));
    return answer;
  }

  OtlpOptions options_;
  tsdb::Head head_;
};

constexpr std::string_view kBase = R"(instance="i-1", job="shop/api")";

std::string Series(std::string_view name, std::string_view labels) {
  std::string out = "{__name__=\"" + std::string(name) + "\"";
  if (!labels.empty()) out += ", " + std::string(labels);
  return out + "}";
}

TEST_F(ReceiverTest, CollectorExportIsTranslatedLikePrometheus) {
  OtlpResponse r = Post(Export());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(r.stats.data_points, 5u);
  EXPECT_EQ(r.stats.rejected_data_points, 0u);
  EXPECT_EQ(r.stats.samples_written, 13u);
  const std::string base(kBase);
  EXPECT_THAT(
      ReadHead(head_),
      UnorderedElementsAre(
          Pair(Series("system_cpu_utilization_ratio", R"(cpu="0", http_method="GET", )" + base),
               ElementsAre(Pair(kT0Ms, 0.25))),
          Pair(Series("http_server_requests_total", base), ElementsAre(Pair(kT0Ms, 42))),
          Pair(Series("process_memory_usage_bytes", base), ElementsAre(Pair(kT0Ms, 1024))),
          Pair(Series("http_server_duration_seconds_bucket", base + R"(, le="0.1", route="/x")"),
               ElementsAre(Pair(kT0Ms, 2))),
          Pair(Series("http_server_duration_seconds_bucket", base + R"(, le="1", route="/x")"),
               ElementsAre(Pair(kT0Ms, 5))),
          Pair(Series("http_server_duration_seconds_bucket", base + R"(, le="+Inf", route="/x")"),
               ElementsAre(Pair(kT0Ms, 6))),
          Pair(Series("http_server_duration_seconds_sum", base + R"(, route="/x")"),
               ElementsAre(Pair(kT0Ms, 3.5))),
          Pair(Series("http_server_duration_seconds_count", base + R"(, route="/x")"),
               ElementsAre(Pair(kT0Ms, 6))),
          Pair(Series("rpc_latency_milliseconds", base + R"(, quantile="0.5")"),
               ElementsAre(Pair(kT0Ms, 10))),
          Pair(Series("rpc_latency_milliseconds", base + R"(, quantile="0.99")"),
               ElementsAre(Pair(kT0Ms, 20))),
          Pair(Series("rpc_latency_milliseconds_sum", base), ElementsAre(Pair(kT0Ms, 70))),
          Pair(Series("rpc_latency_milliseconds_count", base), ElementsAre(Pair(kT0Ms, 7))),
          Pair(Series("target_info", R"(host_name="h1", )" + base), ElementsAre(Pair(kT0Ms, 1)))));
}

TEST_F(ReceiverTest, ProtobufBodyGivesTheSameSeriesAndAProtobufAnswer) {
  OtlpResponse r = Post(JsonToProtobuf(Export()), "application/x-protobuf");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.headers, ::testing::Contains(Pair("Content-Type", "application/x-protobuf")));
  EXPECT_FALSE(ProtoAnswer(r).has_partial_success());
  tsdb::Head json_head;
  ASSERT_EQ(HandleOtlp({.content_type = "application/json", .body = Export()}, &json_head).status,
            200);
  EXPECT_EQ(ReadHead(head_), ReadHead(json_head));
}

TEST_F(ReceiverTest, GzipBodies) {
  OtlpResponse r = Post(Gzip(JsonToProtobuf(Export())), "application/x-protobuf", "gzip");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.stats.samples_written, 13u);
  // Two concatenated gzip members are one body, as Go's reader reads them.
  tsdb::Head other;
  std::string body = Export();
  std::string two = Gzip(body.substr(0, 10)) + Gzip(body.substr(10));
  r = HandleOtlp({.content_type = "application/json", .content_encoding = "GZIP", .body = two},
                 &other);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ReadHead(other), ReadHead(head_));
}

TEST_F(ReceiverTest, DeltaAndExponentialHistogramsArePartialSuccess) {
  std::string body = testing::Resource(
      R"("service.name": "api")",
      testing::Join({
          testing::Sum("delta.requests", "", true, 1, "", 5),  // 1 = DELTA
          testing::Sum("unspecified.requests", "", true, 0, "", 5),
          R"({"name": "latency", "exponentialHistogram": {"aggregationTemporality": 2,
              "dataPoints": [{"timeUnixNano": "1700000000000000000", "count": "3", "scale": 1,
                              "positive": {"offset": 0, "bucketCounts": ["1", "2"]}},
                             {"timeUnixNano": "1700000000000000000", "count": "1"}]}})",
          testing::Gauge("ok", "", "", 1),
      }));
  OtlpResponse r = Post(body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.stats.data_points, 5u);
  EXPECT_EQ(r.stats.rejected_data_points, 4u);
  EXPECT_EQ(r.stats.exponential_histogram_points, 2u);
  pb::ExportMetricsServiceResponse answer;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &answer).ok()) << r.body;
  EXPECT_EQ(answer.partial_success().rejected_data_points(), 4);
  EXPECT_EQ(answer.partial_success().error_message(),
            "invalid temporality and type combination for metric \"delta.requests\"; "
            "invalid temporality and type combination for metric \"unspecified.requests\"; "
            "exponential histogram \"latency\" dropped: native histograms are not supported");
  EXPECT_THAT(ReadHead(head_), ElementsAre(Pair(Series("ok", R"(job="api")"), ::testing::_)));
}

TEST_F(ReceiverTest, NoRecordedValueIsAStaleMarker) {
  std::string point = R"({"timeUnixNano": "1700000000000000000", "flags": 1,
                          "explicitBounds": [1], "bucketCounts": ["1", "1"], "count": "2",
                          "sum": 3})";
  std::string body = testing::Resource(
      R"("service.name": "api")",
      testing::Join({R"({"name": "g", "gauge": {"dataPoints": [{"timeUnixNano":
                         "1700000000000000000", "asDouble": 1, "flags": 1}]}})",
                     R"({"name": "h", "histogram": {"aggregationTemporality": 2, "dataPoints": [)" +
                         point + "]}}"}));
  OtlpResponse r = Post(body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto contents = ReadHead(head_);
  ASSERT_EQ(contents.size(), 5u);  // g, h_sum, h_count, h_bucket{le="1"}, h_bucket{le="+Inf"}
  for (const auto& [series, samples] : contents) {
    ASSERT_EQ(samples.size(), 1u) << series;
    EXPECT_TRUE(tsdb::IsStaleNaN(samples[0].second)) << series;
  }
}

TEST_F(ReceiverTest, PromotedAndIdentifyingResourceAttributes) {
  options_.config.promote_resource_attributes = {"host.name", "cloud.region"};
  options_.config.keep_identifying_resource_attributes = true;
  std::string body = testing::Resource(
      R"("service.name": "api", "service.instance.id": "i-1", "host.name": "h1",
         "cloud.region": "eu", "os.type": "linux")",
      testing::Gauge("g", "", R"("host.name": "from-point")", 1));
  ASSERT_EQ(Post(body).status, 200);
  EXPECT_THAT(
      ReadHead(head_),
      UnorderedElementsAre(
          // A data point attribute wins over a promoted resource attribute.
          Pair(Series("g",
                      R"(cloud_region="eu", host_name="from-point", instance="i-1", job="api")"),
               ::testing::_),
          Pair(Series("target_info", R"(cloud_region="eu", host_name="h1", instance="i-1", )"
                                     R"(job="api", os_type="linux", )"
                                     R"(service_instance_id="i-1", service_name="api")"),
               ::testing::_)));
}

TEST_F(ReceiverTest, TargetInfoNeedsOtherAttributesAndAnIdentifier) {
  // Only identifying attributes: no target_info. No service.name/instance id: none either.
  std::string body =
      testing::ResourceMetrics(R"("service.name": "a", "service.instance.id": "1")",
                               testing::Gauge("g1", "", "", 1)) +
      "," + testing::ResourceMetrics(R"("host.name": "h")", testing::Gauge("g2", "", "", 1));
  ASSERT_EQ(Post(testing::Request(body)).status, 200);
  EXPECT_THAT(ReadHead(head_),
              UnorderedElementsAre(Pair(Series("g1", R"(instance="1", job="a")"), ::testing::_),
                                   Pair(Series("g2", ""), ::testing::_)));
}

TEST_F(ReceiverTest, TargetInfoCoversTheRequestSpanEveryHalfLookback) {
  std::string points =
      R"({"name": "g", "gauge": {"dataPoints": [
           {"timeUnixNano": "1700000000000000000", "asInt": "1"},
           {"timeUnixNano": "1700000600000000000", "asInt": "2"}]}})";
  ASSERT_EQ(Post(testing::Resource(R"("service.name": "a", "k": "v")", points)).status, 200);
  EXPECT_THAT(ReadHead(head_)[Series("target_info", R"(job="a", k="v")")],
              ElementsAre(Pair(kT0Ms, 1), Pair(kT0Ms + 150000, 1), Pair(kT0Ms + 300000, 1),
                          Pair(kT0Ms + 450000, 1), Pair(kT0Ms + 600000, 1)));
}

TEST_F(ReceiverTest, AttributeNamesAndValues) {
  std::string attrs = R"("a.b": "x", "a_b": "y", "1st": "one", "_private": "p",
                         "__name__": "ignored")";
  std::string body = testing::Request(R"({"resource": {}, "scopeMetrics": [{"metrics": [
      {"name": "g", "gauge": {"dataPoints": [{"timeUnixNano": "1700000000000000000",
        "asDouble": 1, "attributes": [)" +
                                      testing::Attributes(attrs) + R"(,
        {"key": "int", "value": {"intValue": "-7"}},
        {"key": "bool", "value": {"boolValue": true}},
        {"key": "double", "value": {"doubleValue": 0.000001}},
        {"key": "tiny", "value": {"doubleValue": 1e-7}},
        {"key": "list", "value": {"arrayValue": {"values": [{"stringValue": "<a>"},
                                                             {"intValue": "1"}]}}},
        {"key": "map", "value": {"kvlistValue": {"values": [
            {"key": "z", "value": {"boolValue": false}},
            {"key": "a", "value": {"doubleValue": 2.5}}]}}},
        {"key": "bytes", "value": {"bytesValue": "aGk="}}]}]}}]}]})");
  ASSERT_EQ(Post(body).status, 200);
  EXPECT_THAT(ReadHead(head_),
              ElementsAre(Pair(Series("g", R"(a_b="x;y", bool="true", bytes="aGk=", )"
                                           R"(double="0.000001", int="-7", key_1st="one", )"
                                           R"(key_private="p", list="[\"\\u003ca\\u003e\",1]", )"
                                           R"(map="{\"a\":2.5,\"z\":false}", tiny="1e-7")"),
                               ::testing::_)));
}

TEST_F(ReceiverTest, TranslationStrategies) {
  std::string body = testing::Resource(
      R"("service.name": "api")",
      testing::Sum("http.server.requests", "{r}", true, 2, R"("http.method": "GET")", 1));
  options_.config.translation_strategy = "NoUTF8EscapingWithSuffixes";
  ASSERT_EQ(Post(body).status, 200);
  options_.config.translation_strategy = "UnderscoreEscapingWithoutSuffixes";
  ASSERT_EQ(Post(body).status, 200);
  options_.config.translation_strategy = "NoTranslation";
  ASSERT_EQ(Post(body).status, 200);
  EXPECT_THAT(
      ReadHead(head_),
      UnorderedElementsAre(
          Pair(Series("http.server.requests_total", R"(http.method="GET", job="api")"),
               ::testing::_),
          Pair(Series("http_server_requests", R"(http_method="GET", job="api")"), ::testing::_),
          Pair(Series("http.server.requests", R"(http.method="GET", job="api")"), ::testing::_)));
}

TEST_F(ReceiverTest, BadNamesRejectOnlyTheirPoints) {
  std::string body = testing::Resource(
      R"("service.name": "api")",
      testing::Join({testing::Gauge("...", "", "", 1), testing::Gauge("g", "", R"("...": "x")", 1),
                     testing::Gauge("ok", "", "", 1)}));
  OtlpResponse r = Post(body);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.stats.rejected_data_points, 2u);
  EXPECT_THAT(r.body, HasSubstr("resulted in empty name"));
  EXPECT_THAT(ReadHead(head_), ElementsAre(Pair(Series("ok", R"(job="api")"), ::testing::_)));
}

TEST_F(ReceiverTest, ContentNegotiation) {
  OtlpResponse r = Post(Export(), "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.body,
            "unsupported content type: text/plain, supported: [application/json, "
            "application/x-protobuf]\n");
  EXPECT_EQ(Post(Export(), "").status, 415);
  r = Post(Export(), "application/json", "snappy");
  EXPECT_EQ(r.status, 415);
  EXPECT_THAT(r.body, HasSubstr("unsupported compression: snappy"));
  EXPECT_EQ(Post(Export(), "Application/JSON; charset=utf-8").status, 200);
  EXPECT_EQ(Post(Export(), "application/json", "identity").status, 200);
}

TEST_F(ReceiverTest, BadBodiesAre400WithAStatusMessage) {
  OtlpResponse r = Post("not protobuf \xff", "application/x-protobuf");
  ASSERT_EQ(r.status, 400);
  pb::Status status;
  ASSERT_TRUE(status.ParseFromString(r.body));
  EXPECT_EQ(status.code(), 3);
  EXPECT_EQ(status.message(), "cannot decode ExportMetricsServiceRequest: invalid protobuf");

  r = Post("{\"resourceMetrics\": [", "application/json");
  ASSERT_EQ(r.status, 400);
  EXPECT_THAT(r.headers, ::testing::Contains(Pair("Content-Type", "application/json")));
  EXPECT_THAT(r.body, HasSubstr("invalid JSON"));

  r = Post("definitely not gzip", "application/json", "gzip");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("gzip"));
  std::string truncated = Gzip(Export());
  truncated.resize(truncated.size() / 2);
  r = Post(truncated, "application/json", "gzip");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("unexpected EOF"));
  EXPECT_THAT(ReadHead(head_), IsEmpty());
}

TEST_F(ReceiverTest, UnknownJsonFieldsAreIgnored) {
  std::string body = testing::Request(
      R"({"resource": {"attributes": [], "futureField": 1}, "scopeMetrics": [{"metrics": [)" +
      testing::Gauge("g", "", "", 1) + R"(]}], "anotherOne": {"x": [1]}})");
  EXPECT_EQ(Post(body).status, 200);
  EXPECT_EQ(ReadHead(head_).size(), 1u);
}

TEST_F(ReceiverTest, Limits) {
  options_.max_body_bytes = 100;
  OtlpResponse r = Post(Export());
  EXPECT_EQ(r.status, 413);
  options_.max_body_bytes = 1 << 20;
  options_.max_decoded_bytes = 1000;
  std::string bomb = Gzip(std::string(1 << 20, ' '));  // 1 MiB of spaces, ~1 KiB gzipped
  r = Post(bomb, "application/json", "gzip");
  EXPECT_EQ(r.status, 413);
  pb::Status status;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &status).ok()) << r.body;
  EXPECT_EQ(status.message(), "decompressed body exceeds the limit of 1000 bytes");
  EXPECT_THAT(ReadHead(head_), IsEmpty());
}

TEST_F(ReceiverTest, OutOfOrderSamplesKeepTheRestAndAre400) {
  ASSERT_EQ(
      Post(testing::Resource(R"("service.name": "api")", testing::Gauge("g", "", "", 1))).status,
      200);
  std::string older = R"({"name": "g", "gauge": {"dataPoints": [
      {"timeUnixNano": "1699999999000000000", "asDouble": 2}]}})";
  std::string body = testing::Resource(R"("service.name": "api")",
                                       testing::Join({older, testing::Gauge("other", "", "", 3)}));
  OtlpResponse r = Post(body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.stats.samples_rejected, 1u);
  EXPECT_EQ(r.stats.samples_written, 1u);
  EXPECT_THAT(r.body, HasSubstr("out of order sample"));
  EXPECT_EQ(ReadHead(head_)[Series("other", R"(job="api")")].size(), 1u);
}

TEST_F(ReceiverTest, EmptyRequestIsOk) {
  EXPECT_EQ(Post("{}").status, 200);
  OtlpResponse r = Post("", "application/x-protobuf");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());  // an empty ExportMetricsServiceResponse
  EXPECT_THAT(ReadHead(head_), IsEmpty());
}

}  // namespace
}  // namespace sundial::remotewrite::otlp
