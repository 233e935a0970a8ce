// /api/v1/parse_query: the syntax tree as Prometheus 3.x's translateAST writes it (keys sorted as
// Go writes maps, null for absent children). Expected texts follow web/api/v1/translate_ast.go.
#include <gtest/gtest.h>

#include <string>

#include "base/str_cat.h"
#include "tsdb/head.h"
#include "web/api/api.h"
#include "web/api/api_fixture.h"

namespace sundial::web::api {
namespace {

using web::testing::Fetch;
using web::testing::TestResponse;

class ParseQueryTest : public web::testing::ApiFixture {
 protected:
  void SetUp() override {
    ApiOptions options;
    options.storage = &head_;
    options.max_concurrency = 1;
    StartApi(std::move(options));
  }

  // The data of a successful answer (or the whole body otherwise).
  std::string Parse(std::string_view escaped_query, int want_status = 200) {
    std::optional<TestResponse> r =
        Fetch(port_, "GET", StrCat("/api/v1/parse_query?query=", escaped_query));
    if (!r) return "<no response>";
    EXPECT_EQ(r->status, want_status) << r->body;
    constexpr std::string_view kPrefix = R"({"status":"success","data":)";
    if (r->body.rfind(kPrefix, 0) == 0 && r->body.back() == '}') {
      return r->body.substr(kPrefix.size(), r->body.size() - kPrefix.size() - 1);
    }
    return r->body;
  }

  tsdb::Head head_;
};

TEST_F(ParseQueryTest, AggregationCallAndMatrixSelector) {
  // sum by (job) (rate(x{a="b"}[5m] offset 1m))
  EXPECT_EQ(
      Parse("sum%20by%20(job)%20(rate(x%7Ba%3D%22b%22%7D%5B5m%5D%20offset%201m))"),
      R"({"expr":{"args":[{"anchored":false,"matchers":[{"name":"a","type":"=","value":"b"},)"
      R"({"name":"__name__","type":"=","value":"x"}],"name":"x","offset":60000,"offsetExpr":null,)"
      R"("range":300000,"rangeExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":null,)"
      R"("type":"matrixSelector"}],"func":{"argTypes":["matrix"],"name":"rate",)"
      R"("returnType":"vector","variadic":0},"type":"call"},"grouping":["job"],"op":"sum",)"
      R"("param":null,"type":"aggregation","without":false})");
}

TEST_F(ParseQueryTest, BinaryUnaryAndModifiers) {
  // 1 + -foo @ end()
  EXPECT_EQ(Parse("1%20%2B%20-foo%20%40%20end()"),
            R"({"bool":false,"lhs":{"type":"numberLiteral","val":"1"},"matching":null,"op":"+",)"
            R"("rhs":{"expr":{"anchored":false,"matchers":[{"name":"__name__","type":"=",)"
            R"("value":"foo"}],"name":"foo","offset":0,"offsetExpr":null,"smoothed":false,)"
            R"("startOrEnd":"end","timestamp":null,"type":"vectorSelector"},"op":"-",)"
            R"("type":"unaryExpr"},"type":"binaryExpr"})");
  // a and on (x) b: set operators match many-to-many.
  EXPECT_EQ(Parse("a%20and%20on(x)%20b"),
            R"({"bool":false,"lhs":{"anchored":false,"matchers":[{"name":"__name__","type":"=",)"
            R"("value":"a"}],"name":"a","offset":0,"offsetExpr":null,"smoothed":false,)"
            R"("startOrEnd":null,"timestamp":null,"type":"vectorSelector"},)"
            R"("matching":{"card":"many-to-many","fillValues":{"lhs":null,"rhs":null},)"
            R"("include":[],"labels":["x"],"on":true},"op":"and",)"
            R"("rhs":{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"b"}],)"
            R"("name":"b","offset":0,"offsetExpr":null,"smoothed":false,"startOrEnd":null,)"
            R"("timestamp":null,"type":"vectorSelector"},"type":"binaryExpr"})");
}

TEST_F(ParseQueryTest, SubqueryParenAndStrings) {
  // (max_over_time(up[10m:1m] @ 100))
  EXPECT_EQ(Parse("(max_over_time(up%5B10m%3A1m%5D%20%40%20100))"),
            R"({"expr":{"args":[{"expr":{"anchored":false,"matchers":[{"name":"__name__",)"
            R"("type":"=","value":"up"}],"name":"up","offset":0,"offsetExpr":null,)"
            R"("smoothed":false,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"},)"
            R"("offset":0,"offsetExpr":null,"range":600000,"rangeExpr":null,"startOrEnd":null,)"
            R"("step":60000,"stepExpr":null,"timestamp":100000,"type":"subquery"}],)"
            R"("func":{"argTypes":["matrix"],"name":"max_over_time","returnType":"vector",)"
            R"("variadic":0},"type":"call"},"type":"parenExpr"})");
  EXPECT_EQ(Parse("%22a%3Cb%22"), R"({"type":"stringLiteral","val":"a\u003cb"})");
  EXPECT_EQ(Parse("1e-7"), R"({"type":"numberLiteral","val":"0.0000001"})");
}

TEST_F(ParseQueryTest, ParseErrors) {
  EXPECT_EQ(Parse("up(", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": )"
            R"(1:4: parse error: unclosed left parenthesis"})");
  EXPECT_EQ(Parse("", 400),
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": )"
            R"(1:1: parse error: no expression found in input"})");
}

}  // namespace
}  // namespace sundial::web::api
