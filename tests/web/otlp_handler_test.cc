// The OTLP receiver over a real socket: POST /api/v1/otlp/v1/metrics with protobuf and JSON
// bodies, the configuration read per request, and the 404 when the receiver is disabled.
#include "web/otlp_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "remotewrite/otlp/metrics.pb.h"
#include "remotewrite/otlp/otlp_payloads.h"
#include "remotewrite/payloads.h"
#include "tsdb/head.h"
#include "web/server_fixture.h"

namespace sundial::web {
namespace {

namespace otlp_testing = ::sundial::remotewrite::otlp::testing;
using ::sundial::remotewrite::testing::ReadHead;
using ::testing::ElementsAre;
using ::testing::Pair;

std::string Body() {
  return otlp_testing::Resource(
      R"("service.name": "api")",
      otlp_testing::Sum("http.server.requests", "", true, 2, R"("http.method": "GET")", 3));
}

class OtlpHandlerTest : public testing::ServerFixture {
 protected:
  tsdb::Head head_;
};

TEST_F(OtlpHandlerTest, ProtobufAndJsonRequests) {
  RegisterOtlpHandler(&router_, &head_, true);
  StartServer();
  auto r =
      testing::Fetch(port_, "POST", kOtlpMetricsPath, "Content-Type: application/x-protobuf\r\n",
                     otlp_testing::JsonToProtobuf(Body()));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->Header("content-type"), "application/x-protobuf");
  EXPECT_EQ(r->body, "");  // an empty ExportMetricsServiceResponse
  r = testing::Fetch(port_, "POST", kOtlpMetricsPath,
                     "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
                     otlp_testing::Gzip(Body()));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_EQ(r->body, "{}");
  EXPECT_THAT(ReadHead(head_),
              ElementsAre(Pair(R"({__name__="http_server_requests_total", http_method="GET", )"
                               R"(job="api"})",
                               ElementsAre(Pair(otlp_testing::kT0Ms, 3)))));

  r = testing::Fetch(port_, "POST", kOtlpMetricsPath, "Content-Type: text/plain\r\n", Body());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 415);
  r = testing::Fetch(port_, "POST", kOtlpMetricsPath, "Content-Type: application/x-protobuf\r\n",
                     "\xff\xff\xff");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  ::sundial::otlp::Status status;
  ASSERT_TRUE(status.ParseFromString(r->body));
  EXPECT_EQ(status.message(), "cannot decode ExportMetricsServiceRequest: invalid protobuf");
}

TEST_F(OtlpHandlerTest, ConfigIsReadOnEveryRequest) {
  std::atomic<bool> utf8{false};
  OtlpHandlerOptions options;
  options.config = [&utf8] {
    config::OtlpConfig c;
    if (utf8.load()) c.translation_strategy = "NoTranslation";
    return c;
  };
  RegisterOtlpHandler(&router_, &head_, true, std::move(options));
  StartServer();
  auto post = [&] {
    auto r = testing::Fetch(port_, "POST", kOtlpMetricsPath, "Content-Type: application/json\r\n",
                            Body());
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200) << r->body;
  };
  post();
  utf8 = true;
  post();
  auto contents = ReadHead(head_);
  EXPECT_TRUE(contents.contains(
      R"({__name__="http_server_requests_total", http_method="GET", job="api"})"));
  EXPECT_TRUE(
      contents.contains(R"({__name__="http.server.requests", http.method="GET", job="api"})"));
}

TEST_F(OtlpHandlerTest, DisabledReceiverIs404) {
  RegisterOtlpHandler(&router_, &head_, false);
  StartServer();
  auto r =
      testing::Fetch(port_, "POST", kOtlpMetricsPath, "Content-Type: application/json\r\n", Body());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "otlp write receiver needs to be enabled with --web.enable-otlp-receiver\n");
  EXPECT_EQ(head_.NumSeries(), 0u);
}

}  // namespace
}  // namespace sundial::web
