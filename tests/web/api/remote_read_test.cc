// POST /api/v1/read over an in-memory head on a real web::Server: both response types decoded
// with our own frame reader and XOR decoder, external labels, limits and error answers.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/crc32c.h"
#include "base/str_cat.h"
#include "snappy.h"
#include "tsdb/head.h"
#include "tsdb/xor_chunk.h"
#include "web/api/api.h"
#include "web/api/api_fixture.h"
#include "web/api/remote_read.pb.h"

namespace sundial::web::api {
namespace {

namespace pb = ::sundial::web::api::prompb;
using web::testing::Fetch;
using web::testing::TestResponse;

using Samples = std::vector<std::pair<int64_t, double>>;

// One decoded series: labels as "name=value,..." and its samples.
struct DecodedSeries {
  std::string labels;
  Samples samples;
  int chunks = 0;
  bool operator==(const DecodedSeries&) const = default;
};

template <typename LabelList>
std::string LabelText(const LabelList& labels) {
  std::string out;
  for (const auto& l : labels) StrAppend(&out, out.empty() ? "" : ",", l.name(), "=", l.value());
  return out;
}

// Splits a streamed body into frames, checking each CRC; false on a malformed stream.
bool DecodeFrames(std::string_view body, std::vector<pb::ChunkedReadResponse>* out) {
  while (!body.empty()) {
    uint64_t size = 0;
    int shift = 0;
    size_t i = 0;
    for (;; ++i) {
      if (i >= body.size() || shift > 63) return false;
      uint8_t b = static_cast<uint8_t>(body[i]);
      size |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    body.remove_prefix(i + 1);
    if (body.size() < 4 + size) return false;
    uint32_t crc = 0;
    for (int k = 0; k < 4; ++k) crc = crc << 8 | static_cast<uint8_t>(body[k]);
    std::string_view msg = body.substr(4, size);
    if (Crc32c(msg) != crc) return false;
    if (!out->emplace_back().ParseFromArray(msg.data(), static_cast<int>(msg.size()))) return false;
    body.remove_prefix(4 + size);
  }
  return true;
}

class RemoteReadTest : public web::testing::ApiFixture {
 protected:
  void SetUp() override {
    std::unique_ptr<tsdb::Appender> app = head_.NewAppender();
    // 300 samples one second apart for a.
    for (int64_t i = 0; i < 300; ++i) {
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "a"}, {"job", "x"}}, 1000 * i,
                              static_cast<double>(i) * 1.5)
                      .ok());
    }
    for (int64_t i = 0; i < 10; ++i) {
      ASSERT_TRUE(app->Append(0, Labels{{"__name__", "b"}, {"job", "y"}, {"zone", "z1"}},
                              1000 * i + 500, -static_cast<double>(i))
                      .ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  void Start(RemoteReadOptions limits = {}, std::map<std::string, std::string> external = {}) {
    ApiOptions options;
    options.storage = &head_;
    options.max_concurrency = 2;
    options.remote_read = limits;
    options.external_labels = [external] { return external; };
    StartApi(std::move(options));
  }

  static pb::Query* AddQuery(
      pb::ReadRequest* r, int64_t start, int64_t end,
      std::vector<std::tuple<pb::LabelMatcher::Type, std::string, std::string>> matchers) {
    pb::Query* q = r->add_queries();
    q->set_start_timestamp_ms(start);
    q->set_end_timestamp_ms(end);
    for (auto& [type, name, value] : matchers) {
      pb::LabelMatcher* m = q->add_matchers();
      m->set_type(type);
      m->set_name(name);
      m->set_value(value);
    }
    return q;
  }

  TestResponse Read(const pb::ReadRequest& r) {
    std::string raw = r.SerializeAsString();
    std::string body;
    snappy::Compress(raw.data(), raw.size(), &body);
    std::optional<TestResponse> resp =
        Fetch(port_, "POST", "/api/v1/read",
              "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
              "Accept-Encoding: gzip\r\n",
              body);
    return resp.value_or(TestResponse{});
  }

  // The SAMPLES answer, per query.
  std::vector<std::vector<DecodedSeries>> ReadSamples(const pb::ReadRequest& r) {
    TestResponse resp = Read(r);
    EXPECT_EQ(resp.status, 200) << resp.body;
    EXPECT_EQ(resp.Header("content-type"), "application/x-protobuf");
    EXPECT_EQ(resp.Header("content-encoding"), "snappy");
    std::string raw;
    EXPECT_TRUE(snappy::Uncompress(resp.body.data(), resp.body.size(), &raw));
    pb::ReadResponse decoded;
    EXPECT_TRUE(decoded.ParseFromString(raw));
    std::vector<std::vector<DecodedSeries>> out;
    for (const pb::QueryResult& result : decoded.results()) {
      std::vector<DecodedSeries>& series = out.emplace_back();
      for (const auto& ts : result.timeseries()) {
        DecodedSeries s{LabelText(ts.labels()), {}, 0};
        for (const auto& sample : ts.samples())
          s.samples.emplace_back(sample.timestamp(), sample.value());
        series.push_back(std::move(s));
      }
    }
    return out;
  }

  // The STREAMED_XOR_CHUNKS answer as (query index, series) per frame, chunks decoded.
  std::vector<std::pair<int64_t, DecodedSeries>> ReadStreamed(const pb::ReadRequest& r) {
    TestResponse resp = Read(r);
    EXPECT_EQ(resp.status, 200) << resp.body;
    EXPECT_EQ(resp.Header("content-type"),
              "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
    EXPECT_EQ(resp.Header("content-encoding"), "");
    std::vector<pb::ChunkedReadResponse> frames;
    EXPECT_TRUE(DecodeFrames(resp.body, &frames));
    std::vector<std::pair<int64_t, DecodedSeries>> out;
    for (const pb::ChunkedReadResponse& f : frames) {
      EXPECT_EQ(f.chunked_series_size(), 1);
      for (const pb::ChunkedSeries& cs : f.chunked_series()) {
        DecodedSeries s{LabelText(cs.labels()), {}, cs.chunks_size()};
        for (const pb::Chunk& c : cs.chunks()) {
          EXPECT_EQ(c.type(), pb::Chunk::XOR);
          tsdb::XorIterator it(c.data());
          int n = 0;
          while (it.Next() == tsdb::ValueType::kFloat) {
            auto [t, v] = it.At();
            if (n++ == 0) {
              EXPECT_EQ(t, c.min_time_ms());
            }
            EXPECT_LE(t, c.max_time_ms());
            s.samples.emplace_back(t, v);
          }
          EXPECT_TRUE(it.Err().ok());
          EXPECT_LE(n, 120);
          EXPECT_EQ(s.samples.back().first, c.max_time_ms());
        }
        out.emplace_back(f.query_index(), std::move(s));
      }
    }
    return out;
  }

  tsdb::Head head_;
};

Samples ASamples(int64_t from, int64_t to) {
  Samples out;
  for (int64_t i = from; i <= to; ++i) out.emplace_back(1000 * i, static_cast<double>(i) * 1.5);
  return out;
}

TEST_F(RemoteReadTest, SamplesPerQueryWithExternalLabels) {
  Start({}, {{"cluster", "eu"}, {"job", "ext"}});
  pb::ReadRequest r;
  AddQuery(&r, 10'000, 12'000, {{pb::LabelMatcher::EQ, "__name__", "a"}});
  // cluster="eu" is an external label: it matches series without the label.
  AddQuery(&r, 0, 2'000,
           {{pb::LabelMatcher::RE, "__name__", "a|b"}, {pb::LabelMatcher::EQ, "cluster", "eu"}});
  AddQuery(&r, 0, 1'000'000, {{pb::LabelMatcher::EQ, "__name__", "none"}});
  std::vector<std::vector<DecodedSeries>> got = ReadSamples(r);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0],
            (std::vector<DecodedSeries>{{"__name__=a,cluster=eu,job=x", ASamples(10, 12), 0}}));
  EXPECT_EQ(got[1], (std::vector<DecodedSeries>{
                        {"__name__=a,cluster=eu,job=x", ASamples(0, 2), 0},
                        {"__name__=b,cluster=eu,job=y,zone=z1", {{500, -0.0}, {1500, -1}}, 0}}));
  EXPECT_TRUE(got[2].empty());
}

TEST_F(RemoteReadTest, StreamedChunksOfAtMost120Samples) {
  Start();
  pb::ReadRequest r;
  r.add_accepted_response_types(pb::ReadRequest::STREAMED_XOR_CHUNKS);
  r.add_accepted_response_types(pb::ReadRequest::SAMPLES);
  AddQuery(&r, 0, 299'000, {{pb::LabelMatcher::EQ, "__name__", "a"}});
  AddQuery(&r, 1'000, 4'000, {{pb::LabelMatcher::NEQ, "job", "x"}});
  auto got = ReadStreamed(r);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, 0);
  EXPECT_EQ(got[0].second, (DecodedSeries{"__name__=a,job=x", ASamples(0, 299), 3}));
  EXPECT_EQ(got[1].first, 1);
  EXPECT_EQ(got[1].second,
            (DecodedSeries{"__name__=b,job=y,zone=z1", {{1500, -1}, {2500, -2}, {3500, -3}}, 1}));
}

TEST_F(RemoteReadTest, SmallFramesSplitASeries) {
  Start({.sample_limit = 0, .concurrent_limit = 1, .max_bytes_in_frame = 64});
  pb::ReadRequest r;
  r.add_accepted_response_types(pb::ReadRequest::STREAMED_XOR_CHUNKS);
  AddQuery(&r, 0, 299'000, {{pb::LabelMatcher::EQ, "__name__", "a"}});
  auto got = ReadStreamed(r);
  // Every chunk is larger than the frame: one chunk per frame, the series repeated in each.
  ASSERT_EQ(got.size(), 3u);
  Samples all;
  for (auto& [index, s] : got) {
    EXPECT_EQ(index, 0);
    EXPECT_EQ(s.labels, "__name__=a,job=x");
    EXPECT_EQ(s.chunks, 1);
    all.insert(all.end(), s.samples.begin(), s.samples.end());
  }
  EXPECT_EQ(all, ASamples(0, 299));
}

TEST_F(RemoteReadTest, ErrorsAsPrometheus) {
  Start({.sample_limit = 100, .concurrent_limit = 10, .max_bytes_in_frame = 1 << 20});
  pb::ReadRequest r;
  AddQuery(&r, 0, 299'000, {{pb::LabelMatcher::EQ, "__name__", "a"}});
  TestResponse resp = Read(r);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.body, "exceeded sample limit (100)\n");
  // The limit does not apply to streamed responses.
  r.add_accepted_response_types(pb::ReadRequest::STREAMED_XOR_CHUNKS);
  EXPECT_EQ(ReadStreamed(r).size(), 1u);

  pb::ReadRequest unsupported;
  unsupported.add_accepted_response_types(static_cast<pb::ReadRequest::ResponseType>(7));
  resp = Read(unsupported);
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.body.rfind("server does not support any of the requested response types", 0), 0u)
      << resp.body;

  pb::ReadRequest bad_regex;
  AddQuery(&bad_regex, 0, 1, {{pb::LabelMatcher::RE, "job", "("}});
  resp = Read(bad_regex);
  EXPECT_EQ(resp.status, 500);

  std::optional<TestResponse> corrupt =
      Fetch(port_, "POST", "/api/v1/read", "Content-Type: application/x-protobuf\r\n", "\xff\xff");
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->status, 400);
  EXPECT_EQ(corrupt->body, "snappy: corrupt input\n");
}

}  // namespace
}  // namespace sundial::web::api
