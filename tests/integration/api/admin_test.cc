// The admin API (/api/v1/admin/tsdb/*) against the Debian Prometheus 2.42, both started with
// --web.enable-admin-api and loaded with the same dataset (peers.h): the same deletions give the
// same answers to the same queries afterwards, errors read the same, and a Sundial snapshot is a
// data directory promtool lists. (Without the flag, the differential test compares the
// "admin APIs disabled" error.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "integration/api/json.h"
#include "integration/api/peers.h"

namespace sundial::testing::api {
namespace {

using ::testing::HasSubstr;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr int64_t kMinute = 60'000;

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip, error;
    peers_ = Peers::Get(&skip, &error, /*admin_api=*/true);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(peers_, nullptr) << error;
  }

  // The same request to both; returns {prometheus, sundial}.
  std::pair<HttpResult, HttpResult> Both(const std::string& method, const std::string& path,
                                         const Params& params) {
    const std::string form = Form(params);
    auto send = [&](int port) {
      if (method == "GET") return HttpRequest(port, "GET", form.empty() ? path : path + "?" + form);
      return HttpRequest(port, method, path, form);
    };
    return {send(peers_->prometheus_port()), send(peers_->sundial_port())};
  }

  // Same status and equivalent JSON (result order ignored); an empty body must be empty on both.
  void ExpectSame(const std::string& method, const std::string& path, const Params& params,
                  int want_status) {
    SCOPED_TRACE(method + " " + path + "?" + Form(params));
    auto [want, got] = Both(method, path, params);
    ASSERT_EQ(want.status, want_status) << want.body;
    EXPECT_EQ(got.status, want.status) << "Prometheus: " << want.body << "\nSundial: " << got.body;
    if (want.body.empty()) {
      EXPECT_EQ(got.body, "");
      return;
    }
    json::Value want_json, got_json;
    std::string error;
    ASSERT_TRUE(json::Parse(want.body, &want_json, &error)) << error << want.body;
    ASSERT_TRUE(json::Parse(got.body, &got_json, &error)) << error << got.body;
    json::DiffOptions options;
    options.ignored_keys = {"infos"};
    options.unordered = [](const std::string& p) { return p == "$.data.result" || p == "$.data"; };
    EXPECT_EQ(json::Diff(want_json, got_json, options), "")
        << "Prometheus: " << want.body << "\nSundial:    " << got.body;
  }

  void ExpectSameQueries() {
    // The whole dataset, every series, raw samples: any difference in what is deleted shows.
    for (const char* q : {"http_requests_total", "up", "process_resident_memory_bytes"}) {
      // Off the sample grid: 2.42's lookback includes its left end, 3.x's does not.
      ExpectSame("GET", "/api/v1/query_range",
                 {{"query", q}, {"start", At(7'500)}, {"end", At(30 * kMinute)}, {"step", "15"}},
                 200);
    }
    ExpectSame("GET", "/api/v1/query",
               {{"query", "sum by (service) (rate(http_requests_total[5m]))"},
                {"time", At(12 * kMinute + 7'000)}},
               200);
    ExpectSame("GET", "/api/v1/series",
               {{"match[]", "{__name__=~\"up|process_resident_memory_bytes\"}"},
                {"start", At(0)},
                {"end", At(30 * kMinute)}},
               200);
  }

  Peers* peers_ = nullptr;
};

TEST_F(AdminApiTest, DeleteSeriesThenQueriesAnswerAsPrometheus) {
  ExpectSameQueries();
  // A time range of some series (PUT as well as POST), a whole series, two selectors at once.
  ExpectSame("POST", "/api/v1/admin/tsdb/delete_series",
             {{"match[]", "http_requests_total{service=\"bff-proxy\",method=\"GET\"}"},
              {"start", At(5 * kMinute)},
              {"end", At(11 * kMinute + 30'000)}},
             204);
  ExpectSame("PUT", "/api/v1/admin/tsdb/delete_series",
             {{"match[]", "up{instance=\"auth-rust-2:8080\"}"}}, 204);
  ExpectSame("POST", "/api/v1/admin/tsdb/delete_series",
             {{"match[]", "process_resident_memory_bytes{service=\"config-server\"}"},
              {"match[]", "http_requests_total{code=\"500\"}"},
              {"start", At(20 * kMinute)}},
             204);
  // Nothing matches: still 204.
  ExpectSame("POST", "/api/v1/admin/tsdb/delete_series", {{"match[]", "no_such_metric"}}, 204);
  ExpectSameQueries();

  // clean_tombstones: the data stays deleted.
  ExpectSame("POST", "/api/v1/admin/tsdb/clean_tombstones", {}, 204);
  ExpectSameQueries();
}

TEST_F(AdminApiTest, ErrorsAnswerAsPrometheus) {
  const std::string path = "/api/v1/admin/tsdb/delete_series";
  ExpectSame("POST", path, {}, 400);
  ExpectSame("POST", path, {{"match[]", "up"}, {"start", "yesterday"}}, 400);
  ExpectSame("POST", path, {{"match[]", "up"}, {"end", "x"}}, 400);
  ExpectSame("POST", path, {{"match[]", "up{"}}, 400);
  ExpectSame("POST", path, {{"match[]", "sum(up)"}}, 400);
  ExpectSame("POST", "/api/v1/admin/tsdb/snapshot", {{"skip_head", "maybe"}}, 400);
  // GET is not routed on either.
  auto [want, got] = Both("GET", path, {{"match[]", "up"}});
  EXPECT_EQ(got.status, want.status);
}

TEST_F(AdminApiTest, SnapshotOpensWithPromtool) {
  // {"status":"success","data":{"name":"20060102T150405Z-<16 hex digits>"}}
  const std::regex shape(
      "[{]\"status\":\"success\",\"data\":[{]\"name\":"
      "\"([0-9]{8}T[0-9]{6}Z-[0-9a-f]{16})\"[}][}]");
  for (const char* skip_head : {"false", "true"}) {
    SCOPED_TRACE(skip_head);
    auto [want, got] = Both("POST", "/api/v1/admin/tsdb/snapshot", {{"skip_head", skip_head}});
    ASSERT_EQ(want.status, 200) << want.body;
    ASSERT_EQ(got.status, 200) << got.body;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(want.body, shape)) << want.body;
    ASSERT_TRUE(std::regex_match(got.body, m, shape)) << got.body;
    const std::string dir = peers_->sundial_data_dir() + "/snapshots/" + m[1].str();
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    int blocks = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      blocks += entry.is_directory() ? 1 : 0;
    }
    // The dataset is all in the head: one block written from it, none without it.
    EXPECT_EQ(blocks, std::string(skip_head) == "false" ? 1 : 0);
    if (blocks == 0 || access(kPromtoolBinary, X_OK) != 0) continue;
    RunResult list = RunToCompletion({kPromtoolBinary, "tsdb", "list", dir});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_THAT(list.out, HasSubstr("BLOCK ULID"));
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.is_directory()) {
        EXPECT_THAT(list.out, HasSubstr(entry.path().filename().string()));
      }
    }
  }
}

}  // namespace
}  // namespace sundial::testing::api
