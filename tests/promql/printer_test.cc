// Pretty-printing as Prometheus' format_query does (prettier.go rules): split at 100 columns.
#include "promql/printer.h"

#include "gtest/gtest.h"
#include "promql/parser.h"

namespace sundial::promql {
namespace {

std::string Pretty(const char* q) {
  return Prettify(*Parse(q, ParseOptions::AllEnabled()).value());
}

TEST(PrettyPrinterTest, ShortExpressionsStayOnOneLine) {
  EXPECT_EQ(Pretty("sum(rate(x[5m])) by (job)"), "sum by (job) (rate(x[5m]))");
  EXPECT_EQ(Pretty("a+b"), "a + b");
}

TEST(PrettyPrinterTest, LongBinaryExpressionSplitsAtTheOperator) {
  EXPECT_EQ(Pretty("a_very_long_metric_name_number_one_aaaaaaaaaaaaaaaaaaaa + on(job) "
                   "a_very_long_metric_name_number_two_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
            "  a_very_long_metric_name_number_one_aaaaaaaaaaaaaaaaaaaa\n"
            "+ on (job)\n"
            "  a_very_long_metric_name_number_two_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
}

TEST(PrettyPrinterTest, LongAggregationAndCallIndentTheirArguments) {
  EXPECT_EQ(
      Pretty("topk by (job) (5, rate(http_requests_total{job=\"api-server\", "
             "handler=~\"/api/v1/query.*\", code=~\"5..\"}[5m]))"),
      "topk by (job) (\n"
      "  5,\n"
      "  rate(http_requests_total{code=~\"5..\",handler=~\"/api/v1/query.*\",job=\"api-server\"}"
      "[5m])\n"
      ")");
  EXPECT_EQ(Pretty("histogram_quantile(0.99, sum by (le, job) (rate(apiserver_request_duration_"
                   "seconds_bucket{verb!=\"WATCH\"}[5m])))"),
            "histogram_quantile(\n"
            "  0.99,\n"
            "  sum by (le, job) (rate(apiserver_request_duration_seconds_bucket{verb!=\"WATCH\"}"
            "[5m]))\n"
            ")");
}

TEST(PrettyPrinterTest, ParenthesesAndUnary) {
  EXPECT_EQ(Pretty("-(a_very_long_metric_name_number_one_aaaaaaaaaaaaaaaaaaaaaaaaaaa * "
                   "a_very_long_metric_name_number_two_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb)"),
            "-(\n"
            "    a_very_long_metric_name_number_one_aaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
            "  *\n"
            "    a_very_long_metric_name_number_two_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
            ")");
}

}  // namespace
}  // namespace sundial::promql
