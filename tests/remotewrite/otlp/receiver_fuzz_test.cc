// Throws random bytes, truncated and bit-flipped valid bodies (protobuf, JSON, gzip) at
// HandleOtlp: every one must get 200, 400 or 413 (never 5xx, never a crash or a sanitizer
// report), and a 400/413 must write nothing.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "remotewrite/otlp/otlp_payloads.h"
#include "remotewrite/otlp/receiver.h"
#include "tsdb/head.h"

namespace sundial::remotewrite::otlp {
namespace {

std::string ValidJson() {
  std::vector<std::string> metrics;
  for (int i = 0; i < 5; ++i) {
    std::string n = std::to_string(i);
    metrics.push_back(testing::Gauge("g" + n, "s", R"("k.x": "v)" + n + "\"", i));
    metrics.push_back(testing::Sum("c" + n, "By", true, 2, R"("a": "b")", i));
    metrics.push_back(
        testing::Histogram("h" + n, "ms", 2, R"("route": "/r")", {1, 2.5}, {1, 2, 3}, 9));
    metrics.push_back(testing::Summary("s" + n, "", "", 3, 4, {{0.5, 1}, {0.9, 2}}));
  }
  return testing::Resource(R"("service.name": "fuzz", "host.name": "h")", testing::Join(metrics));
}

struct Kind {
  std::string_view content_type;
  bool gzip;
};

class FuzzTest : public ::testing::TestWithParam<int> {
 protected:
  Kind kind() const {
    switch (GetParam()) {
      case 0:
        return {"application/x-protobuf", false};
      case 1:
        return {"application/json", false};
      case 2:
        return {"application/x-protobuf", true};
      default:
        return {"application/json", true};
    }
  }
  std::string Valid() const {
    std::string body = ValidJson();
    if (kind().content_type == "application/x-protobuf") body = testing::JsonToProtobuf(body);
    return kind().gzip ? testing::Gzip(body) : body;
  }
  // Posts to the test's head (one for all posts: a head each is slow under ASan); checks the
  // status class and that a rejection added no series.
  void Check(const std::string& body) {
    const size_t series_before = head_.NumSeries();
    OtlpResponse r = HandleOtlp({.content_type = kind().content_type,
                                 .content_encoding = kind().gzip ? "gzip" : "",
                                 .body = body},
                                &head_, {.max_decoded_bytes = 1 << 20});
    ASSERT_TRUE(r.status == 200 || r.status == 400 || r.status == 413) << r.status << " " << r.body;
    if (r.status != 200 && r.stats.samples_rejected == 0) {
      EXPECT_EQ(head_.NumSeries(), series_before) << r.body;
      EXPECT_FALSE(r.body.empty());
    }
  }
  tsdb::Head head_;
  std::mt19937 rng_{20261121};
};

TEST_P(FuzzTest, RandomBytes) {
  for (int i = 0; i < 400; ++i) {
    std::string junk(rng_() % 300, '\0');
    for (char& c : junk) c = static_cast<char>(rng_());
    Check(junk);
    if (kind().gzip) Check(testing::Gzip(junk));
  }
}

TEST_P(FuzzTest, Truncated) {
  const std::string valid = Valid();
  Check(valid);
  for (size_t n = 0; n < valid.size(); n += 1 + valid.size() / 200) Check(valid.substr(0, n));
}

TEST_P(FuzzTest, BitFlips) {
  const std::string valid = Valid();
  for (int i = 0; i < 600; ++i) {
    std::string body = valid;
    int flips = 1 + static_cast<int>(rng_() % 4);
    for (int f = 0; f < flips; ++f)
      body[rng_() % body.size()] ^= static_cast<char>(1 << (rng_() % 8));
    Check(body);
  }
}

std::string KindName(const ::testing::TestParamInfo<int>& info) {
  constexpr const char* kNames[] = {"Protobuf", "Json", "GzipProtobuf", "GzipJson"};
  return kNames[info.param];
}

INSTANTIATE_TEST_SUITE_P(Kinds, FuzzTest, ::testing::Range(0, 4), KindName);

}  // namespace
}  // namespace sundial::remotewrite::otlp
