// End to end: the API on a real web::Server over an in-memory head with known samples; responses
// compared byte for byte with what Prometheus 2.42 answers for the same data and requests.
#include "web/api/api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "base/str_cat.h"
#include "tsdb/head.h"
#include "web/api/api_fixture.h"

namespace sundial::web::api {
namespace {

using web::testing::Fetch;
using web::testing::TestResponse;

constexpr std::string_view kForm = "Content-Type: application/x-www-form-urlencoded\r\n";

class ApiTest : public web::testing::ApiFixture {
 protected:
  void SetUp() override {
    std::unique_ptr<tsdb::Appender> app = head_.NewAppender();
    for (int64_t t = 940; t <= 1000; t += 15) {
      double step = static_cast<double>((t - 940) / 15);
      ASSERT_TRUE(app->Append(0,
                              Labels{{"__name__", "up"}, {"job", "prom"}, {"instance", "a:9090"}},
                              t * 1000, 1)
                      .ok());
      ASSERT_TRUE(app->Append(0,
                              Labels{{"__name__", "up"}, {"job", "node"}, {"instance", "b:9100"}},
                              t * 1000, 0)
                      .ok());
      ASSERT_TRUE(
          app->Append(0,
                      Labels{{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "200"}},
                      t * 1000, 10 * (step + 1))
              .ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  void Start(ApiOptions options = {}) {
    options.storage = &head_;
    options.max_concurrency = 2;
    StartApi(std::move(options));
  }

  std::string Get(std::string_view target, int want_status = 200) {
    std::optional<TestResponse> r = Fetch(port_, "GET", target);
    if (!r) return "<no response>";
    EXPECT_EQ(r->status, want_status) << target << ": " << r->body;
    EXPECT_EQ(r->Header("content-type"), "application/json") << target;
    return r->body;
  }
  std::string Post(std::string_view target, std::string_view body, int want_status = 200) {
    std::optional<TestResponse> r = Fetch(port_, "POST", target, kForm, body);
    if (!r) return "<no response>";
    EXPECT_EQ(r->status, want_status) << target << ": " << r->body;
    return r->body;
  }

  tsdb::Head head_;
};

TEST_F(ApiTest, InstantQueryVector) {
  Start();
  EXPECT_EQ(
      Get("/api/v1/query?query=up&time=1000"),
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"__name__":"up","instance":"a:9090","job":"prom"},"value":[1000,"1"]},)"
      R"({"metric":{"__name__":"up","instance":"b:9100","job":"node"},"value":[1000,"0"]}]}})");
  EXPECT_EQ(Get("/api/v1/query?query=up%7Bjob%3D%22prom%22%7D&time=1000.1"),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","instance":"a:9090","job":"prom"},)"
            R"("value":[1000.100,"1"]}]}})");
  EXPECT_EQ(Get("/api/v1/query?query=nope&time=1000"),
            R"({"status":"success","data":{"resultType":"vector","result":[]}})");
}

TEST_F(ApiTest, GrafanaHealthCheckIsAPostedScalar) {
  Start();
  // Observed from Prometheus 2.42.
  EXPECT_EQ(Post("/api/v1/query", "query=1%2B1&time=4"),
            R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
  EXPECT_EQ(
      Get("/api/v1/query?query=1e-7&time=1435781451.5"),
      R"({"status":"success","data":{"resultType":"scalar","result":[1435781451.5,"0.0000001"]}})");
  EXPECT_EQ(
      Get("/api/v1/query?query=%22a%3Cb%22&time=1435781451.5"),
      R"({"status":"success","data":{"resultType":"string","result":[1435781451.5,"a\u003cb"]}})");
}

TEST_F(ApiTest, RangeQuery) {
  Start();
  EXPECT_EQ(Post("/api/v1/query_range", "query=http_requests_total&start=970&end=1000&step=15"),
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"http_requests_total","code":"200","job":"api"},)"
            R"("values":[[970,"30"],[985,"40"],[1000,"50"]]}]}})");
  // Observed from Prometheus 2.42: a 1.5 s step lands on half seconds.
  EXPECT_EQ(Get("/api/v1/query_range?query=vector(1)&start=1&end=5&step=1.5"),
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{},"values":[[1,"1"],[2.500,"1"],[4,"1"]]}]}})");
  EXPECT_EQ(Get("/api/v1/query_range?query=up&start=1&end=5&step=1s"),
            R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
}

TEST_F(ApiTest, QueryErrorsAsPrometheus) {
  Start();
  // Every text below was observed from Prometheus 2.42.
  EXPECT_EQ(Get("/api/v1/query?query=up&time=abc", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": )"
            R"(Invalid time value for 'time': cannot parse \"abc\" to a valid timestamp"})");
  EXPECT_EQ(Get("/api/v1/query?query=up&timeout=abc", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": )"
            R"(cannot parse \"abc\" to a valid duration"})");
  EXPECT_EQ(Get("/api/v1/query?query=up(", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": )"
            R"(1:4: parse error: unclosed left parenthesis"})");
  EXPECT_EQ(Get("/api/v1/query_range?query=up(&start=1&end=5&step=1", 400),
            R"({"status":"error","errorType":"bad_data","error":)"
            R"("1:4: parse error: unclosed left parenthesis"})");
  EXPECT_EQ(Get("/api/v1/query", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": )"
            R"(1:1: parse error: no expression found in input"})");
  EXPECT_EQ(Get("/api/v1/query_range?query=up&start=10&end=5&step=1", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": )"
            R"(end timestamp must not be before start time"})");
  EXPECT_EQ(Get("/api/v1/query_range?query=up&start=1&end=5&step=0", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": )"
            R"(zero or negative query resolution step widths are not accepted. Try a positive )"
            R"(integer"})");
  EXPECT_EQ(Post("/api/v1/query_range", "query=up&start=1&end=5&step=-3", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": )"
            R"(zero or negative query resolution step widths are not accepted. Try a positive )"
            R"(integer"})");
  EXPECT_EQ(Get("/api/v1/query_range?query=up&start=1&end=50000&step=1", 400),
            R"({"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of )"
            R"x(11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"})x");
  EXPECT_EQ(Get("/api/v1/query_range?query=up&start=1&end=5", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": )"
            R"(cannot parse \"\" to a valid duration"})");
  EXPECT_EQ(Get("/api/v1/query_range?query=up&start=x&end=5&step=1", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": )"
            R"(cannot parse \"x\" to a valid timestamp"})");
  EXPECT_EQ(Get("/api/v1/query_range?query=up%5B5m%5D&start=1&end=5&step=1", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid expression type )"
            R"(\"range vector\" for range query, must be Scalar or instant Vector"})");
  EXPECT_EQ(Get("/api/v1/query?query=up&timeout=-1s", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": )"
            R"(cannot parse \"-1s\" to a valid duration"})");
}

TEST_F(ApiTest, RfcTimesAndStats) {
  Start();
  EXPECT_EQ(Get("/api/v1/query?query=up%7Bjob%3D%22node%22%7D&time=1970-01-01T00:16:40.000Z"),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","instance":"b:9100","job":"node"},)"
            R"("value":[1000,"0"]}]}})");
  std::string stats = Get("/api/v1/query?query=up&time=1000&stats=all");
  EXPECT_NE(stats.find(R"(,"stats":{"timings":{"evalTotalTime":)"), std::string::npos) << stats;
  EXPECT_NE(stats.find(R"("samples":{"totalQueryableSamples":)"), std::string::npos) << stats;
  EXPECT_EQ(stats.substr(stats.size() - 3), "}}}");
}

TEST_F(ApiTest, AnnotationsGiveTheirLineAndColumnInTheQueryText) {
  Start();
  // rate() of a metric whose name does not say it is a counter, on the second line: Prometheus
  // 3.x's info, at the position of rate's argument.
  const std::string info =
      R"("infos":["PromQL info: metric might not be a counter, name does not end in )"
      R"(_total/_sum/_count/_bucket: \"up\" )";
  for (const auto& [path, at] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/query?query=%0Arate(up%5B5m%5D)&time=1000", "(2:6)"},
           {"/api/v1/query?query=%0Asum(rate(up%5B5m%5D))&time=1000", "(2:10)"},
           {"/api/v1/query_range?query=%0A%20rate(up%5B5m%5D)&start=900&end=1000&step=50",
            "(2:7)"}}) {
    SCOPED_TRACE(path);
    const std::string body = Get(path);
    EXPECT_NE(body.find(info + at + "\"]"), std::string::npos) << body;
  }
}

TEST_F(ApiTest, LimitTruncatesWithWarning) {
  Start();
  EXPECT_EQ(Get("/api/v1/query?query=up&time=1000&limit=1"),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","instance":"a:9090","job":"prom"},"value":[1000,"1"]}]},)"
            R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/labels?limit=2"), R"({"status":"success","data":["__name__","code"],)"
                                           R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/labels?limit=40000"),
            R"({"status":"success","data":["__name__","code","instance","job"]})");
  EXPECT_EQ(Get("/api/v1/query?query=up&limit=x", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": )"
            R"(strconv.Atoi: parsing \"x\": invalid syntax"})");
}

TEST_F(ApiTest, LabelsValuesAndSeries) {
  Start();
  EXPECT_EQ(Get("/api/v1/labels"),
            R"({"status":"success","data":["__name__","code","instance","job"]})");
  EXPECT_EQ(Post("/api/v1/labels", "match[]=up&start=0&end=2000"),
            R"({"status":"success","data":["__name__","instance","job"]})");
  EXPECT_EQ(Get("/api/v1/label/job/values"),
            R"({"status":"success","data":["api","node","prom"]})");
  EXPECT_EQ(Get("/api/v1/label/__name__/values?match[]=%7Bjob%3D%22api%22%7D"),
            R"({"status":"success","data":["http_requests_total"]})");
  EXPECT_EQ(Get("/api/v1/label/U__jo_62_/values"),
            R"({"status":"success","data":["api","node","prom"]})");
  EXPECT_EQ(Get("/api/v1/label/a-b/values", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid label name: \"a-b\""})");
  EXPECT_EQ(Get("/api/v1/series?match[]=up"),
            R"({"status":"success","data":[)"
            R"({"__name__":"up","instance":"a:9090","job":"prom"},)"
            R"({"__name__":"up","instance":"b:9100","job":"node"}]})");
  EXPECT_EQ(Post("/api/v1/series", "match[]=up%7Bjob%3D%22node%22%7D&match[]=http_requests_total"),
            R"({"status":"success","data":[)"
            R"({"__name__":"http_requests_total","code":"200","job":"api"},)"
            R"({"__name__":"up","instance":"b:9100","job":"node"}]})");
  EXPECT_EQ(Get("/api/v1/series", 400),
            R"({"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})");
  EXPECT_EQ(Get("/api/v1/series?match[]=%7Ba%3D~%22.*%22%7D", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": )"
            R"(match[] must contain at least one non-empty matcher"})");
  EXPECT_EQ(Get("/api/v1/series?match[]=up&limit=1"),
            R"({"status":"success","data":[)"
            R"({"__name__":"up","instance":"a:9090","job":"prom"}],)"
            R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/labels?start=abc", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": )"
            R"(Invalid time value for 'start': cannot parse \"abc\" to a valid timestamp"})");
}

TEST_F(ApiTest, EmptyAnswersAndStatus) {
  ApiOptions o;
  o.build_info = {"2.42.0", "abc", "main", "me", "20260101-00:00:00", "g++ 12"};
  o.flags = {{"query.timeout", "2m"}, {"web.listen-address", ":9090"}};
  o.config_yaml = [] { return std::string("global:\n  scrape_interval: 15s\n"); };
  Start(std::move(o));
  EXPECT_EQ(Get("/api/v1/status/buildinfo"),
            R"({"status":"success","data":{"version":"2.42.0","revision":"abc","branch":"main",)"
            R"("buildUser":"me","buildDate":"20260101-00:00:00","goVersion":"g++ 12"}})");
  EXPECT_EQ(Get("/api/v1/status/flags"),
            R"({"status":"success","data":{"query.timeout":"2m","web.listen-address":":9090"}})");
  EXPECT_EQ(Get("/api/v1/status/config"),
            R"({"status":"success","data":{"yaml":"global:\n  scrape_interval: 15s\n"}})");
  // The rest observed from an empty Prometheus 2.42.
  EXPECT_EQ(Get("/api/v1/metadata"), R"({"status":"success","data":{}})");
  EXPECT_EQ(Get("/api/v1/query_exemplars?query=up&start=1&end=2"),
            R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/targets"),
            R"({"status":"success","data":{"activeTargets":[],"droppedTargets":[]}})");
  EXPECT_EQ(Get("/api/v1/targets/metadata"), R"({"status":"success","data":[]})");
  EXPECT_EQ(Get("/api/v1/scrape_pools"), R"({"status":"success","data":{"scrapePools":[]}})");
  EXPECT_EQ(Get("/api/v1/rules"), R"({"status":"success","data":{"groups":[]}})");
  EXPECT_EQ(Get("/api/v1/alerts"), R"({"status":"success","data":{"alerts":[]}})");
  EXPECT_EQ(Get("/api/v1/alertmanagers"),
            R"({"status":"success","data":{"activeAlertmanagers":[],"droppedAlertmanagers":[]}})");
  EXPECT_EQ(Get("/api/v1/status/walreplay"),
            R"({"status":"success","data":{"min":0,"max":0,"current":0}})");
  EXPECT_EQ(Get("/api/v1/format_query?query=sum(x)by(a)"),
            R"x({"status":"success","data":"sum by (a) (x)"})x");
  std::optional<TestResponse> r = Fetch(port_, "POST", "/api/v1/admin/tsdb/snapshot");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body,
            R"({"status":"error","errorType":"unavailable","error":"admin APIs disabled"})");
}

TEST_F(ApiTest, TargetsFromTheScrapeManager) {
  ApiOptions o;
  o.targets = [] {
    scrape::TargetsSnapshot s;
    scrape::TargetStatus t;
    t.scrape_pool = "node";
    t.scrape_url = "http://b:9100/metrics";
    t.discovered_labels = Labels{{"__address__", "b:9100"}};
    t.labels = Labels{{"instance", "b:9100"}, {"job", "node"}};
    t.health = scrape::TargetHealth::kUp;
    t.last_scrape_ms = 1435781451781;
    t.last_scrape_duration = 0.0125;
    t.interval = std::chrono::seconds(15);
    t.timeout = std::chrono::seconds(10);
    s.active.push_back(t);
    s.dropped.push_back({"node", Labels{{"__address__", "c:1"}}});
    return s;
  };
  Start(std::move(o));
  EXPECT_EQ(Get("/api/v1/targets?state=active"),
            R"({"status":"success","data":{"activeTargets":[{"discoveredLabels":)"
            R"({"__address__":"b:9100"},"labels":{"instance":"b:9100","job":"node"},)"
            R"("scrapePool":"node","scrapeUrl":"http://b:9100/metrics",)"
            R"("globalUrl":"http://b:9100/metrics","lastError":"",)"
            R"("lastScrape":"2015-07-01T20:10:51.781Z","lastScrapeDuration":0.0125,)"
            R"("health":"up","scrapeInterval":"15s","scrapeTimeout":"10s"}],)"
            R"("droppedTargets":[]}})");
  EXPECT_EQ(Get("/api/v1/targets?state=dropped"),
            R"({"status":"success","data":{"activeTargets":[],"droppedTargets":[)"
            R"({"discoveredLabels":{"__address__":"c:1"}}]}})");
  EXPECT_EQ(Get("/api/v1/scrape_pools"), R"({"status":"success","data":{"scrapePools":["node"]}})");
}

TEST_F(ApiTest, GlobalUrlNamesThisHostInsteadOfLoopback) {
  ApiOptions o;
  o.targets = [] {
    scrape::TargetsSnapshot s;
    scrape::TargetStatus t;
    t.scrape_pool = "self";
    t.scrape_url = "http://127.0.0.1:9090/metrics";
    s.active.push_back(t);
    return s;
  };
  Start(std::move(o));
  char host[256] = {0};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  std::string body = Get("/api/v1/targets");
  EXPECT_NE(body.find(StrCat(R"("globalUrl":"http://)", host, R"(:9090/metrics")")),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("scrapeUrl":"http://127.0.0.1:9090/metrics")"), std::string::npos);
}

TEST_F(ApiTest, NotReadyAnswers503) {
  ApiOptions o;
  o.is_ready = [] { return false; };
  Start(std::move(o));
  std::optional<TestResponse> r = Fetch(port_, "GET", "/api/v1/query?query=up");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST_F(ApiTest, LargeMatrixIsStreamed) {
  // 20k points in one series: the response goes out in chunks.
  std::unique_ptr<tsdb::Appender> app = head_.NewAppender();
  for (int64_t i = 0; i < 20000; ++i) {
    ASSERT_TRUE(app->Append(0, Labels{{"__name__", "big"}}, 2000000 + i * 1000, 0.5).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  Start();
  std::optional<TestResponse> r = Fetch(port_, "GET", "/api/v1/query?query=big%5B6h%5D&time=22000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_GT(r->chunks, 1u);
  EXPECT_EQ(r->body.substr(0, 80),
            R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__)");
  std::string_view tail = R"([21998,"0.5"],[21999,"0.5"]]}]}})";
  ASSERT_GT(r->body.size(), tail.size());
  EXPECT_EQ(r->body.substr(r->body.size() - tail.size()), tail);
}

}  // namespace
}  // namespace sundial::web::api
