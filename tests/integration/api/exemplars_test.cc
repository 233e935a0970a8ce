// /api/v1/query_exemplars against the Debian Prometheus 2.42: both started with
// --enable-feature=exemplar-storage and sent the same exemplars by remote write 1.0 (with
// duplicates, out-of-order ones and an over-long label set that both must drop), then asked the
// same questions; the JSON must be equal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "integration/api/json.h"
#include "integration/api/peers.h"
#include "remotewrite/prompb_v1.pb.h"
#include "snappy.h"

namespace sundial::testing::api {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;
namespace prompb = remotewrite::prompb;

constexpr int64_t kMinute = 60'000;

struct Ex {
  std::vector<std::pair<std::string, std::string>> labels;
  double value;
  int64_t offset_ms;
};

void AddSeries(prompb::WriteRequest* req, std::vector<std::pair<std::string, std::string>> labels,
               bool with_sample, const std::vector<Ex>& exemplars) {
  prompb::TimeSeries* ts = req->add_timeseries();
  for (const auto& [n, v] : labels) {
    prompb::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  if (with_sample) {
    prompb::Sample* s = ts->add_samples();
    s->set_value(1);
    s->set_timestamp(BaseMs());
  }
  for (const Ex& x : exemplars) {
    prompb::Exemplar* e = ts->add_exemplars();
    for (const auto& [n, v] : x.labels) {
      prompb::Label* l = e->add_labels();
      l->set_name(n);
      l->set_value(v);
    }
    e->set_value(x.value);
    e->set_timestamp(BaseMs() + x.offset_ms);
  }
}

std::string Compress(const prompb::WriteRequest& req) {
  std::string raw = req.SerializeAsString(), out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

class ExemplarsApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string skip, error;
    peers_ = Peers::Get(&skip, &error, /*admin_api=*/false, /*exemplar_storage=*/true);
    if (!skip.empty()) {
      skip_ = skip;
      return;
    }
    if (peers_ == nullptr) {
      error_ = error;
      return;
    }
    // Two writes: the second repeats and reorders some exemplars of the first.
    prompb::WriteRequest first;
    const std::string long_value(130, 'x');
    AddSeries(&first,
              {{"__name__", "rpc_duration_seconds_bucket"}, {"le", "0.1"}, {"service", "api"}},
              true,
              {{{{"trace_id", "aaa"}}, 0.05, kMinute},
               {{{"trace_id", "bbb"}, {"span_id", "s1"}}, 0.07, 2 * kMinute},
               {{{"trace_id", "bbb"}, {"span_id", "s1"}}, 0.07, 2 * kMinute},  // duplicate
               {{{"trace_id", "old"}}, 0.01, 30'000},                          // out of order
               {{{"trace_id", long_value}}, 0.08, 3 * kMinute},                // too long
               {{{"trace_id", "ccc"}}, 1e-7, 4 * kMinute + 123}});
    AddSeries(&first,
              {{"__name__", "rpc_duration_seconds_bucket"}, {"le", "+Inf"}, {"service", "api"}},
              true, {{{{"trace_id", "ddd"}}, 12345678.5, 90'000}});
    AddSeries(&first,
              {{"__name__", "rpc_duration_seconds_bucket"}, {"le", "0.1"}, {"service", "web"}},
              true, {{{{"trace_id", "eee"}}, 0.02, 5 * kMinute}});
    AddSeries(&first, {{"__name__", "queue_depth"}, {"service", "api"}}, true,
              {{{{"trace_id", "fff"}, {"user", "ünïcödé"}}, 3, 6 * kMinute}});
    // Exemplars only: the series exists from the samples above.
    prompb::WriteRequest second;
    AddSeries(&second, {{"__name__", "queue_depth"}, {"service", "api"}}, false,
              {{{{"trace_id", "ggg"}}, 4, 7 * kMinute}, {{{"trace_id", "hhh"}}, 2, 6 * kMinute}});
    // Exemplars of a series neither server has: dropped.
    AddSeries(&second, {{"__name__", "never_written"}}, false, {{{{"trace_id", "zzz"}}, 1, 0}});
    for (const prompb::WriteRequest* req : {&first, &second}) {
      for (int port : {peers_->prometheus_port(), peers_->sundial_port()}) {
        std::string body;
        int status = RemoteWrite(port, Compress(*req), &body);
        if (status != 204) {
          error_ = "remote write to port " + std::to_string(port) + " answered " +
                   std::to_string(status) + ": " + body;
          return;
        }
      }
    }
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(error_.empty()) << error_;
  }

  // Same status and equal JSON.
  void ExpectSame(const Params& params, int want_status = 200) {
    SCOPED_TRACE("query_exemplars?" + Form(params));
    const std::string target = "/api/v1/query_exemplars?" + Form(params);
    HttpResult want = HttpRequest(peers_->prometheus_port(), "GET", target);
    HttpResult got = HttpRequest(peers_->sundial_port(), "GET", target);
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
    EXPECT_EQ(json::Diff(want_json, got_json, json::DiffOptions{}), "")
        << "Prometheus: " << want.body << "\nSundial:    " << got.body;
  }

  static inline Peers* peers_ = nullptr;
  static inline std::string skip_;
  static inline std::string error_;
};

TEST_F(ExemplarsApiTest, SelectorsAndTimeRanges) {
  const std::string all = At(-kMinute), end = At(10 * kMinute);
  ExpectSame({{"query", "rpc_duration_seconds_bucket"}, {"start", all}, {"end", end}});
  ExpectSame({{"query", "queue_depth"}, {"start", all}, {"end", end}});
  ExpectSame({{"query", R"({__name__=~"rpc.*|queue.*"})"}, {"start", all}, {"end", end}});
  ExpectSame({{"query", R"(rpc_duration_seconds_bucket{le="0.1", service!="web"})"},
              {"start", all},
              {"end", end}});
  // Several selectors: the union, each series once.
  ExpectSame({{"query",
               "sum(rate(rpc_duration_seconds_bucket[5m])) / queue_depth or "
               "queue_depth"},
              {"start", all},
              {"end", end}});
  // Selectors under a subquery, parentheses, a unary minus and a call's arguments.
  ExpectSame({{"query",
               "max_over_time((queue_depth)[10m:1m]) + "
               "-histogram_quantile(0.9, rpc_duration_seconds_bucket)"},
              {"start", all},
              {"end", end}});
  // Inclusive bounds and partial ranges of a series.
  ExpectSame({{"query", "rpc_duration_seconds_bucket"},
              {"start", At(2 * kMinute)},
              {"end", At(4 * kMinute + 123)}});
  ExpectSame({{"query", "queue_depth"}, {"start", At(6 * kMinute + 1)}, {"end", end}});
  // Nothing in range, and no such series.
  ExpectSame({{"query", "rpc_duration_seconds_bucket"},
              {"start", At(20 * kMinute)},
              {"end", At(21 * kMinute)}});
  ExpectSame({{"query", "never_written"}, {"start", all}, {"end", end}});
  // Default start and end (the whole time range); RFC 3339 times.
  ExpectSame({{"query", "queue_depth"}});
  ExpectSame({{"query", "queue_depth"}, {"start", "2000-01-01T00:00:00Z"}, {"end", end}});
}

TEST_F(ExemplarsApiTest, QueriesWithoutSelectorsAndErrors) {
  ExpectSame({{"query", "1 + 1"}, {"start", At(0)}, {"end", At(kMinute)}}, 204);
  ExpectSame({{"query", "rate(foo[5m]"}, {"start", At(0)}, {"end", At(kMinute)}}, 400);
  ExpectSame({{"query", "queue_depth"}, {"start", At(kMinute)}, {"end", At(0)}}, 400);
  ExpectSame({{"query", "queue_depth"}, {"start", "yesterday"}}, 400);
  ExpectSame({{"query", "queue_depth"}, {"end", "tomorrow"}}, 400);
}

}  // namespace
}  // namespace sundial::testing::api
