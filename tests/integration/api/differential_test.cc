// Differential test of the HTTP API: the same requests to the Debian Prometheus 2.42 and to
// Sundial, both loaded with the same remote-written dataset (peers.h), and the JSON compared.
//
// Comparison rules: HTTP status equal; bodies equal as JSON with floats (sample values, which the
// API sends as strings) within 1e-9 relative, JSON numbers (timestamps) exactly; result vectors and
// matrices and series lists compared as multisets (their order is unspecified) unless the query
// sorts; label name and value lists in order (both servers sort them). Prometheus 3.x adds "infos"
// next to "warnings"; 2.42 has none, so that key is ignored.
//
// Each case first checks Prometheus' own answer (status and a fragment), so the harness is
// meaningful even where Sundial does not serve the endpoint yet; those cases are skipped naming
// the endpoint. Known 2.x -> 3.x differences, where Sundial follows 3.x, are listed with a reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "integration/api/json.h"
#include "integration/api/peers.h"

namespace sundial::testing::api {
namespace {

constexpr int64_t kMinute = 60'000;

struct Case {
  std::string name;
  std::string method;  // GET: params in the query string; POST: form-encoded body
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;
  int want_status = 200;     // Prometheus' HTTP status
  std::string want_in_body;  // a fragment of Prometheus' body
  bool ordered_result = false;
  std::string known_difference = "";  // non-empty: Sundial is expected to differ, for this reason
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// Instant queries are evaluated 7 s after a sample so that no sample sits on a range or lookback
// boundary (see the known difference "rate_on_grid_boundary").
std::string T() { return At(20 * kMinute + 7'000); }

Case Query(std::string name, std::string q, std::string want, std::string time = T()) {
  return Case{name, "GET", "/api/v1/query", {{"query", q}, {"time", time}}, 200, want};
}

Case Range(std::string name, std::string q, std::string step, std::string want) {
  return Case{name,
              "GET",
              "/api/v1/query_range",
              {{"query", q},
               {"start", At(10 * kMinute + 7'500)},
               {"end", At(30 * kMinute)},
               {"step", step}},
              200,
              want};
}

Case Error(std::string name, std::string path,
           std::vector<std::pair<std::string, std::string>> params, int status, std::string want) {
  return Case{name, "GET", path, params, status, want};
}

Case Known(Case c, std::string reason) {
  c.known_difference = reason;
  return c;
}

Case Post(Case c) {
  c.name += "_post";
  c.method = "POST";
  return c;
}

std::vector<Case> Cases() {
  const std::string kRate = "rate(http_requests_total{method=\"GET\"}[5m])";
  const std::string kSumBy = "sum by (service) (rate(http_requests_total[5m]))";
  const std::string kErrorRatio =
      "sum by (service) (rate(http_requests_total{status=~\"5..\"}[5m])) / sum by (service) "
      "(rate(http_requests_total[5m]))";
  const std::string kP99 =
      "histogram_quantile(0.99, sum by (service, le) "
      "(rate(http_request_duration_seconds_bucket[5m])))";
  const std::string kReset =
      "rate(http_requests_total{service=\"bff-proxy\",method=\"GET\",status=\"200\"}[5m])";
  const std::string kAfterReset = At(76 * kStepMs + 7'000);
  std::vector<Case> cases = {
      // Instant queries.
      Query("selector", "http_requests_total{service=\"auth-server\",status=\"500\"}",
            "\"resultType\":\"vector\""),
      Query("up", "up", "\"__name__\":\"up\""),
      Query("up_is_zero", "up == 0", "auth-rust-2:8080"),
      Query("rate", kRate, "\"method\":\"GET\""),
      Query("rate_counter_reset", kReset, "bff-proxy", kAfterReset),
      Query("increase_counter_reset", "increase(" + kReset.substr(5, kReset.size() - 6) + ")",
            "bff-proxy", kAfterReset),
      Query("sum_by", kSumBy, "\"service\":\"config-server\""),
      Query("error_ratio", kErrorRatio, "\"service\":\"bff-proxy\""),
      Query("p99", kP99, "\"service\":\"auth-server\""),
      Query("p50",
            "histogram_quantile(0.5, sum by (service, le) "
            "(rate(http_request_duration_seconds_bucket[5m])))",
            "\"service\":\"auth-server\""),
      Query("mean_latency",
            "sum by (service) (rate(http_request_duration_seconds_sum[5m])) / sum by (service) "
            "(rate(http_request_duration_seconds_count[5m]))",
            "\"service\""),
      Query("gauge", "process_resident_memory_bytes", "process_resident_memory_bytes"),
      Query("avg_over_time", "avg_over_time(http_requests_in_flight[10m])", "\"job\""),
      Query("stale_before_marker", "dlq_queue_depth", "dlq-manager", At(15 * kMinute + 7'000)),
      Query("stale_after_marker", "dlq_queue_depth", "\"result\":[]"),
      Query("count_over_time_skips_marker", "count_over_time(dlq_queue_depth[1h])", "\"70\""),
      Query("topk", "topk(3, sum by (instance) (rate(http_requests_total[5m])))", "instance"),
      Query("label_replace", "label_replace(up, \"host\", \"$1\", \"instance\", \"([^:]+):.*\")",
            "\"host\""),
      Query("absent", "absent(nonexistent_metric{job=\"x\"})", "\"job\":\"x\""),
      Query("one_plus_one", "1+1", "\"result\":[4,\"2\"]", "4"),
      Query("string", "\"hello\"", "\"resultType\":\"string\"", "4"),
      Query("special_floats",
            "vector(1/0) or label_replace(vector(-1/0), \"a\", \"b\", \"\", \"\")", "\"+Inf\""),
      Query("nan", "0/0", "\"NaN\"", "4"),
      Query("float_digits", "0.1+0.2", "\"0.30000000000000004\"", "4"),
      Query("large_float", "1e300*3", "\"30000000000000000", "4"),
      Query("fractional_time", "time()", "[4.25,\"4.25\"]", "4.25"),
      Query("no_match", "does_not_exist", "\"result\":[]"),
      // Errors.
      Error("bad_query", "/api/v1/query", {{"query", "sum("}, {"time", T()}}, 400,
            "unclosed left parenthesis"),
      Error("missing_query", "/api/v1/query", {}, 400, "no expression found in input"),
      Error("bad_time", "/api/v1/query", {{"query", "up"}, {"time", "abc"}}, 400,
            "invalid parameter \\\"time\\\""),
      Error("unknown_function", "/api/v1/query", {{"query", "foo(up)"}, {"time", T()}}, 400,
            "unknown function with name"),
      Known(
          Error("many_to_many", "/api/v1/query",
                {{"query", "http_requests_total + on(service) http_requests_total"}, {"time", T()}},
                422, "\"errorType\":\"execution\""),
          "the two duplicate series in the message: 2.42 lists them in matching order, "
          "Sundial sorts them (promql e74c2d8); the rest of the message is the same"),
      // Range queries.
      Range("range_rate", "rate(http_requests_total{service=\"auth-server\"}[5m])", "60",
            "\"resultType\":\"matrix\""),
      Range("range_sum_by_duration_step", kSumBy, "1m", "\"values\""),
      Range("range_error_ratio", kErrorRatio, "90", "\"values\""),
      Range("range_p95",
            "histogram_quantile(0.95, sum by (service, le) "
            "(rate(http_request_duration_seconds_bucket[5m])))",
            "2m", "\"values\""),
      Range("range_stale", "dlq_queue_depth", "30s", "dlq-manager"),
      Range("range_counter_reset", kReset, "15", "bff-proxy"),
      Range("range_scalar", "1+1", "300", "\"resultType\":\"matrix\""),
      Range("range_fractional_step", "up{instance=\"bff-proxy:8080\"}", "37.5", "\"values\""),
      Error("range_end_before_start", "/api/v1/query_range",
            {{"query", "up"}, {"start", At(10 * kMinute)}, {"end", At(0)}, {"step", "15"}}, 400,
            "end timestamp must not be before start time"),
      Error("range_zero_step", "/api/v1/query_range",
            {{"query", "up"}, {"start", At(0)}, {"end", At(kMinute)}, {"step", "0"}}, 400,
            "zero or negative query resolution step widths are not accepted"),
      Error("range_negative_step", "/api/v1/query_range",
            {{"query", "up"}, {"start", At(0)}, {"end", At(kMinute)}, {"step", "-15"}}, 400,
            "zero or negative query resolution step widths are not accepted"),
      Error("range_missing_step", "/api/v1/query_range",
            {{"query", "up"}, {"start", At(0)}, {"end", At(kMinute)}}, 400,
            "invalid parameter \\\"step\\\""),
      Error("range_bad_start", "/api/v1/query_range",
            {{"query", "up"}, {"start", "yesterday"}, {"end", At(kMinute)}, {"step", "15"}}, 400,
            "invalid parameter \\\"start\\\""),
      Error("range_too_many_points", "/api/v1/query_range",
            {{"query", "up"}, {"start", "0"}, {"end", "11001"}, {"step", "1"}}, 400,
            "exceeded maximum resolution of 11,000 points per timeseries"),
      Error("range_bad_query", "/api/v1/query_range",
            {{"query", "rate(up)"}, {"start", At(0)}, {"end", At(kMinute)}, {"step", "15"}}, 400,
            "expected type range vector"),
      // Label names.
      Case{"labels", "GET", "/api/v1/labels", {}, 200, "\"__name__\",\"instance\",\"job\",\"le\""},
      Case{"labels_match",
           "GET",
           "/api/v1/labels",
           {{"match[]", "up"}},
           200,
           "[\"__name__\",\"instance\",\"job\",\"service\"]"},
      Case{"labels_two_matches",
           "GET",
           "/api/v1/labels",
           {{"match[]", "dlq_queue_depth"}, {"match[]", "http_request_duration_seconds_bucket"}},
           200,
           "\"le\""},
      Case{"labels_window",
           "GET",
           "/api/v1/labels",
           {{"start", At(0)}, {"end", At(30 * kMinute)}, {"limit", "40000"}},
           200,
           "\"status\""},
      Case{"labels_before_data",
           "GET",
           "/api/v1/labels",
           {{"start", At(-120 * kMinute)}, {"end", At(-90 * kMinute)}},
           200,
           "\"data\":[]"},
      Case{"labels_bad_match", "GET", "/api/v1/labels", {{"match[]", "up{"}}, 400, "bad_data"},
      // Label values.
      Case{"label_values_job",
           "GET",
           "/api/v1/label/job/values",
           {},
           200,
           "[\"auth-server-rust\",\"bff-proxy-go\",\"config-server-rust\",\"dlq-manager\"]"},
      Case{"label_values_name",
           "GET",
           "/api/v1/label/__name__/values",
           {},
           200,
           "\"dlq_queue_depth\""},
      Case{"label_values_match",
           "GET",
           "/api/v1/label/instance/values",
           {{"match[]", "up{service=\"auth-server\"}"}},
           200,
           "[\"auth-rust-1:8080\",\"auth-rust-2:8080\"]"},
      Case{"label_values_window",
           "GET",
           "/api/v1/label/status/values",
           {{"start", At(0)}, {"end", At(30 * kMinute)}, {"limit", "40000"}},
           200,
           "[\"200\",\"404\",\"500\"]"},
      Case{"label_values_unknown", "GET", "/api/v1/label/nope/values", {}, 200, "\"data\":[]"},
      Case{"label_values_bad_name",
           "GET",
           "/api/v1/label/0bad/values",
           {},
           400,
           "invalid label name"},
      // Series.
      Case{"series", "GET", "/api/v1/series", {{"match[]", "up"}}, 200, "auth-rust-2:8080"},
      Case{"series_two_matches",
           "GET",
           "/api/v1/series",
           {{"match[]", "http_requests_total{service=\"bff-proxy\",status=\"500\"}"},
            {"match[]", "dlq_queue_depth"}},
           200,
           "dlq-manager"},
      Case{"series_window",
           "GET",
           "/api/v1/series",
           {{"match[]", "{__name__=~\"http_request_duration_seconds_.*\",le=\"+Inf\"}"},
            {"start", At(5 * kMinute)},
            {"end", At(6 * kMinute)},
            {"limit", "40000"}},
           200,
           "\"le\":\"+Inf\""},
      Case{"series_before_data",
           "GET",
           "/api/v1/series",
           {{"match[]", "up"}, {"start", At(-120 * kMinute)}, {"end", At(-90 * kMinute)}},
           200,
           "\"data\":[]"},
      Case{"series_no_match", "GET", "/api/v1/series", {}, 400, "no match[] parameter provided"},
      Case{"series_bad_match", "GET", "/api/v1/series", {{"match[]", "{}"}}, 400, "bad_data"},
      // format_query.
      Case{"format_query",
           "GET",
           "/api/v1/format_query",
           {{"query", "sum(rate(http_requests_total[5m]))by(service)"}},
           200,
           "\"sum by (service) (rate(http_requests_total[5m]))\""},
      Case{"format_query_error",
           "GET",
           "/api/v1/format_query",
           {{"query", "sum(up"}},
           400,
           "unclosed left parenthesis"},
      // Known 2.x -> 3.x differences.
      Case{"rate_on_grid_boundary",
           "GET",
           "/api/v1/query",
           {{"query", kRate}, {"time", At(20 * kMinute)}},
           200,
           "\"method\":\"GET\"",
           false,
           "3.x range selectors are left-open: at a time on the sample grid, [5m] no longer "
           "includes the sample exactly 5m back, so rate() sees one sample fewer"},
      Case{"labels_limit_truncates",
           "GET",
           "/api/v1/labels",
           {{"limit", "2"}},
           200,
           "\"service\"",
           false,
           "2.42 ignores limit on /api/v1/labels; 3.x returns `limit` names and a warning"},
      Case{"series_limit_truncates",
           "GET",
           "/api/v1/series",
           {{"match[]", "up"}, {"limit", "2"}},
           200,
           "auth-rust-2:8080",
           false,
           "2.42 ignores limit on /api/v1/series; 3.x returns `limit` series and a warning"},
  };
  // The same requests as POST forms, as Grafana sends them.
  for (const char* name :
       {"rate", "sum_by", "p99", "one_plus_one", "bad_query", "missing_query", "range_rate",
        "range_end_before_start", "range_too_many_points", "labels_match", "labels_window",
        "series_two_matches", "series_no_match", "format_query"}) {
    for (const Case& c : std::vector<Case>(cases)) {
      if (c.name == name) cases.push_back(Post(c));
    }
  }
  Case sorted = Query("sort_desc", "sort_desc(sum by (instance) (rate(http_requests_total[5m])))",
                      "instance");
  sorted.ordered_result = true;
  cases.push_back(sorted);
  // These peers run without --web.enable-admin-api (admin_test.cc turns it on).
  for (const char* admin : {"delete_series", "clean_tombstones", "snapshot"}) {
    cases.push_back(Case{std::string("admin_") + admin + "_disabled",
                         "POST",
                         std::string("/api/v1/admin/tsdb/") + admin,
                         {{"match[]", "up"}},
                         500,
                         "admin APIs disabled"});
  }
  return cases;
}

class ApiDifferentialTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    std::string skip, error;
    peers_ = Peers::Get(&skip, &error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(peers_, nullptr) << error;
  }

  HttpResult Send(int port, const Case& c) {
    std::string form = Form(c.params);
    if (c.method == "POST") return HttpRequest(port, "POST", c.path, form);
    return HttpRequest(port, "GET", form.empty() ? c.path : c.path + "?" + form);
  }

  Peers* peers_ = nullptr;
};

TEST_P(ApiDifferentialTest, SameAnswerAsPrometheus) {
  const Case& c = GetParam();
  HttpResult want = Send(peers_->prometheus_port(), c);
  ASSERT_EQ(want.status, c.want_status) << want.body;
  EXPECT_THAT(want.body, ::testing::HasSubstr(c.want_in_body));
  EXPECT_THAT(want.headers["content-type"], ::testing::HasSubstr("application/json"));
  json::Value want_json;
  std::string error;
  ASSERT_TRUE(json::Parse(want.body, &want_json, &error)) << error << "\n" << want.body;

  if (SundialLacks(peers_->sundial_port(), c.path)) {
    GTEST_SKIP() << "Sundial does not serve " << c.path << " yet";
  }
  if (!c.known_difference.empty()) GTEST_SKIP() << "known difference: " << c.known_difference;
  HttpResult got = Send(peers_->sundial_port(), c);
  EXPECT_EQ(got.status, want.status) << "Prometheus: " << want.body << "\nSundial:    " << got.body;
  EXPECT_THAT(got.headers["content-type"], ::testing::HasSubstr("application/json"));
  json::Value got_json;
  ASSERT_TRUE(json::Parse(got.body, &got_json, &error)) << error << "\n" << got.body;

  json::DiffOptions options;
  options.ignored_keys = {"infos"};
  const bool ordered = c.ordered_result;
  const bool list = c.path == "/api/v1/series";
  options.unordered = [ordered, list](const std::string& path) {
    if (list) return path == "$.data";
    return !ordered && path == "$.data.result";
  };
  EXPECT_EQ(json::Diff(want_json, got_json, options), "")
      << "Prometheus: " << want.body << "\nSundial:    " << got.body;
}

INSTANTIATE_TEST_SUITE_P(Requests, ApiDifferentialTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

// The shape Grafana relies on: the keys of Prometheus' buildinfo (values differ by build).
TEST(ApiBuildInfo, SameKeysAsPrometheus) {
  std::string skip, error;
  Peers* peers = Peers::Get(&skip, &error);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(peers, nullptr) << error;
  HttpResult want = HttpRequest(peers->prometheus_port(), "GET", "/api/v1/status/buildinfo");
  ASSERT_EQ(want.status, 200);
  json::Value want_json;
  ASSERT_TRUE(json::Parse(want.body, &want_json, &error)) << error;
  const json::Value* want_data = want_json.Find("data");
  ASSERT_NE(want_data, nullptr);
  EXPECT_THAT(want_data->Keys(),
              ::testing::UnorderedElementsAre("version", "revision", "branch", "buildUser",
                                              "buildDate", "goVersion"));
  if (SundialLacks(peers->sundial_port(), "/api/v1/status/buildinfo")) {
    GTEST_SKIP() << "Sundial does not serve /api/v1/status/buildinfo yet";
  }
  HttpResult got = HttpRequest(peers->sundial_port(), "GET", "/api/v1/status/buildinfo");
  ASSERT_EQ(got.status, 200) << got.body;
  json::Value got_json;
  ASSERT_TRUE(json::Parse(got.body, &got_json, &error)) << error << "\n" << got.body;
  ASSERT_NE(got_json.Find("status"), nullptr);
  EXPECT_EQ(got_json.Find("status")->text, "success");
  const json::Value* got_data = got_json.Find("data");
  ASSERT_NE(got_data, nullptr);
  std::vector<std::string> want_keys = want_data->Keys(), got_keys = got_data->Keys();
  std::sort(want_keys.begin(), want_keys.end());
  std::sort(got_keys.begin(), got_keys.end());
  EXPECT_EQ(got_keys, want_keys) << got.body;
  for (const auto& [key, value] : got_data->members) {
    EXPECT_TRUE(value.is_string()) << key;
  }
}

}  // namespace
}  // namespace sundial::testing::api
