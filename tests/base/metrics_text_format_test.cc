#include "base/metrics_text_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sundial::metrics {
namespace {

TEST(FormatFloat, MatchesGoStrconvG) {
  struct Case {
    double v;
    const char* want;
  } cases[] = {
      {0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-1, "-1"},
      {1.5, "1.5"},
      {0.1, "0.1"},
      {0.005, "0.005"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {1e-7, "1e-07"},
      {1.5e-7, "1.5e-07"},
      {123456, "123456"},
      {999999, "999999"},
      {1e6, "1e+06"},
      {1234567, "1.234567e+06"},
      {1.6384e6, "1.6384e+06"},
      {4.2774528e7, "4.2774528e+07"},
      {1795261904.35, "1.79526190435e+09"},
      {1e21, "1e+21"},
      {1e100, "1e+100"},
      {18446744073709551615.0, "1.8446744073709552e+19"},
      {2767.921875, "2767.921875"},
      {-3.25, "-3.25"},
      {5e-324, "5e-324"},
      {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
      {std::nan(""), "NaN"},
      {INFINITY, "+Inf"},
      {-INFINITY, "-Inf"},
  };
  for (const Case& c : cases) EXPECT_EQ(FormatFloat(c.v), c.want) << c.want;
}

FamilySnapshot Family(std::string name, std::string help, MetricType type,
                      std::vector<std::string> label_names) {
  FamilySnapshot f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  f.label_names = std::move(label_names);
  return f;
}

MetricSnapshot Metric(std::vector<std::string> label_values, double value) {
  MetricSnapshot m;
  m.label_values = std::move(label_values);
  m.value = value;
  return m;
}

TEST(AppendTextFormat, SortsFamiliesSeriesAndLabelNames) {
  std::vector<FamilySnapshot> families;
  FamilySnapshot requests =
      Family("http_requests_total", "Requests.", MetricType::kCounter, {"handler", "code"});
  requests.metrics.push_back(Metric({"/query", "500"}, 2));
  requests.metrics.push_back(Metric({"/alerts", "200"}, 7));
  requests.metrics.push_back(Metric({"/query", "200"}, 1e6));
  families.push_back(std::move(requests));
  FamilySnapshot up = Family("a_up", "Up.", MetricType::kGauge, {});
  up.metrics.push_back(Metric({}, 1));
  families.push_back(std::move(up));
  families.push_back(Family("empty_family", "Skipped.", MetricType::kGauge, {"x"}));
  FamilySnapshot raw = Family("raw", "", MetricType::kUntyped, {});
  raw.metrics.push_back(Metric({}, -0.5));
  families.push_back(std::move(raw));

  std::string out;
  AppendTextFormat(&families, &out);
  EXPECT_EQ(out,
            "# HELP a_up Up.\n"
            "# TYPE a_up gauge\n"
            "a_up 1\n"
            "# HELP http_requests_total Requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{code=\"200\",handler=\"/alerts\"} 7\n"
            "http_requests_total{code=\"200\",handler=\"/query\"} 1e+06\n"
            "http_requests_total{code=\"500\",handler=\"/query\"} 2\n"
            "# HELP raw \n"
            "# TYPE raw untyped\n"
            "raw -0.5\n");
}

TEST(AppendTextFormat, EscapesHelpAndLabelValues) {
  std::vector<FamilySnapshot> families;
  FamilySnapshot f = Family("m", "a \\ back\nslash \"quoted\"", MetricType::kGauge, {"path"});
  f.metrics.push_back(Metric({"C:\\dir\n\"x\""}, 3));
  f.metrics.push_back(Metric({""}, 4));
  families.push_back(std::move(f));
  std::string out;
  AppendTextFormat(&families, &out);
  EXPECT_EQ(out,
            "# HELP m a \\\\ back\\nslash \"quoted\"\n"
            "# TYPE m gauge\n"
            "m{path=\"\"} 4\n"
            "m{path=\"C:\\\\dir\\n\\\"x\\\"\"} 3\n");
}

TEST(AppendTextFormat, HistogramAddsInfBucketSumAndCount) {
  std::vector<FamilySnapshot> families;
  FamilySnapshot f = Family("latency_seconds", "Latency.", MetricType::kHistogram, {"op"});
  MetricSnapshot m = Metric({"read"}, 0);
  m.buckets = {{0.1, 1}, {2.5, 3}, {1e6, 3}};
  m.count = 4;
  m.sum = 12.25;
  f.metrics.push_back(m);
  MetricSnapshot with_inf = Metric({"write"}, 0);
  with_inf.buckets = {{1, 0}, {INFINITY, 2}};
  with_inf.count = 2;
  with_inf.sum = 5;
  f.metrics.push_back(with_inf);
  families.push_back(std::move(f));
  std::string out;
  AppendTextFormat(&families, &out);
  EXPECT_EQ(out,
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{op=\"read\",le=\"0.1\"} 1\n"
            "latency_seconds_bucket{op=\"read\",le=\"2.5\"} 3\n"
            "latency_seconds_bucket{op=\"read\",le=\"1e+06\"} 3\n"
            "latency_seconds_bucket{op=\"read\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{op=\"read\"} 12.25\n"
            "latency_seconds_count{op=\"read\"} 4\n"
            "latency_seconds_bucket{op=\"write\",le=\"1\"} 0\n"
            "latency_seconds_bucket{op=\"write\",le=\"+Inf\"} 2\n"
            "latency_seconds_sum{op=\"write\"} 5\n"
            "latency_seconds_count{op=\"write\"} 2\n");
}

}  // namespace
}  // namespace sundial::metrics
