// Exemplars received by remote write 1.0 and 2.0 reach the head's exemplar storage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "remotewrite/payloads.h"
#include "remotewrite/prompb_v1.pb.h"
#include "remotewrite/write_handler.h"
#include "remotewrite/writev2.pb.h"
#include "tsdb/exemplars/circular_storage.h"
#include "tsdb/head.h"

namespace sundial::remotewrite {
namespace {

using ::testing::ElementsAre;
using testing::EncodeV1;
using testing::EncodeV2;
using ::testing::HasSubstr;
using testing::kV1ContentType;
using testing::kV2ContentType;
using testing::Snappy;
using testing::TestSeries;

const TestSeries kBucket{{{"__name__", "rpc_seconds_bucket"}, {"le", "0.5"}},
                         {{1000, 3}, {2000, 4}}};

std::string HeaderOf(const WriteResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

class WriteExemplarsTest : public ::testing::Test {
 protected:
  WriteExemplarsTest() {
    tsdb::HeadOptions o;
    o.exemplars = &store_;
    head_ = std::make_unique<tsdb::Head>(o);
  }

  // Series kBucket with exemplars (trace id, ts) added to its samples.
  WriteResponse PostV1(std::vector<std::pair<std::string, int64_t>> exemplars) {
    prompb::WriteRequest req;
    req.ParseFromString(EncodeV1({kBucket}));
    if (posted_++ > 0) req.mutable_timeseries(0)->clear_samples();  // resent: out of order
    for (const auto& [trace, ts] : exemplars) {
      prompb::Exemplar* e = req.mutable_timeseries(0)->add_exemplars();
      prompb::Label* l = e->add_labels();
      l->set_name("trace_id");
      l->set_value(trace);
      e->set_value(0.3);
      e->set_timestamp(ts);
    }
    return HandleWrite({.content_type = kV1ContentType,
                        .content_encoding = "snappy",
                        .body = Snappy(req.SerializeAsString())},
                       head_.get());
  }

  WriteResponse PostV2(std::vector<std::pair<std::string, int64_t>> exemplars) {
    writev2::Request req;
    req.ParseFromString(EncodeV2({kBucket}));
    if (posted_++ > 0) req.mutable_timeseries(0)->clear_samples();
    for (const auto& [trace, ts] : exemplars) {
      const uint32_t name_ref = req.symbols_size();
      req.add_symbols("trace_id");
      req.add_symbols(trace);
      writev2::Exemplar* e = req.mutable_timeseries(0)->add_exemplars();
      e->add_labels_refs(name_ref);
      e->add_labels_refs(name_ref + 1);
      e->set_value(0.3);
      e->set_timestamp(ts);
    }
    return HandleWrite({.content_type = kV2ContentType,
                        .content_encoding = "snappy",
                        .body = Snappy(req.SerializeAsString())},
                       head_.get());
  }

  std::vector<std::string> Stored() const {
    return testing::StoredExemplars(store_, *Matcher::Create(MatchType::kEqual, "le", "0.5"));
  }

  int posted_ = 0;
  tsdb::CircularExemplarStorage store_{100};
  std::unique_ptr<tsdb::Head> head_;
};

TEST_F(WriteExemplarsTest, V1StoresExemplarsAndNeverFailsOnThem) {
  WriteResponse r = PostV1({{"a", 1000}, {"b", 2000}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.stats.exemplars_written, 2u);
  EXPECT_THAT(Stored(),
              ElementsAre(R"({__name__="rpc_seconds_bucket", le="0.5"} {trace_id="a"} 0.3@1000)",
                          R"({__name__="rpc_seconds_bucket", le="0.5"} {trace_id="b"} 0.3@2000)"));
  // Out of order: dropped, the request still succeeds.
  r = PostV1({{"old", 500}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.stats.exemplars_written, 0u);
  EXPECT_EQ(Stored().size(), 2u);
}

TEST_F(WriteExemplarsTest, V2CountsWrittenExemplarsAndRejectsOutOfOrderOnes) {
  WriteResponse r = PostV2({{"a", 1000}, {"b", 2000}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Exemplars-Written"), "2");
  EXPECT_EQ(Stored().size(), 2u);
  // A duplicate of the newest counts as written and is not stored twice; an older one fails
  // the request with 400 while the rest is kept.
  r = PostV2({{"b", 2000}, {"old", 1500}, {"c", 3000}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("out of order exemplar for series "
                                R"({__name__="rpc_seconds_bucket", le="0.5"})"));
  EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Exemplars-Written"), "2");
  EXPECT_EQ(Stored().size(), 3u);
}

TEST_F(WriteExemplarsTest, ExemplarsWithoutSamplesFindTheirSeries) {
  ASSERT_EQ(PostV1({}).status, 204);
  writev2::Request req;
  req.add_symbols("");
  for (const char* s : {"__name__", "rpc_seconds_bucket", "le", "0.5", "trace_id", "x"}) {
    req.add_symbols(s);
  }
  writev2::TimeSeries* ts = req.add_timeseries();
  for (uint32_t ref : {1, 2, 3, 4}) ts->add_labels_refs(ref);
  writev2::Exemplar* e = ts->add_exemplars();
  e->add_labels_refs(5);
  e->add_labels_refs(6);
  e->set_value(1);
  e->set_timestamp(5000);
  WriteResponse r = HandleWrite({.content_type = kV2ContentType,
                                 .content_encoding = "snappy",
                                 .body = Snappy(req.SerializeAsString())},
                                head_.get());
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Exemplars-Written"), "1");
  EXPECT_THAT(Stored(),
              ElementsAre(R"({__name__="rpc_seconds_bucket", le="0.5"} {trace_id="x"} 1@5000)"));
}

}  // namespace
}  // namespace sundial::remotewrite
