// /federate over an in-memory head on a real web::Server: the newest sample per series within
// the lookback, grouped by metric name, external labels, stale and old series left out, and the
// error answers Prometheus 2.42 gives for bad selectors.
#include <gtest/gtest.h>

#include <string>

#include "base/str_cat.h"
#include "tsdb/head.h"
#include "tsdb/value.h"
#include "web/api/api.h"
#include "web/api/api_fixture.h"

namespace sundial::web::api {
namespace {

using web::testing::Fetch;
using web::testing::TestResponse;

constexpr int64_t kNowMs = 1'000'000;

class FederateTest : public web::testing::ApiFixture {
 protected:
  void SetUp() override {
    std::unique_ptr<tsdb::Appender> app = head_.NewAppender();
    auto add = [&](const Labels& l, int64_t t_s, double v) {
      ASSERT_TRUE(app->Append(0, l, t_s * 1000, v).ok()) << l.ToString();
    };
    for (int64_t t = 700; t <= 1000; t += 15) {
      add({{"__name__", "up"}, {"job", "prom"}, {"instance", "a:9090"}}, t, 1);
      add({{"__name__", "up"}, {"job", "node"}, {"instance", "b:9100"}}, t - 10, 0);
      add({{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "200"}}, t,
          static_cast<double>(t) * 1000);
      add({{"__name__", "weird"}, {"job", "a\"b\\c\nd"}}, t, 0.5);
      // Ends with a stale marker: not federated.
      add({{"__name__", "gone"}, {"job", "x"}}, t, t == 1000 ? tsdb::StaleNaN() : 2);
    }
    // Last sample before the lookback window (now - 5m): not federated.
    add({{"__name__", "old"}, {"job", "x"}}, 600, 3);
    // A sample after "now" is not the newest as of now.
    add({{"__name__", "future"}, {"job", "x"}}, 990, 4);
    add({{"__name__", "future"}, {"job", "x"}}, 1100, 5);
    ASSERT_TRUE(app->Commit().ok());
  }

  void Start(std::map<std::string, std::string> external = {}) {
    ApiOptions options;
    options.storage = &head_;
    options.max_concurrency = 2;
    options.now = [] { return kNowMs; };
    options.external_labels = [external] { return external; };
    StartApi(std::move(options));
  }

  // The body of GET /federate?<query>, checking status and content type.
  std::string Federate(std::string_view query, int want_status = 200) {
    std::optional<TestResponse> r = Fetch(port_, "GET", StrCat("/federate?", query));
    if (!r) return "<no response>";
    EXPECT_EQ(r->status, want_status) << query << ": " << r->body;
    EXPECT_EQ(r->Header("content-type"), want_status == 200
                                             ? "text/plain; version=0.0.4; charset=utf-8"
                                             : "text/plain; charset=utf-8");
    return r->body;
  }

  tsdb::Head head_;
};

TEST_F(FederateTest, NewestSamplePerSeriesGroupedByName) {
  Start({{"cluster", "eu"}, {"job", "ext"}});
  // Every series (an all-empty selector is allowed here, unlike /api/v1/series).
  EXPECT_EQ(Federate("match[]=%7Bfoo%3D%22%22%7D"),
            "# TYPE future untyped\n"
            "future{job=\"x\",cluster=\"eu\",instance=\"\"} 4 990000\n"
            "# TYPE http_requests_total untyped\n"
            "http_requests_total{code=\"200\",job=\"api\",cluster=\"eu\",instance=\"\"} "
            "1e+06 1000000\n"
            "# TYPE up untyped\n"
            "up{instance=\"a:9090\",job=\"prom\",cluster=\"eu\"} 1 1000000\n"
            "up{instance=\"b:9100\",job=\"node\",cluster=\"eu\"} 0 990000\n"
            "# TYPE weird untyped\n"
            "weird{job=\"a\\\"b\\\\c\\nd\",cluster=\"eu\",instance=\"\"} 0.5 1000000\n");
}

TEST_F(FederateTest, SeveralSelectorsAreMergedWithoutDuplicates) {
  Start();
  EXPECT_EQ(Federate("match[]=up%7Bjob%3D%22node%22%7D&match[]=up&match[]=weird"),
            "# TYPE up untyped\n"
            "up{instance=\"a:9090\",job=\"prom\"} 1 1000000\n"
            "up{instance=\"b:9100\",job=\"node\"} 0 990000\n"
            "# TYPE weird untyped\n"
            "weird{job=\"a\\\"b\\\\c\\nd\",instance=\"\"} 0.5 1000000\n");
  // No selector selects nothing.
  EXPECT_EQ(Federate(""), "");
  EXPECT_EQ(Federate("match[]=gone"), "");
  EXPECT_EQ(Federate("match[]=old"), "");
}

TEST_F(FederateTest, BadSelectorsAnswer400Text) {
  Start();
  // Texts observed from Prometheus 2.42.
  EXPECT_EQ(Federate("match[]=up%7B", 400),
            "1:4: parse error: unexpected end of input inside braces\n");
  EXPECT_EQ(Federate("match[]=", 400), "1:1: parse error: unexpected end of input\n");
  EXPECT_EQ(Federate("match[]=up)", 400), "1:4: parse error: unexpected right parenthesis ')'\n");
  // Not a selector: rejected at the first token after it.
  std::string body = Federate("match[]=rate(up%5B5m%5D)", 400);
  EXPECT_EQ(body.substr(0, 21), "1:5: parse error: une") << body;
}

}  // namespace
}  // namespace sundial::web::api
