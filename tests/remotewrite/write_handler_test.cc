#include "remotewrite/write_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "remotewrite/payloads.h"
#include "remotewrite/prompb_v1.pb.h"
#include "remotewrite/writev2.pb.h"
#include "tsdb/head.h"

namespace sundial::remotewrite {
namespace {

using ::testing::ElementsAre;
using testing::EncodeV1;
using testing::EncodeV2;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kV1ContentType;
using testing::kV2ContentType;
using ::testing::Pair;
using testing::ReadHead;
using testing::Snappy;
using testing::TestSeries;
using ::testing::UnorderedElementsAre;

std::string HeaderOf(const WriteResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

const TestSeries kUp{{{"__name__", "up"}, {"instance", "a:9100"}, {"job", "node"}},
                     {{1000, 1}, {2000, 1}, {3000, 0}}};
const TestSeries kTemp{{{"__name__", "temp_celsius"}, {"room", "kitchen"}}, {{1000, 21.5}}};

class WriteHandlerTest : public ::testing::TestWithParam<bool> {  // true: 2.0
 protected:
  bool v2() const { return GetParam(); }
  std::string Encode(const std::vector<TestSeries>& series) const {
    return v2() ? EncodeV2(series) : EncodeV1(series);
  }
  WriteResponse Post(std::string_view compressed_body, const WriteOptions& options = {}) {
    return HandleWrite({.content_type = v2() ? kV2ContentType : kV1ContentType,
                        .content_encoding = "snappy",
                        .body = compressed_body},
                       &head_, options);
  }
  WriteResponse Write(const std::vector<TestSeries>& series) {
    return Post(Snappy(Encode(series)));
  }

  tsdb::Head head_;
};

TEST_P(WriteHandlerTest, ValidRequestIsWritten) {
  WriteResponse r = Write({kUp, kTemp});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.stats.series, 2u);
  EXPECT_EQ(r.stats.samples, 4u);
  EXPECT_EQ(r.stats.samples_written, 4u);
  EXPECT_THAT(ReadHead(head_),
              UnorderedElementsAre(Pair(R"({__name__="temp_celsius", room="kitchen"})",
                                        ElementsAre(Pair(1000, 21.5))),
                                   Pair(R"({__name__="up", instance="a:9100", job="node"})",
                                        ElementsAre(Pair(1000, 1), Pair(2000, 1), Pair(3000, 0)))));
  if (v2()) {
    EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Samples-Written"), "4");
    EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Histograms-Written"), "0");
    EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Exemplars-Written"), "0");
  } else {
    EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Samples-Written"), "<absent>");
  }
}

TEST_P(WriteHandlerTest, EmptyRequestIsAccepted) {
  WriteResponse r = Write({});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(head_.NumSeries(), 0u);
}

TEST_P(WriteHandlerTest, EmptyLabelValueIsDropped) {
  WriteResponse r = Write({{{{"__name__", "up"}, {"env", ""}, {"job", "x"}}, {{5, 1}}}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_THAT(ReadHead(head_),
              ElementsAre(Pair(R"({__name__="up", job="x"})", ElementsAre(Pair(5, 1)))));
}

struct InvalidCase {
  std::string name;
  TestSeries series;
  std::string message;
};

TEST_P(WriteHandlerTest, InvalidLabelsWriteNothing) {
  const std::vector<InvalidCase> cases = {
      {"unsorted",
       {{{"__name__", "up"}, {"job", "x"}, {"instance", "y"}}, {{1, 1}}},
       R"(label names not sorted: "instance" after "job")"},
      {"duplicate",
       {{{"__name__", "up"}, {"job", "x"}, {"job", "y"}}, {{1, 1}}},
       R"(duplicate label name "job")"},
      {"empty metric name", {{{"__name__", ""}, {"job", "x"}}, {{1, 1}}}, "missing metric name"},
      {"no metric name", {{{"job", "x"}}, {{1, 1}}}, "missing metric name"},
      {"empty label name", {{{"", "v"}, {"__name__", "up"}}, {{1, 1}}}, "empty label name"},
      {"bad utf8 name",
       {{{"__name__", "up"}, {"j\xff", "x"}}, {{1, 1}}},
       R"(label name "j\xff" is not valid UTF-8)"},
      {"bad utf8 value",
       {{{"__name__", "up"}, {"job", "\xc3("}}, {{1, 1}}},
       R"(value of label "job" is not valid UTF-8)"},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.name);
    // The valid series comes first: validation must precede appending.
    WriteResponse r = Write({kUp, c.series});
    EXPECT_EQ(r.status, 400);
    EXPECT_THAT(r.body, HasSubstr("invalid labels for series {"));
    EXPECT_THAT(r.body, HasSubstr(c.message));
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(head_.NumSeries(), 0u);
    EXPECT_THAT(ReadHead(head_), IsEmpty());
  }
}

TEST_P(WriteHandlerTest, NotSnappyIsBadRequest) {
  WriteResponse r = Post(Encode({kUp}) + "\xff\xff\xff\xff\xff\xff");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "snappy: corrupt input\n");
  EXPECT_EQ(head_.NumSeries(), 0u);
}

TEST_P(WriteHandlerTest, NotProtobufIsBadRequest) {
  WriteResponse r = Post(Snappy("\x0a\xff\xff\xff\xff\x0f garbage"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(v2() ? "cannot decode io.prometheus.write.v2.Request"
                                     : "cannot decode prometheus.WriteRequest"));
  EXPECT_EQ(head_.NumSeries(), 0u);
}

TEST_P(WriteHandlerTest, OutOfOrderSamplesKeepTheRest) {
  ASSERT_EQ(Write({kUp}).status, 204);
  const TestSeries up_again{kUp.labels, {{500, 7}, {2000, 9}, {4000, 1}}};  // old, duplicate, new
  WriteResponse r = Write({up_again, kTemp});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(
      r.body,
      HasSubstr(
          R"(out of order sample for series {__name__="up", instance="a:9100", job="node"} at timestamp 500)"));
  EXPECT_THAT(r.body, HasSubstr("(2 samples rejected, 2 written)"));
  EXPECT_EQ(r.stats.samples_written, 2u);
  EXPECT_EQ(r.stats.samples_rejected, 2u);
  if (v2()) {
    EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Samples-Written"), "2");
  }
  EXPECT_THAT(
      ReadHead(head_),
      UnorderedElementsAre(
          Pair(R"({__name__="temp_celsius", room="kitchen"})", ElementsAre(Pair(1000, 21.5))),
          Pair(R"({__name__="up", instance="a:9100", job="node"})",
               ElementsAre(Pair(1000, 1), Pair(2000, 1), Pair(3000, 0), Pair(4000, 1)))));
}

TEST_P(WriteHandlerTest, DuplicateSampleIsReported) {
  ASSERT_EQ(Write({kTemp}).status, 204);
  WriteResponse r = Write({{kTemp.labels, {{1000, 99}}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body,
              HasSubstr("duplicate sample for timestamp for series {__name__=\"temp_celsius\""));
  EXPECT_THAT(ReadHead(head_), ElementsAre(Pair(::testing::_, ElementsAre(Pair(1000, 21.5)))));
}

TEST_P(WriteHandlerTest, BodyLimits) {
  const std::string body = Snappy(Encode({kUp, kTemp}));
  WriteResponse r = Post(body, {.max_body_bytes = body.size() - 1});
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("exceeds the limit"));
  r = Post(body, {.max_decoded_bytes = 8});
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("decompressed body of"));
  EXPECT_EQ(head_.NumSeries(), 0u);
}

TEST_P(WriteHandlerTest, HighlyCompressibleBodyIsAccepted) {
  const std::string body =
      Snappy(Encode({{{{"__name__", "up"}, {"big", std::string(1 << 20, 'a')}}, {{1, 1}}}}));
  ASSERT_LT(body.size() * 20, size_t{1} << 20);
  WriteResponse r = Post(body);
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.stats.samples_written, 1u);
}

TEST_P(WriteHandlerTest, SnappyLengthLieIsRejectedWithoutAllocating) {
  // Declares 200 MiB (varint) but carries three bytes.
  WriteResponse r = Post(std::string("\x80\x80\x80\x64\x00\x61\x62", 7));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "snappy: corrupt input\n");
}

INSTANTIATE_TEST_SUITE_P(Protocols, WriteHandlerTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "V2" : "V1"; });

class NegotiationTest : public ::testing::Test {
 protected:
  WriteResponse Post(std::string_view content_type, std::string_view encoding,
                     std::string_view raw) {
    return HandleWrite({.content_type = content_type,
                        .content_encoding = encoding,
                        .body = Snappy(std::string(raw))},
                       &head_);
  }
  tsdb::Head head_;
};

TEST_F(NegotiationTest, ContentTypes) {
  const std::string v1 = EncodeV1({kTemp});
  EXPECT_EQ(Post("", "", v1).status, 204);  // no type, no encoding: 1.0 + snappy
  EXPECT_EQ(Post("Application/X-Protobuf; proto=prometheus.WriteRequest", "SNAPPY", v1).status,
            204);
  EXPECT_EQ(
      Post("application/x-protobuf; charset=x; proto=\"prometheus.WriteRequest\"", "snappy", v1)
          .status,
      204);
  WriteResponse r = Post("application/json", "snappy", v1);
  EXPECT_EQ(r.status, 415);
  EXPECT_THAT(r.body, HasSubstr("unsupported Content-Type \"application/json\""));
  r = Post("application/x-protobuf;proto=io.prometheus.write.v3.Request", "snappy", v1);
  EXPECT_EQ(r.status, 415);
  EXPECT_THAT(r.body, HasSubstr("unknown proto message"));
  r = Post("application/x-protobuf;proto", "snappy", v1);
  EXPECT_EQ(r.status, 415);
  r = Post(kV1ContentType, "gzip", v1);
  EXPECT_EQ(r.status, 415);
  EXPECT_THAT(r.body, HasSubstr("unsupported Content-Encoding \"gzip\""));
}

TEST_F(NegotiationTest, V1CountsExemplarsHistogramsAndMetadata) {
  prompb::WriteRequest req;
  prompb::TimeSeries* ts = req.add_timeseries();
  for (auto [n, v] : {std::pair{"__name__", "rpc_seconds_count"}, {"job", "api"}}) {
    prompb::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  prompb::Sample* s = ts->add_samples();
  s->set_timestamp(10);
  s->set_value(3);
  ts->add_exemplars()->set_value(0.2);
  ts->add_histograms()->set_count_int(4);
  req.add_metadata()->set_metric_family_name("rpc_seconds");
  WriteResponse r = Post(kV1ContentType, "snappy", req.SerializeAsString());
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.stats.exemplars, 1u);
  EXPECT_EQ(r.stats.histograms, 1u);
  EXPECT_EQ(r.stats.metadata, 1u);
  EXPECT_EQ(r.stats.samples_written, 1u);
}

// A 2.0 request with one valid series and one broken by `breaker`.
std::string V2WithBrokenSeries(void (*breaker)(writev2::Request*)) {
  writev2::Request req;
  req.ParseFromString(EncodeV2({kUp, kTemp}));
  breaker(&req);
  return req.SerializeAsString();
}

TEST_F(NegotiationTest, V2InvalidSymbolReferencesWriteNothing) {
  struct Case {
    const char* name;
    void (*breaker)(writev2::Request*);
    const char* message;
  };
  const Case cases[] = {
      {"label ref", [](writev2::Request* r) { r->mutable_timeseries(1)->set_labels_refs(3, 999); },
       "series 1: label symbol reference 999 is outside the symbols table"},
      {"odd refs", [](writev2::Request* r) { r->mutable_timeseries(1)->add_labels_refs(1); },
       "series 1: odd number of label references (5)"},
      {"exemplar ref",
       [](writev2::Request* r) { r->mutable_timeseries(1)->add_exemplars()->add_labels_refs(77); },
       "series 1: odd number of exemplar label references"},
      {"exemplar ref range",
       [](writev2::Request* r) {
         writev2::Exemplar* e = r->mutable_timeseries(1)->add_exemplars();
         e->add_labels_refs(1);
         e->add_labels_refs(77);
       },
       "series 1: exemplar label symbol reference 77"},
      {"metadata help",
       [](writev2::Request* r) { r->mutable_timeseries(1)->mutable_metadata()->set_help_ref(50); },
       "series 1: metadata help symbol reference 50"},
      {"metadata unit",
       [](writev2::Request* r) { r->mutable_timeseries(0)->mutable_metadata()->set_unit_ref(50); },
       "series 0: metadata unit symbol reference 50"},
      {"no symbols", [](writev2::Request* r) { r->clear_symbols(); },
       "series 0: label symbol reference"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WriteResponse r = Post(kV2ContentType, "snappy", V2WithBrokenSeries(c.breaker));
    EXPECT_EQ(r.status, 400);
    EXPECT_THAT(r.body, HasSubstr(c.message));
    EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Samples-Written"), "0");
    EXPECT_EQ(head_.NumSeries(), 0u);
  }
}

TEST_F(NegotiationTest, V2CountsMetadataExemplarsAndCreatedTimestamps) {
  writev2::Request req;
  req.ParseFromString(EncodeV2({kUp}));
  writev2::TimeSeries* ts = req.mutable_timeseries(0);
  ts->mutable_metadata()->set_type(2);
  ts->mutable_metadata()->set_help_ref(0);
  ts->set_created_timestamp(500);
  writev2::Exemplar* e = ts->add_exemplars();
  e->add_labels_refs(1);
  e->add_labels_refs(2);
  e->set_value(1);
  ts->add_histograms()->set_count_int(1);
  WriteResponse r = Post(kV2ContentType, "snappy", req.SerializeAsString());
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.stats.metadata, 1u);
  EXPECT_EQ(r.stats.exemplars, 1u);
  EXPECT_EQ(r.stats.histograms, 1u);
  EXPECT_EQ(r.stats.created_timestamps, 1u);
  EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Samples-Written"), "3");
  EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Exemplars-Written"), "1");
}

// An Appendable whose appenders fail in a chosen way.
class FailingAppendable : public tsdb::Appendable {
 public:
  explicit FailingAppendable(bool fail_commit) : fail_commit_(fail_commit) {}
  std::unique_ptr<tsdb::Appender> NewAppender() override {
    return std::make_unique<FailingAppender>(this);
  }
  bool fail_commit_;
  int rollbacks = 0;
  int commits = 0;

 private:
  class FailingAppender : public tsdb::Appender {
   public:
    explicit FailingAppender(FailingAppendable* parent) : parent_(parent) {}
    absl::Status Commit() override {
      ++parent_->commits;
      return parent_->fail_commit_ ? absl::DataLossError("wal: disk full") : absl::OkStatus();
    }
    void Rollback() override { ++parent_->rollbacks; }

   private:
    absl::StatusOr<tsdb::SeriesRef> AppendSample(tsdb::SeriesRef, const Labels&, tsdb::Timestamp,
                                                 double, const tsdb::AppendOptions&) override {
      if (parent_->fail_commit_) return 1;
      return absl::ResourceExhaustedError("series limit reached");
    }
    FailingAppendable* parent_;
  };
};

TEST(StorageErrorTest, AppendErrorIs500AndRollsBack) {
  FailingAppendable storage(/*fail_commit=*/false);
  WriteResponse r = HandleWrite(
      {.content_type = kV1ContentType, .content_encoding = "", .body = Snappy(EncodeV1({kUp}))},
      &storage);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "appending samples: series limit reached\n");
  EXPECT_EQ(storage.rollbacks, 1);
  EXPECT_EQ(storage.commits, 0);
}

TEST(StorageErrorTest, CommitErrorIs500) {
  FailingAppendable storage(/*fail_commit=*/true);
  WriteResponse r = HandleWrite(
      {.content_type = kV2ContentType, .content_encoding = "", .body = Snappy(EncodeV2({kUp}))},
      &storage);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "committing samples: wal: disk full\n");
  EXPECT_EQ(HeaderOf(r, "X-Prometheus-Remote-Write-Samples-Written"), "0");
}

}  // namespace
}  // namespace sundial::remotewrite
