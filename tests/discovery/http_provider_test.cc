#include "discovery/http_provider.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/test_server.h"

namespace sundial::discovery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

constexpr std::string_view kUrl = "http://sd.example/targets";

TEST(ParseHttpSdBodyTest, GroupsGetSourceAndUrlLabel) {
  absl::StatusOr<std::vector<TargetGroup>> g = ParseHttpSdBody(kUrl, R"([
    {"targets": ["a:1", "b:2"], "labels": {"env": "prod"}},
    {"targets": []},
    {"labels": {"x": ""}}
  ])");
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->size(), 3u);
  EXPECT_EQ((*g)[0].source, "http://sd.example/targets:0");
  EXPECT_EQ((*g)[2].source, "http://sd.example/targets:2");
  EXPECT_THAT((*g)[0].targets,
              ElementsAre(Labels{{"__address__", "a:1"}}, Labels{{"__address__", "b:2"}}));
  EXPECT_EQ((*g)[0].labels, (Labels{{"__meta_url", std::string(kUrl)}, {"env", "prod"}}));
  EXPECT_TRUE((*g)[1].targets.empty());
  EXPECT_EQ((*g)[1].labels, (Labels{{"__meta_url", std::string(kUrl)}}));
}

TEST(ParseHttpSdBodyTest, NullAndEmptyList) {
  EXPECT_TRUE(ParseHttpSdBody(kUrl, "[]")->empty());
  EXPECT_TRUE(ParseHttpSdBody(kUrl, "null")->empty());
}

TEST(ParseHttpSdBodyTest, FieldNamesAreCaseInsensitiveAsInGo) {
  absl::StatusOr<std::vector<TargetGroup>> g =
      ParseHttpSdBody(kUrl, R"([{"Targets": ["a:1"], "LABELS": {"k": "v"}}])");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)[0].labels.Get("k"), "v");
  EXPECT_EQ((*g)[0].targets.size(), 1u);
}

TEST(ParseHttpSdBodyTest, Errors) {
  struct Case {
    std::string body;
    std::string error;
  } cases[] = {
      {"", "unexpected end of JSON input"},
      {"  \n", "unexpected end of JSON input"},
      {R"({"targets": []})",
       "json: cannot unmarshal object into Go value of type []*targetgroup.Group"},
      {R"("x")", "json: cannot unmarshal string into Go value of type []*targetgroup.Group"},
      {"[null]", "nil target group item found"},
      {"[1]", "json: cannot unmarshal number into Go value of type targetgroup.Group"},
      {R"([{"targets": ["a:1"], "foo": 1}])", R"(json: unknown field "foo")"},
      {R"([{"targets": "a:1"}])", "json: cannot unmarshal string into Go value of type []string"},
      {R"([{"targets": [1]}])", "json: cannot unmarshal number into Go value of type string"},
      {R"([{"labels": {"0x": "v"}}])", R"("0x" is not a valid label name)"},
      {R"([{"labels": {"x": true}}])",
       "json: cannot unmarshal bool into Go value of type model.LabelValue"},
      {R"([{"labels": ["x"]}])",
       "json: cannot unmarshal array into Go value of type model.LabelSet"},
      {R"([{"targets": ["a:1"])", "invalid JSON"},
      {"[{]", "invalid JSON"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<TargetGroup>> g = ParseHttpSdBody(kUrl, c.body);
    ASSERT_FALSE(g.ok()) << c.body;
    EXPECT_THAT(std::string(g.status().message()), StartsWith(c.error)) << c.body;
  }
}

TEST(HttpSdContentTypeTest, AcceptsOnlyJsonWithOptionalUtf8Charset) {
  for (const char* ok : {"application/json", "APPLICATION/JSON", " application/json ",
                         "application/json; charset=utf-8", "application/json;charset=UTF-8",
                         "application/json; charset=\"utf-8\""}) {
    EXPECT_TRUE(IsHttpSdContentType(ok)) << ok;
  }
  for (const char* bad : {"", "text/plain", "application/jsonx", "application/json; charset=latin1",
                          "application/json; foo=bar", "application/json;", "text/json"}) {
    EXPECT_FALSE(IsHttpSdContentType(bad)) << bad;
  }
}

double FailuresTotal() {
  const std::string text = metrics::Registry::Default().Expose();
  constexpr std::string_view kName = "prometheus_sd_http_failures_total ";
  size_t at = text.find(StrCat("\n", kName));
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + 1 + kName.size()));
}

// An HTTP SD endpoint whose answer the test changes, and the provider's updates.
class HttpSdTest : public ::testing::Test {
 protected:
  HttpSdTest()
      : server_([this](const net::testing::ServerRequest& req) {
          std::lock_guard<std::mutex> lock(mu_);
          last_request_ = req;
          ++requests_;
          cv_.notify_all();
          return response_;
        }) {}

  void Serve(int status, std::string content_type, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    response_ = {.status = status, .headers = {{"Content-Type", content_type}}, .body = body};
  }

  void Start(Duration interval) {
    config::HttpSdConfig c;
    c.url = server_.Url("/sd");
    c.refresh_interval = interval;
    absl::StatusOr<std::unique_ptr<Provider>> p = NewHttpProvider(c, &pool_);
    ASSERT_TRUE(p.ok()) << p.status();
    provider_ = *std::move(p);
    provider_->Start([this](std::vector<TargetGroup> groups) {
      std::lock_guard<std::mutex> lock(mu_);
      updates_.push_back(std::move(groups));
      cv_.notify_all();
    });
  }

  // Waits until the server saw n more requests than now and the failure count of each was
  // registered (a failure is counted before the next request starts).
  void WaitRequests(int more) {
    std::unique_lock<std::mutex> lock(mu_);
    const int target = requests_ + more;
    ASSERT_TRUE(cv_.wait_for(lock, 10s, [&] { return requests_ >= target; }));
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  bool WaitUpdates(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return updates_.size() >= n; });
  }
  std::vector<std::vector<TargetGroup>> updates() {
    std::lock_guard<std::mutex> lock(mu_);
    return updates_;
  }
  net::testing::ServerRequest last_request() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }

  net::IoPool pool_{1};
  std::mutex mu_;
  std::condition_variable cv_;
  net::testing::ServerResponse response_;
  net::testing::ServerRequest last_request_;
  int requests_ = 0;
  std::vector<std::vector<TargetGroup>> updates_;
  net::testing::TestServer server_;
  std::unique_ptr<Provider> provider_;  // declared last: stopped first
};

TEST_F(HttpSdTest, SendsPrometheusHeadersAndReportsGroups) {
  Serve(200, "application/json", R"([{"targets": ["a:1"], "labels": {"env": "x"}}])");
  Start(1500ms);
  ASSERT_TRUE(WaitUpdates(1));
  net::testing::ServerRequest req = last_request();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/sd");
  EXPECT_EQ(req.headers["x-prometheus-refresh-interval-seconds"], "1.5");
  EXPECT_THAT(req.headers["user-agent"], StartsWith("Prometheus/"));
  EXPECT_EQ(req.headers["accept"], "application/json");
  std::vector<TargetGroup> g = updates()[0];
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].source, server_.Url("/sd") + ":0");
  EXPECT_EQ(g[0].labels.Get("__meta_url"), server_.Url("/sd"));
  EXPECT_EQ(g[0].labels.Get("env"), "x");
  provider_->Stop();
}

TEST_F(HttpSdTest, FailuresKeepLastGoodGroupsAndAreCountedThenRecover) {
  Serve(200, "application/json", R"([{"targets": ["a:1"]}])");
  Start(20ms);
  ASSERT_TRUE(WaitUpdates(1));
  const double before = FailuresTotal();
  const int requests_before = requests();

  // Each bad answer is served for at least two refreshes; none produces an update.
  Serve(500, "application/json", "[]");
  WaitRequests(2);
  Serve(404, "application/json", "[]");
  WaitRequests(2);
  Serve(200, "text/plain", "[]");
  WaitRequests(2);
  Serve(200, "application/json", "[{");
  WaitRequests(2);
  Serve(200, "application/json", R"([{"targets": ["a:1"]}])");  // unchanged: no update
  WaitRequests(2);
  EXPECT_EQ(updates().size(), 1u);
  // Every refresh completes before the next request, so the eight bad answers' failures are
  // counted. The client's timeout is the 20 ms refresh interval, as in Prometheus: on a stalled
  // host a good answer can time out too and count one more, but no request counts twice.
  const double failures = FailuresTotal() - before;
  EXPECT_GE(failures, 8);
  EXPECT_LE(failures, requests() - requests_before);

  Serve(200, "application/json; charset=utf-8", R"([{"targets": ["b:2"]}, {"targets": []}])");
  ASSERT_TRUE(WaitUpdates(2));
  std::vector<TargetGroup> g = updates()[1];
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].targets[0].Get("__address__"), "b:2");
  EXPECT_EQ(g[1].source, server_.Url("/sd") + ":1");
  provider_->Stop();
}

TEST_F(HttpSdTest, StopDoesNotWaitForASlowServer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    response_ = {.status = 200,
                 .headers = {{"Content-Type", "application/json"}},
                 .body = "[]",
                 .delay = 2s};
  }
  Start(1h);
  WaitRequests(1);
  provider_->Stop();  // returns while the request is still in flight
  EXPECT_TRUE(updates().empty());
}

}  // namespace
}  // namespace sundial::discovery
