// Metric and label name translation, table-driven against what Prometheus 3.x produces.
#include "remotewrite/otlp/internal/names.h"

#include <gtest/gtest.h>

namespace sundial::remotewrite::otlp {
namespace {

struct MetricCase {
  std::string_view name;
  std::string_view unit;
  MetricKind kind;
  std::string_view want;
};

constexpr NamingOptions kDefault{};  // UnderscoreEscapingWithSuffixes

TEST(MetricNameTest, UnderscoreEscapingWithSuffixes) {
  const MetricCase cases[] = {
      {"http.server.duration", "s", MetricKind::kHistogram, "http_server_duration_seconds"},
      {"http.server.requests", "{requests}", MetricKind::kMonotonicSum,
       "http_server_requests_total"},
      {"process.memory.usage", "By", MetricKind::kNonMonotonicSum, "process_memory_usage_bytes"},
      {"system.cpu.utilization", "1", MetricKind::kGauge, "system_cpu_utilization_ratio"},
      // "1" on a counter adds nothing; "_ratio" is only for gauges.
      {"hits", "1", MetricKind::kMonotonicSum, "hits_total"},
      {"hits", "1", MetricKind::kNonMonotonicSum, "hits"},
      // The unit is not repeated; "total" moves to the end.
      {"request_duration_seconds", "s", MetricKind::kGauge, "request_duration_seconds"},
      {"requests_total_count", "", MetricKind::kMonotonicSum, "requests_count_total"},
      {"ratio_of_x", "1", MetricKind::kGauge, "of_x_ratio"},
      // Rates and annotations.
      {"network.io", "By/s", MetricKind::kGauge, "network_io_bytes_per_second"},
      {"packets", "{packets}/s", MetricKind::kGauge, "packets_per_second"},
      {"throughput", "KiBy/min", MetricKind::kGauge, "throughput_kibibytes_per_min"},
      {"temp", "Cel", MetricKind::kGauge, "temp_celsius"},
      {"load", "%", MetricKind::kGauge, "load_percent"},
      {"odd", "foo bar", MetricKind::kGauge, "odd_foo_bar"},
      // Separators collapse; a leading digit gets an underscore.
      {"a..b__c", "", MetricKind::kGauge, "a_b_c"},
      {"_leading.", "", MetricKind::kGauge, "leading"},
      {"2xx.responses", "", MetricKind::kGauge, "_2xx_responses"},
      {"with:colon", "", MetricKind::kGauge, "with:colon"},
      {"héllo wörld", "ms", MetricKind::kSummary, "h_llo_w_rld_milliseconds"},
  };
  for (const MetricCase& c : cases) {
    absl::StatusOr<std::string> got =
        BuildMetricName({.name = c.name, .unit = c.unit, .kind = c.kind}, kDefault);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.name << " [" << c.unit << "]";
  }
}

TEST(MetricNameTest, EmptyResultIsAnError) {
  absl::StatusOr<std::string> got =
      BuildMetricName({.name = "...", .unit = "", .kind = MetricKind::kGauge}, kDefault);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "normalization for metric \"...\" resulted in empty name");
  EXPECT_FALSE(BuildMetricName({.name = "", .kind = MetricKind::kGauge}, kDefault).ok());
}

TEST(MetricNameTest, UnderscoreEscapingWithoutSuffixes) {
  const NamingOptions o{.escape = true, .add_suffixes = false};
  EXPECT_EQ(*BuildMetricName({"http.server.requests", "1", MetricKind::kMonotonicSum}, o),
            "http_server_requests");
  EXPECT_EQ(*BuildMetricName({"a..b__c", "s", MetricKind::kGauge}, o), "a_b__c");
  EXPECT_EQ(*BuildMetricName({"9lives", "", MetricKind::kGauge}, o), "_9lives");
  // Only underscores is an error unless the name was given that way.
  EXPECT_FALSE(BuildMetricName({"_._", "", MetricKind::kGauge}, o).ok());
  EXPECT_EQ(*BuildMetricName({"__", "", MetricKind::kGauge}, o), "__");
}

TEST(MetricNameTest, NoUtf8EscapingWithSuffixes) {
  const NamingOptions o{.escape = false, .add_suffixes = true};
  EXPECT_EQ(*BuildMetricName({"http.server.requests", "{r}", MetricKind::kMonotonicSum}, o),
            "http.server.requests_total");
  EXPECT_EQ(*BuildMetricName({"http.server.duration", "s", MetricKind::kHistogram}, o),
            "http.server.duration_seconds");
  EXPECT_EQ(*BuildMetricName({"net.io", "By/s", MetricKind::kMonotonicSum}, o),
            "net.io_bytes_per_second_total");
  EXPECT_EQ(*BuildMetricName({"cpu.ratio", "1", MetricKind::kGauge}, o), "cpu_ratio");
  EXPECT_EQ(*BuildMetricName({"x_seconds", "s", MetricKind::kGauge}, o), "x_seconds");
}

TEST(MetricNameTest, NoTranslation) {
  const NamingOptions o{.escape = false, .add_suffixes = false};
  EXPECT_EQ(*BuildMetricName({"http.server.requests", "1", MetricKind::kMonotonicSum}, o),
            "http.server.requests");
}

TEST(LabelNameTest, Escaping) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"http.method", "http_method"},
      {"already_ok", "already_ok"},
      {"a..b", "a__b"},  // Prometheus keeps runs of underscores by default
      {"1st", "key_1st"},
      {"_private", "key_private"},
      {"__reserved__", "__reserved__"},
      {"__dunder", "__dunder"},
      {"k8s.pod.name", "k8s_pod_name"},
      {"émoji😀", "key_moji_"},  // one '_' per character, then "key" for the single '_' prefix
  };
  for (const auto& [key, want] : cases) {
    absl::StatusOr<std::string> got = BuildLabelName(key, kDefault);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status();
    EXPECT_EQ(*got, want) << key;
  }
}

TEST(LabelNameTest, Errors) {
  EXPECT_FALSE(BuildLabelName("", kDefault).ok());
  absl::StatusOr<std::string> got = BuildLabelName("...", kDefault);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "normalization for label name \"...\" resulted in invalid name \"___\"");
  EXPECT_FALSE(BuildLabelName("__", {.escape = false}).ok());
}

TEST(LabelNameTest, Options) {
  EXPECT_EQ(*BuildLabelName("http.method", {.escape = false}), "http.method");
  EXPECT_EQ(*BuildLabelName("_x", {.underscore_label_sanitization = false}), "_x");
  EXPECT_EQ(*BuildLabelName("a..b", {.preserve_multiple_underscores = false}), "a_b");
  EXPECT_EQ(*BuildLabelName("__a..b__", {.preserve_multiple_underscores = false}), "__a_b__");
}

}  // namespace
}  // namespace sundial::remotewrite::otlp
