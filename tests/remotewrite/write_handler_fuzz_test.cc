// Throws random bytes, truncated and bit-flipped valid payloads at HandleWrite: it must answer
// every one with a client error or success (never 5xx, never a crash), and a rejected request
// must write nothing.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "remotewrite/payloads.h"
#include "remotewrite/prompb_v1.pb.h"
#include "remotewrite/write_handler.h"
#include "tsdb/head.h"

namespace sundial::remotewrite {
namespace {

using testing::kV1ContentType;
using testing::kV2ContentType;
using testing::Snappy;
using testing::TestSeries;

std::vector<TestSeries> SomeSeries() {
  std::vector<TestSeries> series;
  for (int i = 0; i < 20; ++i) {
    series.push_back({{{"__name__", "m" + std::to_string(i % 3)},
                       {"instance", "host-" + std::to_string(i)},
                       {"job", "fuzz"}},
                      {{1000, i * 1.5}, {2000, i * 2.5}}});
  }
  return series;
}

class FuzzTest : public ::testing::TestWithParam<bool> {  // true: 2.0
 protected:
  std::string_view content_type() const { return GetParam() ? kV2ContentType : kV1ContentType; }
  std::string Valid() const {
    return GetParam() ? testing::EncodeV2(SomeSeries()) : testing::EncodeV1(SomeSeries());
  }
  // Posts to the test's head; checks the status class and that a rejection added no series.
  // (One head for all posts: a head per post made this test take minutes under ASan.)
  void Check(const std::string& body) {
    const size_t series_before = head_.NumSeries();
    WriteResponse r = HandleWrite(
        {.content_type = content_type(), .content_encoding = "snappy", .body = body}, &head_);
    ASSERT_TRUE(r.status == 204 || r.status == 400 || r.status == 413) << r.status << " " << r.body;
    // Sample rejections (a flipped timestamp going backwards) keep the rest of the request.
    if (r.status != 204 && r.stats.samples_rejected == 0) {
      EXPECT_EQ(head_.NumSeries(), series_before) << r.body;
      EXPECT_FALSE(r.body.empty());
    }
  }
  tsdb::Head head_;
  std::mt19937 rng_{20261121};
};

TEST_P(FuzzTest, RandomBytes) {
  for (int i = 0; i < 1000; ++i) {
    std::string junk(rng_() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(rng_());
    Check(junk);          // not snappy (mostly)
    Check(Snappy(junk));  // snappy, not protobuf (mostly)
  }
}

TEST_P(FuzzTest, TruncatedPayloads) {
  const std::string raw = Valid();
  const std::string compressed = Snappy(raw);
  for (size_t n = 0; n < raw.size(); n += 7) Check(Snappy(raw.substr(0, n)));
  for (size_t n = 0; n < compressed.size(); ++n) Check(compressed.substr(0, n));
}

TEST_P(FuzzTest, BitFlippedPayloads) {
  const std::string raw = Valid();
  for (int i = 0; i < 3000; ++i) {
    std::string mutated = raw;
    for (int flips = 1 + rng_() % 4; flips > 0; --flips) {
      mutated[rng_() % mutated.size()] ^= static_cast<char>(1u << (rng_() % 8));
    }
    Check(Snappy(mutated));
  }
  const std::string compressed = Snappy(raw);
  for (int i = 0; i < 1000; ++i) {
    std::string mutated = compressed;
    mutated[rng_() % mutated.size()] ^= static_cast<char>(1u << (rng_() % 8));
    Check(mutated);
  }
}

// The 1.0 decoder walks the wire format itself: it must call a body malformed exactly when
// protobuf's parser does.
TEST(V1DecodingTest, AgreesWithProtobufOnMangledPayloads) {
  std::vector<TestSeries> series = SomeSeries();
  prompb::WriteRequest valid;
  valid.ParseFromString(testing::EncodeV1(series));
  prompb::Exemplar* e = valid.mutable_timeseries(0)->add_exemplars();
  e->add_labels()->set_name("trace_id");
  e->set_value(1);
  prompb::Histogram* h = valid.mutable_timeseries(1)->add_histograms();
  h->add_positive_spans()->set_length(2);
  h->add_positive_deltas(-3);
  h->add_positive_deltas(300);
  h->add_negative_counts(1.5);
  valid.add_metadata()->set_help("help");
  const std::string raw = valid.SerializeAsString();
  std::mt19937 rng(7);
  int malformed = 0;
  tsdb::Head head;
  for (int i = 0; i < 4000; ++i) {
    std::string mutated = raw;
    if (i % 2 == 0) {
      for (int flips = 1 + rng() % 3; flips > 0; --flips) {
        mutated[rng() % mutated.size()] ^= static_cast<char>(1u << (rng() % 8));
      }
    } else {
      mutated[rng() % mutated.size()] = static_cast<char>(rng());
    }
    prompb::WriteRequest parsed;
    const bool parses = parsed.ParseFromString(mutated);
    malformed += !parses;
    WriteResponse r = HandleWrite(
        {.content_type = kV1ContentType, .content_encoding = "snappy", .body = Snappy(mutated)},
        &head);
    EXPECT_EQ(r.body.starts_with("cannot decode"), !parses)
        << i << " " << r.status << " " << r.body;
  }
  EXPECT_GT(malformed, 200);  // the mutations do reach the error paths
}

INSTANTIATE_TEST_SUITE_P(Protocols, FuzzTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "V2" : "V1"; });

}  // namespace
}  // namespace sundial::remotewrite
