// `promtool query instant|range|series|labels` against Prometheus 2.42 and against Sundial, both
// loaded with the same dataset (peers.h): promtool must print the same thing for both.
//
// promtool prints vectors and series lists in the order the server sent them, which the API
// leaves unspecified, so those outputs are compared as sorted lines; range output (sorted by
// both servers) and label values in order. Numbers in a line may differ by 1e-9 relative.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "integration/api/json.h"
#include "integration/api/peers.h"

namespace sundial::testing::api {
namespace {

constexpr int64_t kMinute = 60'000;

struct PromtoolCase {
  std::string name;
  std::string command;            // instant, range, series, labels
  std::vector<std::string> args;  // "SERVER" is replaced by the server's URL
  std::string endpoint;           // the API endpoint promtool calls
  bool sort_lines = false;
  bool json_output = false;    // compare stdout as JSON (-o json)
  std::string want_in_output;  // a fragment of Prometheus' output
};

void PrintTo(const PromtoolCase& c, std::ostream* os) { *os << c.name; }

std::vector<PromtoolCase> Cases() {
  const std::string t = At(20 * kMinute + 7'000);
  const std::string start = At(10 * kMinute + 7'500), end = At(30 * kMinute);
  return {
      {"instant_selector",
       "instant",
       {"--time=" + t, "SERVER", "http_requests_total{service=\"auth-server\",method=\"POST\"}"},
       "/api/v1/query",
       true,
       false,
       "http_requests_total{instance=\"auth-rust-1:8080\""},
      {"instant_sum_by",
       "instant",
       {"--time=" + t, "SERVER", "sum by (service) (rate(http_requests_total[5m]))"},
       "/api/v1/query",
       true,
       false,
       "{service=\"bff-proxy\"} => "},
      {"instant_p99",
       "instant",
       {"--time=" + t, "SERVER",
        "histogram_quantile(0.99, sum by (service, le) "
        "(rate(http_request_duration_seconds_bucket[5m])))"},
       "/api/v1/query",
       true,
       false,
       "{service=\"config-server\"} => "},
      {"instant_scalar",
       "instant",
       {"--time=4", "SERVER", "1+1"},
       "/api/v1/query",
       false,
       false,
       "scalar: 2 @[4]"},
      {"instant_json",
       "instant",
       {"-o", "json", "--time=" + t, "SERVER", "up == 0"},
       "/api/v1/query",
       false,
       true,
       "auth-rust-2:8080"},
      {"instant_bad_query",
       "instant",
       {"--time=4", "SERVER", "sum("},
       "/api/v1/query",
       false,
       false,
       ""},
      {"range_up",
       "range",
       {"--start=" + start, "--end=" + end, "--step=1m", "SERVER", "up{service=\"auth-server\"}"},
       "/api/v1/query_range",
       false,
       false,
       "0 @["},
      {"range_error_ratio",
       "range",
       {"--start=" + start, "--end=" + end, "--step=2m", "SERVER",
        "sum by (service) (rate(http_requests_total{status=~\"5..\"}[5m])) / sum by (service) "
        "(rate(http_requests_total[5m]))"},
       "/api/v1/query_range",
       false,
       false,
       "{service=\"auth-server\"} =>"},
      {"range_stale",
       "range",
       {"--start=" + start, "--end=" + end, "--step=30s", "SERVER", "dlq_queue_depth"},
       "/api/v1/query_range",
       false,
       false,
       "dlq_queue_depth{"},
      {"range_json",
       "range",
       {"-o", "json", "--start=" + start, "--end=" + end, "--step=5m", "SERVER",
        "sum by (job) (up)"},
       "/api/v1/query_range",
       false,
       true,
       "\"values\""},
      {"series",
       "series",
       {"--match=up", "SERVER"},
       "/api/v1/series",
       true,
       false,
       "{__name__=\"up\", instance=\"bff-proxy:8080\""},
      {"series_two_matches_window",
       "series",
       {"--match=http_requests_total{status=\"500\",method=\"GET\"}", "--match=dlq_queue_depth",
        "--start=" + At(0), "--end=" + At(30 * kMinute), "SERVER"},
       "/api/v1/series",
       true,
       false,
       "dlq-manager"},
      {"labels_job",
       "labels",
       {"SERVER", "job"},
       "/api/v1/label/job/values",
       false,
       false,
       "auth-server-rust\nbff-proxy-go\nconfig-server-rust\ndlq-manager\n"},
      {"labels_match_window",
       "labels",
       {"--match=up{service=\"auth-server\"}", "--start=" + At(0), "--end=" + At(30 * kMinute),
        "SERVER", "instance"},
       "/api/v1/label/instance/values",
       false,
       false,
       "auth-rust-1:8080\nauth-rust-2:8080\n"},
      {"labels_name",
       "labels",
       {"SERVER", "__name__"},
       "/api/v1/label/__name__/values",
       false,
       false,
       "http_request_duration_seconds_bucket\n"},
  };
}

struct Output {
  int exit_code;
  std::string out;
  std::string err;
};

Output Promtool(int port, const PromtoolCase& c) {
  std::vector<std::string> argv = {kPromtoolBinary, "query", c.command};
  for (const std::string& a : c.args) {
    argv.push_back(a == "SERVER" ? "http://127.0.0.1:" + std::to_string(port) : a);
  }
  RunResult r = RunToCompletion(argv);
  return {r.exit_code, r.out, r.err};
}

std::vector<std::string> Lines(const std::string& text, bool sorted) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (sorted) std::sort(lines.begin(), lines.end());
  return lines;
}

// "" when the lines are equal but for numbers within 1e-9 relative, else the first difference.
std::string DiffLines(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  if (want.size() != got.size()) {
    return "line counts " + std::to_string(want.size()) + " vs " + std::to_string(got.size());
  }
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == got[i]) continue;
    std::istringstream a(want[i]), b(got[i]);
    std::string x, y;
    bool same = true;
    while (same) {
      bool more_a = static_cast<bool>(a >> x), more_b = static_cast<bool>(b >> y);
      if (!more_a || !more_b) {
        same = more_a == more_b;
        break;
      }
      if (x == y) continue;
      char* end_x = nullptr;
      char* end_y = nullptr;
      double dx = std::strtod(x.c_str(), &end_x), dy = std::strtod(y.c_str(), &end_y);
      same = *end_x == '\0' && *end_y == '\0' &&
             std::fabs(dx - dy) <= 1e-9 * std::max(std::fabs(dx), std::fabs(dy));
    }
    if (!same) return "line " + std::to_string(i) + "\n  want: " + want[i] + "\n  got:  " + got[i];
  }
  return "";
}

class PromtoolTest : public ::testing::TestWithParam<PromtoolCase> {
 protected:
  void SetUp() override {
    if (access(kPromtoolBinary, X_OK) != 0) GTEST_SKIP() << kPromtoolBinary << " not installed";
    std::string skip, error;
    peers_ = Peers::Get(&skip, &error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(peers_, nullptr) << error;
  }
  Peers* peers_ = nullptr;
};

TEST_P(PromtoolTest, PrintsTheSameForBothServers) {
  const PromtoolCase& c = GetParam();
  Output want = Promtool(peers_->prometheus_port(), c);
  if (c.want_in_output.empty()) {
    EXPECT_NE(want.exit_code, 0) << want.out;  // an error case
  } else {
    ASSERT_EQ(want.exit_code, 0) << want.err;
    EXPECT_THAT(want.out, ::testing::HasSubstr(c.want_in_output));
  }
  if (SundialLacks(peers_->sundial_port(), c.endpoint)) {
    GTEST_SKIP() << "Sundial does not serve " << c.endpoint << " yet";
  }
  Output got = Promtool(peers_->sundial_port(), c);
  EXPECT_EQ(got.exit_code, want.exit_code) << got.err;
  EXPECT_EQ(got.err, want.err);
  if (c.json_output) {
    json::Value a, b;
    std::string error;
    ASSERT_TRUE(json::Parse(want.out, &a, &error)) << error << "\n" << want.out;
    ASSERT_TRUE(json::Parse(got.out, &b, &error)) << error << "\n" << got.out;
    json::DiffOptions options;
    options.unordered = [](const std::string& path) { return path == "$"; };
    EXPECT_EQ(json::Diff(a, b, options), "") << "Prometheus:\n"
                                             << want.out << "Sundial:\n"
                                             << got.out;
  } else {
    EXPECT_EQ(DiffLines(Lines(want.out, c.sort_lines), Lines(got.out, c.sort_lines)), "")
        << "Prometheus:\n"
        << want.out << "Sundial:\n"
        << got.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Commands, PromtoolTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<PromtoolCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace sundial::testing::api
