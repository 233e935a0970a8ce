// Exemplars of OTLP data points reach the head's exemplar storage as Prometheus' OTLP
// translator makes them: sums on their series, histograms on the first bucket whose bound holds
// the value, trace_id/span_id in hex, filtered attributes unless too long; gauges' dropped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/str_cat.h"
#include "remotewrite/otlp/metrics.pb.h"
#include "remotewrite/otlp/otlp_payloads.h"
#include "remotewrite/otlp/receiver.h"
#include "remotewrite/payloads.h"
#include "tsdb/exemplars/circular_storage.h"
#include "tsdb/head.h"

namespace sundial::remotewrite::otlp {
namespace {

namespace pb = ::sundial::otlp;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kT0Ms;

constexpr uint64_t kT0 = 1700000000000000000;
const std::string kTraceId("\x0a\xf7\x65\x19\x16\xcd\x43\xdd\x84\x48\xeb\x21\x1c\x80\x31\x9c", 16);
const std::string kSpanId("\xb7\xad\x6b\x71\x69\x20\x33\x31", 8);

void AddExemplar(google::protobuf::RepeatedPtrField<pb::Exemplar>* exemplars, double value,
                 uint64_t t_ns, const std::string& trace_id, const std::string& span_id,
                 std::vector<std::pair<std::string, std::string>> attributes = {}) {
  pb::Exemplar* e = exemplars->Add();
  e->set_as_double(value);
  e->set_time_unix_nano(t_ns);
  e->set_trace_id(trace_id);
  e->set_span_id(span_id);
  for (const auto& [k, v] : attributes) {
    pb::KeyValue* kv = e->add_filtered_attributes();
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
  }
}

class OtlpExemplarsTest : public ::testing::Test {
 protected:
  OtlpExemplarsTest() {
    tsdb::HeadOptions o;
    o.exemplars = &store_;
    head_ = std::make_unique<tsdb::Head>(o);
    pb::ResourceMetrics* rm = request_.add_resource_metrics();
    pb::KeyValue* service = rm->mutable_resource()->add_attributes();
    service->set_key("service.name");
    service->mutable_value()->set_string_value("api");
    scope_ = rm->add_scope_metrics();
  }

  pb::Metric* AddMetric(const std::string& name) {
    pb::Metric* m = scope_->add_metrics();
    m->set_name(name);
    return m;
  }

  OtlpResponse Post() {
    return HandleOtlp({.content_type = "application/x-protobuf",
                       .content_encoding = "",
                       .body = request_.SerializeAsString()},
                      head_.get());
  }

  std::vector<std::string> Stored() const {
    return remotewrite::testing::StoredExemplars(store_,
                                                 *Matcher::Create(MatchType::kEqual, "job", "api"));
  }

  pb::ExportMetricsServiceRequest request_;
  pb::ScopeMetrics* scope_ = nullptr;
  tsdb::CircularExemplarStorage store_{100};
  std::unique_ptr<tsdb::Head> head_;
};

TEST_F(OtlpExemplarsTest, SumExemplarsGoWithTheirSeries) {
  pb::Sum* sum = AddMetric("requests")->mutable_sum();
  sum->set_is_monotonic(true);
  sum->set_aggregation_temporality(pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  pb::NumberDataPoint* p = sum->add_data_points();
  p->set_time_unix_nano(kT0);
  p->set_as_int(42);
  AddExemplar(p->mutable_exemplars(), 1, kT0 - 1000000, kTraceId, kSpanId, {{"http.route", "/x"}});
  pb::Exemplar* as_int = p->add_exemplars();  // an integer value, no ids
  as_int->set_as_int(7);
  as_int->set_time_unix_nano(kT0);

  OtlpResponse r = Post();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.stats.exemplars, 2u);
  EXPECT_EQ(r.stats.exemplars_written, 2u);
  EXPECT_THAT(
      Stored(),
      ElementsAre(
          StrCat(R"({__name__="requests_total", job="api"} {http.route="/x", )",
                 R"(span_id="b7ad6b7169203331", trace_id="0af7651916cd43dd8448eb211c80319c"} 1@)",
                 kT0Ms - 1),
          StrCat(R"({__name__="requests_total", job="api"} {} 7@)", kT0Ms)));
}

TEST_F(OtlpExemplarsTest, HistogramExemplarsGoToTheFirstBucketHoldingTheirValue) {
  pb::Histogram* h = AddMetric("latency")->mutable_histogram();
  h->set_aggregation_temporality(pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  pb::HistogramDataPoint* p = h->add_data_points();
  p->set_time_unix_nano(kT0);
  p->set_count(6);
  for (double b : {0.1, 1.0}) p->add_explicit_bounds(b);
  for (uint64_t c : {2, 3, 1}) p->add_bucket_counts(c);
  AddExemplar(p->mutable_exemplars(), 0.1, kT0, "\x01", "");  // on a bound: that bucket
  AddExemplar(p->mutable_exemplars(), 0.5, kT0, "\x02", "");
  AddExemplar(p->mutable_exemplars(), 30, kT0, "\x03", "");  // above every bound: +Inf

  OtlpResponse r = Post();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.stats.exemplars_written, 3u);
  const std::string t = StrCat("@", kT0Ms);
  EXPECT_THAT(
      Stored(),
      ElementsAre(R"({__name__="latency_bucket", job="api", le="+Inf"} {trace_id="03"} 30)" + t,
                  R"({__name__="latency_bucket", job="api", le="0.1"} {trace_id="01"} 0.1)" + t,
                  R"({__name__="latency_bucket", job="api", le="1"} {trace_id="02"} 0.5)" + t));
}

TEST_F(OtlpExemplarsTest, LongAttributesAreLeftOutAndGaugesCarryNone) {
  pb::Sum* sum = AddMetric("requests")->mutable_sum();
  sum->set_is_monotonic(true);
  sum->set_aggregation_temporality(pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  pb::NumberDataPoint* p = sum->add_data_points();
  p->set_time_unix_nano(kT0);
  p->set_as_double(1);
  // trace_id + span_id take 63 characters; 66 more would pass 128.
  AddExemplar(p->mutable_exemplars(), 1, kT0, kTraceId, kSpanId, {{"user", std::string(62, 'u')}});
  pb::NumberDataPoint* g = AddMetric("temperature")->mutable_gauge()->add_data_points();
  g->set_time_unix_nano(kT0);
  g->set_as_double(20);
  AddExemplar(g->mutable_exemplars(), 20, kT0, kTraceId, kSpanId);

  OtlpResponse r = Post();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.stats.exemplars, 1u);
  EXPECT_THAT(Stored(),
              ElementsAre(StrCat(
                  R"({__name__="requests_total", job="api"} )",
                  R"({span_id="b7ad6b7169203331", trace_id="0af7651916cd43dd8448eb211c80319c"} 1@)",
                  kT0Ms)));
}

TEST_F(OtlpExemplarsTest, WithoutExemplarStorageSamplesStillCount) {
  tsdb::Head plain;
  pb::Sum* sum = AddMetric("requests")->mutable_sum();
  sum->set_is_monotonic(true);
  sum->set_aggregation_temporality(pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  pb::NumberDataPoint* p = sum->add_data_points();
  p->set_time_unix_nano(kT0);
  p->set_as_double(1);
  AddExemplar(p->mutable_exemplars(), 1, kT0, kTraceId, kSpanId);
  OtlpResponse r = HandleOtlp({.content_type = "application/x-protobuf",
                               .content_encoding = "",
                               .body = request_.SerializeAsString()},
                              &plain);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.stats.samples_written, 1u);
  EXPECT_THAT(Stored(), IsEmpty());
}

}  // namespace
}  // namespace sundial::remotewrite::otlp
