// The requests Grafana's Prometheus datasource (pkg/promlib and the frontend's language
// provider) sends when a user adds the datasource, opens Explore and the metric browser, and
// loads a dashboard panel, replayed against Prometheus 2.42 and against Sundial with the same
// dataset (peers.h). Each answer is checked for what Grafana reads: `status`, the fields it
// decodes with their JSON types, and never a 400 to a valid POST (Grafana would retry as GET and
// hide the bug).
//
// What Grafana does, from its source:
// - the datasource's backend POSTs application/x-www-form-urlencoded by default, and retries as
//   GET on 400 or 405; label values, metadata and the status endpoints are always GET;
// - the health check is an instant query "1+1" at time 4;
// - /api/v1/status/buildinfo decides between Prometheus and Mimir: a `features` member means
//   Mimir; its `version` enables newer query features;
// - the exemplar probe sends start and end in milliseconds and only looks at `status`;
// - the metric browser asks labels, label values, series and metadata with limit=40000.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "integration/api/json.h"
#include "integration/api/peers.h"

namespace sundial::testing::api {
namespace {

constexpr int64_t kMinute = 60'000;

enum class Shape {
  kBuildInfo,   // data: the six string members, no `features`
  kStatusOnly,  // only `status` is read
  kScalar2At4,  // data: {resultType: scalar, result: [4, "2"]}
  kVector,      // data: {resultType: vector, result: [{metric: {...}, value: [t, "v"]}...]}
  kMatrix,      // data: {resultType: matrix, result: [{metric: {...}, values: [[t, "v"]...]}]}
  kStrings,     // data: [string...]
  kSeries,      // data: [{name: value...}...]
  kMetadata,    // data: {metric: [{type, help, unit}...]}
  kExemplars,   // data: [{seriesLabels, exemplars}...]
};

struct Step {
  std::string name;
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;
  Shape shape;
  std::string must_contain;  // a value the dataset guarantees, "" for none
};

std::vector<Step> Steps() {
  // Grafana's default time range, the last 30 minutes, at the end of the dataset; it sends
  // seconds with milliseconds, and aligns range-query starts to the step.
  const int64_t end_ms = BaseMs() + 30 * kMinute - 1'234;
  const int64_t start_ms = end_ms - 30 * kMinute;
  const std::string start = Seconds(start_ms), end = Seconds(end_ms);
  const std::string aligned_start = Seconds(start_ms / 15'000 * 15'000);
  const std::string aligned_end = Seconds(end_ms / 15'000 * 15'000);
  const std::string p99 =
      "histogram_quantile(0.99, sum by (le, service) "
      "(rate(http_request_duration_seconds_bucket{service=\"auth-server\"}[5m])))";
  return {
      // Adding the datasource: buildinfo probe, then the health check.
      {"buildinfo", "GET", "/api/v1/status/buildinfo", {}, Shape::kBuildInfo, ""},
      {"health_check",
       "POST",
       "/api/v1/query",
       {{"query", "1+1"}, {"time", "4"}},
       Shape::kScalar2At4,
       ""},
      {"health_check_get",
       "GET",
       "/api/v1/query",
       {{"query", "1+1"}, {"time", "4"}},
       Shape::kScalar2At4,
       ""},
      // Explore: the exemplar probe (milliseconds), the metric browser, an instant query.
      {"exemplar_probe",
       "GET",
       "/api/v1/query_exemplars",
       {{"query", "test"}, {"start", std::to_string(start_ms)}, {"end", std::to_string(end_ms)}},
       Shape::kStatusOnly,
       ""},
      {"browser_labels",
       "POST",
       "/api/v1/labels",
       {{"start", start}, {"end", end}, {"limit", "40000"}},
       Shape::kStrings,
       "service"},
      {"browser_labels_match",
       "POST",
       "/api/v1/labels",
       {{"match[]", "{__name__=\"http_requests_total\"}"},
        {"start", start},
        {"end", end},
        {"limit", "40000"}},
       Shape::kStrings,
       "method"},
      {"browser_metric_names",
       "GET",
       "/api/v1/label/__name__/values",
       {{"start", start}, {"end", end}, {"limit", "40000"}},
       Shape::kStrings,
       "http_requests_total"},
      {"browser_label_values_match",
       "GET",
       "/api/v1/label/job/values",
       {{"match[]", "{__name__=\"http_requests_total\"}"},
        {"start", start},
        {"end", end},
        {"limit", "40000"}},
       Shape::kStrings,
       "bff-proxy-go"},
      {"browser_series",
       "POST",
       "/api/v1/series",
       {{"match[]", "{__name__=\"http_requests_total\",service=\"bff-proxy\"}"},
        {"start", start},
        {"end", end},
        {"limit", "40000"}},
       Shape::kSeries,
       "bff-proxy:8080"},
      {"metadata", "GET", "/api/v1/metadata", {{"limit", "40000"}}, Shape::kMetadata, ""},
      {"metadata_metric",
       "GET",
       "/api/v1/metadata",
       {{"metric", "http_requests_total"}, {"limit", "1"}},
       Shape::kMetadata,
       ""},
      {"explore_instant",
       "POST",
       "/api/v1/query",
       {{"query", "sum by (service) (rate(http_requests_total[5m]))"}, {"time", end}},
       Shape::kVector,
       "config-server"},
      {"explore_exemplars",
       "POST",
       "/api/v1/query_exemplars",
       {{"query", p99}, {"start", aligned_start}, {"end", aligned_end}},
       Shape::kExemplars,
       ""},
      // A dashboard panel: range queries as POST forms.
      {"panel_p99",
       "POST",
       "/api/v1/query_range",
       {{"query", p99}, {"start", aligned_start}, {"end", aligned_end}, {"step", "15"}},
       Shape::kMatrix,
       "auth-server"},
      {"panel_up",
       "POST",
       "/api/v1/query_range",
       {{"query", "up"},
        {"start", aligned_start},
        {"end", aligned_end},
        {"step", "30"},
        {"timeout", "60s"}},
       Shape::kMatrix,
       "auth-rust-2:8080"},
  };
}

bool IsSample(const json::Value& v) {
  return v.is_array() && v.items.size() == 2 && v.items[0].is_number() && v.items[1].is_string();
}

bool IsLabelSet(const json::Value& v) {
  if (!v.is_object()) return false;
  for (const auto& m : v.members) {
    if (!m.second.is_string()) return false;
  }
  return true;
}

// Checks what Grafana reads from a successful answer of this shape.
void CheckShape(Shape shape, const json::Value& body) {
  const json::Value* status = body.Find("status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->text, "success");
  if (shape == Shape::kStatusOnly) return;
  const json::Value* data = body.Find("data");
  ASSERT_NE(data, nullptr);
  switch (shape) {
    case Shape::kBuildInfo: {
      for (const char* key :
           {"version", "revision", "branch", "buildUser", "buildDate", "goVersion"}) {
        ASSERT_NE(data->Find(key), nullptr) << key;
        EXPECT_TRUE(data->Find(key)->is_string()) << key;
      }
      EXPECT_EQ(data->Find("features"), nullptr) << "Grafana would take the server for Mimir";
      // Grafana parses the version as semver to enable features of Prometheus >= 2.x.
      const std::string& version = data->Find("version")->text;
      ASSERT_FALSE(version.empty());
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(version[0]))) << version;
      EXPECT_GE(std::atoi(version.c_str()), 2) << version;
      EXPECT_NE(version.find('.'), std::string::npos) << version;
      break;
    }
    case Shape::kScalar2At4: {
      ASSERT_NE(data->Find("resultType"), nullptr);
      EXPECT_EQ(data->Find("resultType")->text, "scalar");
      const json::Value* result = data->Find("result");
      ASSERT_NE(result, nullptr);
      ASSERT_TRUE(IsSample(*result)) << json::Canonical(*result);
      EXPECT_EQ(result->items[0].number, 4);
      EXPECT_EQ(result->items[1].text, "2");
      break;
    }
    case Shape::kVector:
    case Shape::kMatrix: {
      const bool vector = shape == Shape::kVector;
      ASSERT_NE(data->Find("resultType"), nullptr);
      EXPECT_EQ(data->Find("resultType")->text, vector ? "vector" : "matrix");
      const json::Value* result = data->Find("result");
      ASSERT_NE(result, nullptr);
      ASSERT_TRUE(result->is_array());
      EXPECT_FALSE(result->items.empty());
      for (const json::Value& series : result->items) {
        ASSERT_NE(series.Find("metric"), nullptr);
        EXPECT_TRUE(IsLabelSet(*series.Find("metric")));
        if (vector) {
          ASSERT_NE(series.Find("value"), nullptr);
          EXPECT_TRUE(IsSample(*series.Find("value")));
        } else {
          const json::Value* values = series.Find("values");
          ASSERT_NE(values, nullptr);
          ASSERT_TRUE(values->is_array());
          EXPECT_FALSE(values->items.empty());
          for (const json::Value& point : values->items) EXPECT_TRUE(IsSample(point));
        }
      }
      break;
    }
    case Shape::kStrings:
      ASSERT_TRUE(data->is_array());
      for (const json::Value& item : data->items) EXPECT_TRUE(item.is_string());
      break;
    case Shape::kSeries:
      ASSERT_TRUE(data->is_array());
      EXPECT_FALSE(data->items.empty());
      for (const json::Value& item : data->items) {
        EXPECT_TRUE(IsLabelSet(item));
        EXPECT_NE(item.Find("__name__"), nullptr);
      }
      break;
    case Shape::kMetadata:
      ASSERT_TRUE(data->is_object());
      for (const auto& [metric, entries] : data->members) {
        ASSERT_TRUE(entries.is_array()) << metric;
        for (const json::Value& e : entries.items) {
          for (const char* key : {"type", "help", "unit"}) {
            ASSERT_NE(e.Find(key), nullptr) << metric << " " << key;
            EXPECT_TRUE(e.Find(key)->is_string());
          }
        }
      }
      break;
    case Shape::kExemplars:
      ASSERT_TRUE(data->is_array());
      for (const json::Value& item : data->items) {
        ASSERT_NE(item.Find("seriesLabels"), nullptr);
        ASSERT_NE(item.Find("exemplars"), nullptr);
        EXPECT_TRUE(item.Find("exemplars")->is_array());
      }
      break;
    case Shape::kStatusOnly:
      break;
  }
}

using Param = std::tuple<Step, std::string>;  // the step, "Prometheus" or "Sundial"

class GrafanaSequenceTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    std::string skip, error;
    peers_ = Peers::Get(&skip, &error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(peers_, nullptr) << error;
  }
  Peers* peers_ = nullptr;
};

TEST_P(GrafanaSequenceTest, AnswersWhatGrafanaReads) {
  const auto& [step, server] = GetParam();
  int port = server == "Sundial" ? peers_->sundial_port() : peers_->prometheus_port();
  if (server == "Sundial" && SundialLacks(port, step.path)) {
    GTEST_SKIP() << "Sundial does not serve " << step.path << " yet";
  }
  const std::string form = Form(step.params);
  HttpResult r = step.method == "POST"
                     ? HttpRequest(port, "POST", step.path, form)
                     : HttpRequest(port, "GET", form.empty() ? step.path : step.path + "?" + form);
  ASSERT_EQ(r.status, 200) << step.method << " " << step.path << "?" << form << "\n" << r.body;
  EXPECT_THAT(r.headers["content-type"], ::testing::HasSubstr("application/json"));
  json::Value body;
  std::string error;
  ASSERT_TRUE(json::Parse(r.body, &body, &error)) << error << "\n" << r.body;
  CheckShape(step.shape, body);
  if (!step.must_contain.empty()) {
    EXPECT_THAT(r.body, ::testing::HasSubstr("\"" + step.must_contain));
  }
}

INSTANTIATE_TEST_SUITE_P(Grafana, GrafanaSequenceTest,
                         ::testing::Combine(::testing::ValuesIn(Steps()),
                                            ::testing::Values(std::string("Prometheus"),
                                                              std::string("Sundial"))),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           return std::get<0>(info.param).name + "_" + std::get<1>(info.param);
                         });

// Status endpoints are GET-only in Prometheus: a POST gets 405, on which Grafana retries as GET.
// A 400 would also make it retry, but any other answer would be taken as the result.
TEST(GrafanaContract, PostToAGetOnlyEndpointIs405OrServed) {
  std::string skip, error;
  Peers* peers = Peers::Get(&skip, &error);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(peers, nullptr) << error;
  EXPECT_EQ(HttpRequest(peers->prometheus_port(), "POST", "/api/v1/status/buildinfo").status, 405);
  if (SundialLacks(peers->sundial_port(), "/api/v1/status/buildinfo")) {
    GTEST_SKIP() << "Sundial does not serve /api/v1/status/buildinfo yet";
  }
  HttpResult r = HttpRequest(peers->sundial_port(), "POST", "/api/v1/status/buildinfo");
  EXPECT_THAT(r.status, ::testing::AnyOf(200, 405)) << r.body;
}

void CollectExprs(const json::Value& v, std::vector<std::string>* out) {
  for (const auto& [key, value] : v.members) {
    if (key == "expr" && value.is_string()) out->push_back(value.text);
    CollectExprs(value, out);
  }
  for (const json::Value& item : v.items) CollectExprs(item, out);
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Every query of the example dashboard (examples/grafana/red-slo-dashboard.json), with its
// variables expanded as Grafana would, runs on both servers and gives the same answer. The time
// is off the sample grid (see the left-open range selector difference in differential_test.cc).
TEST(GrafanaDashboard, EveryPanelQueryRunsAndMatchesPrometheus) {
  std::string skip, error;
  Peers* peers = Peers::Get(&skip, &error);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(peers, nullptr) << error;
  const char* src = std::getenv("SUNDIAL_SOURCE_DIR");
  std::ifstream file(std::string(src ? src : ".") + "/examples/grafana/red-slo-dashboard.json");
  ASSERT_TRUE(file.good()) << "run with SUNDIAL_SOURCE_DIR set (ctest does)";
  const std::string text((std::istreambuf_iterator<char>(file)), {});
  json::Value dashboard;
  ASSERT_TRUE(json::Parse(text, &dashboard, &error)) << error;
  std::vector<std::string> exprs;
  CollectExprs(dashboard, &exprs);
  ASSERT_GE(exprs.size(), 8u);
  const bool sundial_serves = !SundialLacks(peers->sundial_port(), "/api/v1/query");
  for (std::string expr : exprs) {
    expr = ReplaceAll(expr, "$__rate_interval", "5m");
    expr = ReplaceAll(expr, "$service", ".*");
    expr = ReplaceAll(expr, "$slo", "0.999");
    ASSERT_EQ(expr.find('$'), std::string::npos) << expr;
    const std::string form = Form({{"query", expr}, {"time", At(29 * kMinute + 7'000)}});
    HttpResult want = HttpRequest(peers->prometheus_port(), "POST", "/api/v1/query", form);
    ASSERT_EQ(want.status, 200) << expr << "\n" << want.body;
    json::Value want_json;
    ASSERT_TRUE(json::Parse(want.body, &want_json, &error)) << error;
    const json::Value* result = want_json.Find("data")->Find("result");
    ASSERT_NE(result, nullptr);
    EXPECT_FALSE(result->items.empty()) << "no data for " << expr;
    if (!sundial_serves) continue;
    HttpResult got = HttpRequest(peers->sundial_port(), "POST", "/api/v1/query", form);
    ASSERT_EQ(got.status, 200) << expr << "\n" << got.body;
    json::Value got_json;
    ASSERT_TRUE(json::Parse(got.body, &got_json, &error)) << error << "\n" << got.body;
    json::DiffOptions options;
    options.ignored_keys = {"infos"};
    options.unordered = [](const std::string& path) { return path == "$.data.result"; };
    EXPECT_EQ(json::Diff(want_json, got_json, options), "") << expr;
  }
  if (!sundial_serves) GTEST_SKIP() << "Sundial does not serve /api/v1/query yet";
}

}  // namespace
}  // namespace sundial::testing::api
