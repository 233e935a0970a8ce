// Runs the real `sundial` binary: flags, `check config`, and the server's lifecycle.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "base/json.h"
#include "integration/process.h"
#include "model/matcher.h"
#include "testing/temp_dir.h"
#include "tsdb/db/db.h"

namespace sundial::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kBinary = SUNDIAL_BINARY;

std::string SharedDir() {
  const char* src = std::getenv("SUNDIAL_SOURCE_DIR");
  return std::string(src ? src : ".") + "/../shared";
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(Cli, VersionAndHelp) {
  RunResult v = RunToCompletion({kBinary, "--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, HasSubstr("sundial, version "));
  EXPECT_THAT(v.out, HasSubstr("revision: "));
  EXPECT_THAT(v.out, HasSubstr("build date:"));
  EXPECT_THAT(v.out, HasSubstr("compiler:"));
  RunResult h = RunToCompletion({kBinary, "--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* flag : {"--config.file",
                           "--web.listen-address",
                           "--web.external-url",
                           "--web.route-prefix",
                           "--web.enable-lifecycle",
                           "--web.enable-admin-api",
                           "--web.enable-remote-write-receiver",
                           "--web.config.file",
                           "--storage.tsdb.path",
                           "--storage.tsdb.retention.time",
                           "--storage.tsdb.retention.size",
                           "--storage.tsdb.wal-compression",
                           "--query.timeout",
                           "--query.max-samples",
                           "--query.max-concurrency",
                           "--query.lookback-delta",
                           "--rules.alert.for-outage-tolerance",
                           "--log.level",
                           "--log.format",
                           "--enable-feature"}) {
    EXPECT_THAT(h.out, HasSubstr(flag));
  }
}

TEST(Cli, BadFlagsAreOneLineErrorsWithExitCodeOne) {
  RunResult r = RunToCompletion({kBinary, "--foo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "sundial: error: unknown long flag '--foo', try --help\n");
  r = RunToCompletion({kBinary, "--query.timeout=abc"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "sundial: error: invalid value \"abc\" for flag '--query.timeout': not a valid "
            "duration string: \"abc\", try --help\n");
  r = RunToCompletion({kBinary, "--log.level"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("'--log.level'"));
}

TEST(Cli, CheckConfigAcceptsTheUsersConfig) {
  std::string file = SharedDir() + "/user-configs/prometheus.yaml";
  RunResult r = RunToCompletion({kBinary, "check", "config", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Checking " + file));
  EXPECT_THAT(r.out, HasSubstr("SUCCESS: 2 rule files found"));
  EXPECT_THAT(r.out, HasSubstr(" SUCCESS: " + file + " is valid prometheus config file syntax"));
}

TEST(Cli, CheckConfigAcceptsTheExample) {
  std::string src = std::getenv("SUNDIAL_SOURCE_DIR") ? std::getenv("SUNDIAL_SOURCE_DIR") : ".";
  RunResult r = RunToCompletion({kBinary, "check", "config", src + "/examples/prometheus.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(Cli, CheckConfigRejectsBadFilesAndNamesTheProblem) {
  const TempDir tmp;
  const std::string& dir = tmp.path();
  WriteFile(dir + "/bad.yml", "global:\n  scrape_interval: 1x\n");
  WriteFile(dir + "/good.yml", "scrape_configs:\n  - job_name: a\n");
  RunResult r = RunToCompletion({kBinary, "check", "config", dir + "/good.yml", dir + "/bad.yml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr(" SUCCESS: " + dir + "/good.yml"));
  EXPECT_THAT(r.err, HasSubstr("FAILED: "));
  EXPECT_THAT(r.err, HasSubstr("bad.yml:2"));
  EXPECT_THAT(r.err, HasSubstr("not a valid duration string: \"1x\""));
  r = RunToCompletion({kBinary, "check", "config", dir + "/missing.yml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.yml"));
}

// A running server on an ephemeral port with a config file the test can rewrite.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(config_, "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: a\n");
  }

  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {kBinary, "--config.file=" + config_,
                                     "--web.listen-address=127.0.0.1:0",
                                     "--storage.tsdb.path=" + dir_ + "/data"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ChildProcess>(argv);
    ASSERT_TRUE(server_->WaitForStderr("Server is ready to receive web requests.", 60s))
        << server_->Stderr();
    std::smatch m;
    std::string log = server_->Stderr();
    ASSERT_TRUE(std::regex_search(
        log, m, std::regex("msg=\"Start listening for connections\" address=127.0.0.1:(\\d+)")))
        << log;
    port_ = std::stoi(m[1]);
  }

  // The value of an unlabelled metric in /metrics, or "" when absent.
  std::string Metric(const std::string& name) {
    HttpResult r = HttpRequest(port_, "GET", "/metrics");
    std::smatch m;
    if (std::regex_search(r.body, m, std::regex("\n" + name + " (\\S+)\n"))) return m[1];
    return "";
  }

  const TempDir tmp_;  // outlives server_
  const std::string& dir_ = tmp_.path();
  const std::string config_ = dir_ + "/prometheus.yml";
  std::unique_ptr<ChildProcess> server_;
  int port_ = 0;
};

TEST_F(ServerTest, ServesHealthReadinessAndMetrics) {
  Start();
  HttpResult healthy = HttpRequest(port_, "GET", "/-/healthy");
  EXPECT_EQ(healthy.status, 200);
  HttpResult ready = HttpRequest(port_, "GET", "/-/ready");
  EXPECT_EQ(ready.status, 200);
  HttpResult metrics = HttpRequest(port_, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.headers["content-type"], HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics.body, HasSubstr("prometheus_build_info{"));
  EXPECT_THAT(metrics.body, HasSubstr("process_resident_memory_bytes "));
  EXPECT_THAT(metrics.body, HasSubstr("process_start_time_seconds "));
  EXPECT_EQ(Metric("prometheus_config_last_reload_successful"), "1");
  // The earlier requests are counted under their handler.
  EXPECT_THAT(metrics.body,
              HasSubstr("prometheus_http_requests_total{code=\"200\",handler=\"/-/healthy\"} 1"));
  server_->Signal(SIGTERM);
  EXPECT_EQ(server_->Wait(30s), 0) << server_->Stderr();
}

TEST_F(ServerTest, LifecycleEndpointsNeedTheFlag) {
  Start();
  EXPECT_EQ(HttpRequest(port_, "POST", "/-/reload").status, 403);
  EXPECT_EQ(HttpRequest(port_, "POST", "/-/quit").status, 403);
}

TEST_F(ServerTest, ReloadKeepsOldConfigOnErrorAndAppliesGoodOnes) {
  Start({"--web.enable-lifecycle"});
  WriteFile(config_, "scrape_configs:\n  - job_name: a\n  - job_name: a\n");
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForStderr("Error reloading config", 30s)) << server_->Stderr();
  EXPECT_THAT(server_->Stderr(), HasSubstr("found multiple scrape configs with job name"));
  EXPECT_EQ(Metric("prometheus_config_last_reload_successful"), "0");
  EXPECT_EQ(HttpRequest(port_, "GET", "/-/healthy").status, 200);  // still serving

  HttpResult failed = HttpRequest(port_, "POST", "/-/reload");
  EXPECT_EQ(failed.status, 500);
  EXPECT_THAT(failed.body, HasSubstr("found multiple scrape configs"));

  WriteFile(config_, "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: b\n");
  HttpResult ok = HttpRequest(port_, "POST", "/-/reload");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Metric("prometheus_config_last_reload_successful"), "1");

  HttpResult quit = HttpRequest(port_, "POST", "/-/quit");
  EXPECT_EQ(quit.status, 200);
  EXPECT_EQ(server_->Wait(30s), 0) << server_->Stderr();
}

TEST_F(ServerTest, RoutePrefixAppliesToEveryEndpoint) {
  Start({"--web.route-prefix=/prom"});
  EXPECT_EQ(HttpRequest(port_, "GET", "/prom/-/healthy").status, 200);
  EXPECT_EQ(HttpRequest(port_, "GET", "/prom/metrics").status, 200);
  EXPECT_EQ(HttpRequest(port_, "GET", "/-/healthy").status, 404);
}

// The samples of up{job="self"} the query API returned before a SIGTERM, as time (ms) -> value.
std::map<int64_t, double> UpSamplesFromTheApi(int port) {
  std::map<int64_t, double> samples;
  HttpResult r = HttpRequest(port, "GET", "/api/v1/query?query=up%7Bjob%3D%22self%22%7D%5B5m%5D");
  auto doc = Json::Parse(r.body);
  if (!doc.ok()) return samples;
  for (const Json& series : (*doc)["data"]["result"].items()) {
    for (const Json& point : series["values"].items()) {
      const std::vector<Json>& pair = point.items();
      if (pair.size() != 2) continue;
      samples[std::llround(pair[0].number() * 1000)] = std::stod(pair[1].str());
    }
  }
  return samples;
}

TEST_F(ServerTest, ScrapesItselfIntoStorageThatSurvivesRestart) {
  WriteFile(config_,
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n  - job_name: self\n    file_sd_configs:\n"
            "      - files: [targets.json]\n        refresh_interval: 1s\n");
  Start();
  // The port is known only now; file_sd picks the target up.
  WriteFile(dir_ + "/targets.json",
            "[{\"targets\": [\"127.0.0.1:" + std::to_string(port_) + "\"]}]");
  // Wait for three successful self-scrapes. A scrape slower than the 1s timeout (a loaded
  // sanitizer run) stores up=0, which is right too, so only the successes are counted.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  std::map<int64_t, double> acknowledged;
  auto successes = [&] {
    return std::count_if(acknowledged.begin(), acknowledged.end(),
                         [](const auto& s) { return s.second == 1.0; });
  };
  while (std::chrono::steady_clock::now() < deadline && successes() < 3) {
    std::this_thread::sleep_for(300ms);
    acknowledged = UpSamplesFromTheApi(port_);
  }
  ASSERT_GE(successes(), 3) << "the server did not scrape itself; stderr:\n" << server_->Stderr();
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->Wait(30s), 0) << server_->Stderr();

  // Everything the API returned is in the WAL: open the data directory the way the server does.
  tsdb::DbOptions options;
  options.dir = dir_ + "/data";
  auto db = tsdb::DB::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  auto querier = (*db)->NewQuerier(0, INT64_MAX);
  ASSERT_TRUE(querier.ok());
  std::vector<Matcher> matchers = {*Matcher::Create(MatchType::kEqual, "__name__", "up"),
                                   *Matcher::Create(MatchType::kEqual, "job", "self")};
  auto set = (*querier)->Select(tsdb::SelectHints{}, matchers);
  ASSERT_TRUE(set->Next()) << "no up{job=\"self\"} series was stored";
  EXPECT_EQ(set->At().labels().Get("instance"), "127.0.0.1:" + std::to_string(port_));
  std::map<int64_t, double> stored;
  auto it = set->At().Iterator();
  while (it->Next() == tsdb::ValueType::kFloat) {
    if (tsdb::IsStaleNaN(it->At().second)) continue;  // shutdown writes none, but be exact
    stored[it->At().first] = it->At().second;
  }
  for (const auto& [t, v] : acknowledged) {
    auto found = stored.find(t);
    ASSERT_NE(found, stored.end()) << "the sample at " << t << " was lost";
    EXPECT_EQ(found->second, v) << "at " << t;
  }
  EXPECT_FALSE(set->Next());
}

TEST_F(ServerTest, RemoteWriteReceiverNeedsTheFlag) {
  Start();
  HttpResult off = HttpRequest(port_, "POST", "/api/v1/write", "x");
  EXPECT_EQ(off.status, 404);
  EXPECT_THAT(off.body, HasSubstr("--web.enable-remote-write-receiver"));
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->Wait(30s), 0);
  server_.reset();
  Start({"--web.enable-remote-write-receiver"});
  HttpResult bad = HttpRequest(port_, "POST", "/api/v1/write", "not snappy");
  EXPECT_NE(bad.status, 404);
  EXPECT_GE(bad.status, 400);
  EXPECT_LT(bad.status, 500);
}

TEST_F(ServerTest, OtlpReceiverStoresWhatTheQueryApiReturns) {
  Start();
  HttpResult off = HttpRequest(port_, "POST", "/api/v1/otlp/v1/metrics", "{}",
                               {"Content-Type: application/json"});
  EXPECT_EQ(off.status, 404);
  EXPECT_THAT(off.body, HasSubstr("--web.enable-otlp-receiver"));
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->Wait(30s), 0);
  server_.reset();

  // 2.47+'s feature flag means the same as 3.x's --web.enable-otlp-receiver.
  Start({"--enable-feature=otlp-write-receiver"});
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::string body =
      R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name",)"
      R"("value":{"stringValue":"checkout"}}]},"scopeMetrics":[{"metrics":[{"name":"orders",)"
      R"("sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"asDouble":42,)"
      R"("timeUnixNano":")" +
      std::to_string(now_ms) + R"(000000"}]}}]}]}]})";
  HttpResult ok = HttpRequest(port_, "POST", "/api/v1/otlp/v1/metrics", body,
                              {"Content-Type: application/json"});
  ASSERT_EQ(ok.status, 200) << ok.body;
  HttpResult q = HttpRequest(
      port_, "GET", "/api/v1/query?query=orders_total&time=" + std::to_string(now_ms / 1000 + 1));
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_THAT(q.body, HasSubstr(R"("__name__":"orders_total")"));
  EXPECT_THAT(q.body, HasSubstr(R"("job":"checkout")"));
  EXPECT_THAT(q.body, HasSubstr(R"(,"42"]})"));
}

// Oversized and hostile API requests get clean 4xx answers and leave the server serving.
TEST_F(ServerTest, HostileApiRequestsGetCleanErrors) {
  Start();
  std::string nested = "query=" + std::string(200000, '(') + "1" + std::string(200000, ')');
  HttpResult deep = HttpRequest(port_, "POST", "/api/v1/query", nested);
  EXPECT_EQ(deep.status, 400);
  EXPECT_THAT(deep.body, HasSubstr("expression nesting too deep"));

  std::string matches;
  for (int i = 0; i < 100000; ++i) {
    matches += (i ? "&" : "") + std::string("match[]=up%7Ba%3D%22") + std::to_string(i) + "%22%7D";
  }
  HttpResult many = HttpRequest(port_, "POST", "/api/v1/series", matches);
  EXPECT_EQ(many.status, 200);
  EXPECT_EQ(many.body, R"({"status":"success","data":[]})");

  HttpResult range = HttpRequest(port_, "GET", "/api/v1/query?query=rate(x%5B100000000y%5D)");
  EXPECT_EQ(range.status, 400);
  EXPECT_THAT(range.body, HasSubstr("duration out of range"));
  HttpResult points =
      HttpRequest(port_, "GET",
                  "/api/v1/query_range?query=up&start=-9999999999999&end=9999999999999&step=0.001");
  EXPECT_EQ(points.status, 400);
  EXPECT_THAT(points.body, HasSubstr("exceeded maximum resolution of 11,000 points"));

  // A 4 MB invalid regex: the error quotes it (twice), an 8 MB answer sent whole.
  HttpResult regex = HttpRequest(port_, "POST", "/api/v1/query",
                                 "query=x%7Ba%3D~%22%28" + std::string(4 << 20, 'a') + "%22%7D");
  EXPECT_EQ(regex.status, 400);
  EXPECT_EQ(regex.headers["content-length"], std::to_string(regex.body.size()));
  EXPECT_GT(regex.body.size(), size_t{8} << 20);
  EXPECT_THAT(regex.body.substr(0, 160), HasSubstr("parse error: invalid regular expression"));

  EXPECT_EQ(HttpRequest(port_, "GET", "/-/healthy").status, 200);
  HttpResult q = HttpRequest(port_, "POST", "/api/v1/query", "query=1%2B1&time=4");
  EXPECT_EQ(q.body, R"({"status":"success","data":{"resultType":"scalar","result":[4,"2"]}})");
}

TEST(Server, BadConfigAtStartupExitsWithError) {
  const TempDir tmp;
  const std::string& dir = tmp.path();
  WriteFile(dir + "/p.yml", "scrape_configs:\n  - job_name: a\n    bogus_field: 1\n");
  ChildProcess p({kBinary, "--config.file=" + dir + "/p.yml", "--web.listen-address=127.0.0.1:0",
                  "--storage.tsdb.path=" + dir + "/data"});
  EXPECT_EQ(p.Wait(30s), 1);
  EXPECT_THAT(p.Stderr(), HasSubstr("Error loading config"));
  EXPECT_THAT(p.Stderr(), HasSubstr("bogus_field"));
}

TEST(Server, WebConfigProblemsStopTheStartNamingTheFile) {
  const TempDir tmp;
  const std::string& dir = tmp.path();
  WriteFile(dir + "/p.yml", "scrape_configs: []\n");
  WriteFile(dir + "/web.yml", "tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n");
  ChildProcess p({kBinary, "--config.file=" + dir + "/p.yml",
                  "--web.config.file=" + dir + "/web.yml", "--web.listen-address=127.0.0.1:0",
                  "--storage.tsdb.path=" + dir + "/data"});
  EXPECT_EQ(p.Wait(30s), 1);
  EXPECT_THAT(p.Stderr(), HasSubstr(dir + "/c.pem"));
  EXPECT_THAT(p.Stderr(), Not(HasSubstr("Server is ready")));

  WriteFile(dir + "/bad.yml", "tls_server_config: [\n");
  ChildProcess bad({kBinary, "--config.file=" + dir + "/p.yml",
                    "--web.config.file=" + dir + "/bad.yml", "--web.listen-address=127.0.0.1:0",
                    "--storage.tsdb.path=" + dir + "/data"});
  EXPECT_EQ(bad.Wait(30s), 1);
  EXPECT_THAT(bad.Stderr(), HasSubstr("Unable to validate web configuration file"));
}

TEST_F(ServerTest, BasicAuthFromTheWebConfigGuardsEveryEndpoint) {
  // bcrypt (cost 10) of "secret".
  WriteFile(dir_ + "/web.yml",
            "basic_auth_users:\n  alice: $2y$10$7KgV/LBiDNw4UDvEdOEu1epoOqGsXFfNkeiQTFPl0b/"
            "PQu.K34L0G\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n");
  Start({"--web.config.file=" + dir_ + "/web.yml"});
  for (const char* path : {"/-/healthy", "/metrics"}) {
    HttpResult r = HttpRequest(port_, "GET", path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(r.headers["www-authenticate"], "Basic");
    EXPECT_EQ(r.headers["x-frame-options"], "deny");
  }
  // "alice:secret" and "alice:wrong" in base64.
  HttpResult ok =
      HttpRequest(port_, "GET", "/-/healthy", "", {"Authorization: Basic YWxpY2U6c2VjcmV0"});
  EXPECT_EQ(ok.status, 200);
  HttpResult wrong =
      HttpRequest(port_, "GET", "/-/healthy", "", {"Authorization: Basic YWxpY2U6d3Jvbmc="});
  EXPECT_EQ(wrong.status, 401);
}

TEST(Server, PortInUseIsAClearError) {
  const TempDir tmp;
  const std::string& dir = tmp.path();
  WriteFile(dir + "/p.yml", "scrape_configs: []\n");
  ChildProcess first({kBinary, "--config.file=" + dir + "/p.yml",
                      "--web.listen-address=127.0.0.1:0", "--storage.tsdb.path=" + dir + "/d1"});
  ASSERT_TRUE(first.WaitForStderr("Server is ready", 60s)) << first.Stderr();
  std::smatch m;
  std::string log = first.Stderr();
  ASSERT_TRUE(std::regex_search(
      log, m, std::regex("msg=\"Start listening for connections\" address=127.0.0.1:(\\d+)")));
  ChildProcess second({kBinary, "--config.file=" + dir + "/p.yml",
                       "--web.listen-address=127.0.0.1:" + std::string(m[1]),
                       "--storage.tsdb.path=" + dir + "/d2"});
  EXPECT_EQ(second.Wait(30s), 1);
  EXPECT_THAT(second.Stderr(), HasSubstr("address already in use"));
  EXPECT_THAT(second.Stderr(), Not(HasSubstr("Server is ready")));
}

}  // namespace
}  // namespace sundial::testing
