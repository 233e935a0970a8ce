#include "tsdb/wal/records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace sundial::tsdb::wal {
namespace {

using ::testing::ElementsAre;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

// Series type 1; ref 1 as 8 bytes big-endian; 1 label; "a" and "b" each uvarint-length-prefixed.
const std::string kSeriesBytes =
    Bytes({0x01, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01, 0x01, 'a', 0x01, 'b'});

// Samples type 2; base ref 1 and base time 1000 (0x3E8) as 8 bytes big-endian; then per sample
// zig-zag varint ref delta, zig-zag varint time delta (to the base), value bits big-endian:
//   (ref 1, t 1000, 1.0):  00 00 3FF0000000000000
//   (ref 2, t 1015, 2.0):  02 1E 4000000000000000   (1 -> 2, 15 -> 30 = 0x1E)
const std::string kSamplesBytes =
    Bytes({0x02, 0,    0,    0,    0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0x03, 0xE8,  //
           0x00, 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0,    0,                             //
           0x02, 0x1E, 0x40, 0x00, 0, 0, 0, 0, 0,    0});

TEST(Records, SeriesHandComputedBytes) {
  std::vector<RefSeries> series = {{1, Labels{{"a", "b"}}}};
  std::string out;
  EncodeSeries(series, &out);
  EXPECT_EQ(out, kSeriesBytes);
  std::vector<RefSeries> got;
  ASSERT_TRUE(DecodeSeries(kSeriesBytes, &got).ok());
  EXPECT_EQ(got, series);
  EXPECT_EQ(GetRecordType(out), RecordType::kSeries);
}

// Label sets as another writer may leave them: out of order, a name twice (the last wins), an
// empty value (dropped); all read as the Labels they normalize to.
TEST(Records, SeriesLabelsAreNormalized) {
  // Series type 1; then ref (8 bytes), label count, uvarint-prefixed names and values.
  const std::string rec = Bytes(
      {0x01, 0, 0, 0, 0, 0, 0, 0,    0x01, 0x02, 0x01, 'b',  0x01, '2',  0x01, 'a',  0x01, '1',  //
       0,    0, 0, 0, 0, 0, 0, 0x02, 0x02, 0x01, 'a',  0x01, '1',  0x01, 'a',  0x01, '3',        //
       0,    0, 0, 0, 0, 0, 0, 0x03, 0x02, 0x01, 'a',  0x00, 0x01, 'b',  0x01, '1'});
  std::vector<RefSeries> got;
  ASSERT_TRUE(DecodeSeries(rec, &got).ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].labels, (Labels{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(got[1].labels, (Labels{{"a", "3"}}));
  EXPECT_EQ(got[2].labels, (Labels{{"b", "1"}}));
}

TEST(Records, SamplesHandComputedBytes) {
  std::vector<RefSample> samples = {{1, 1000, 1.0}, {2, 1015, 2.0}};
  std::string out;
  EncodeSamples(samples, &out);
  EXPECT_EQ(out, kSamplesBytes);
  std::vector<RefSample> got;
  ASSERT_TRUE(DecodeSamples(kSamplesBytes, &got).ok());
  EXPECT_EQ(got, samples);
}

TEST(Records, SamplesNegativeDeltasAndSpecialValues) {
  const double stale = std::bit_cast<double>(uint64_t{0x7ff0000000000002});  // Prometheus' StaleNaN
  std::vector<RefSample> samples = {
      {100, 5000, stale},
      {3, -7, -0.0},
      {uint64_t{1} << 40, std::numeric_limits<int64_t>::max() / 2, 1e300},
      {100, 4999, std::numeric_limits<double>::infinity()}};
  std::string out;
  EncodeSamples(samples, &out);
  std::vector<RefSample> got;
  ASSERT_TRUE(DecodeSamples(out, &got).ok());
  EXPECT_EQ(got, samples);
  // (ref 3 - 100 = -97 -> zig-zag 193 = 0xC1 0x01)
  EXPECT_EQ(out.substr(17 + 10, 2), Bytes({0xC1, 0x01}));
}

// Deltas of every varint length from 1 to 10 bytes, each followed by enough samples that the
// decoder takes its fast path (28 bytes left) for them, and the slow path for the last ones.
TEST(Records, SamplesDeltasOfEveryVarintLength) {
  std::vector<RefSample> samples = {{1, 0, 0.5}};
  for (int bits = 0; bits < 63; bits += 7) {
    const auto delta = int64_t{1} << bits;
    samples.push_back({1 + static_cast<uint64_t>(delta), delta, 1.5});
    samples.push_back({1, -delta - 1, 2.5});
    samples.push_back({1 + static_cast<uint64_t>(delta) - 1, delta - 1, 3.5});
  }
  samples.push_back({UINT64_MAX, INT64_MAX, 4.5});
  samples.push_back({1, INT64_MIN + 1, 5.5});
  std::string out;
  EncodeSamples(samples, &out);
  std::vector<RefSample> got;
  ASSERT_TRUE(DecodeSamples(out, &got).ok());
  EXPECT_EQ(got, samples);
}

TEST(Records, EmptySamplesIsJustTheType) {
  std::string out;
  EncodeSamples({}, &out);
  EXPECT_EQ(out, Bytes({0x02}));
  std::vector<RefSample> got;
  EXPECT_TRUE(DecodeSamples(out, &got).ok());
  EXPECT_TRUE(got.empty());
}

TEST(Records, TombstonesOneEntryPerInterval) {
  std::vector<Stone> stones = {{7, {{1, 10}, {-5, 20}}}};
  std::string out;
  EncodeTombstones(stones, &out);
  // 03 | 00..07 02 14 | 00..07 09 28   (1 -> 2, 10 -> 20, -5 -> 9, 20 -> 40)
  EXPECT_EQ(out,
            Bytes({0x03, 0, 0, 0, 0, 0, 0, 0, 7, 0x02, 0x14, 0, 0, 0, 0, 0, 0, 0, 7, 0x09, 0x28}));
  std::vector<Stone> got;
  ASSERT_TRUE(DecodeTombstones(out, &got).ok());
  EXPECT_THAT(got, ElementsAre(Stone{7, {{1, 10}}}, Stone{7, {{-5, 20}}}));
}

TEST(Records, ExemplarsRoundTrip) {
  std::vector<RefExemplar> ex = {{5, 1000, 1.5, Labels{{"trace_id", "abc"}}},
                                 {4, 990, -2, Labels{}}};
  std::string out;
  EncodeExemplars(ex, &out);
  std::vector<RefExemplar> got;
  ASSERT_TRUE(DecodeExemplars(out, &got).ok());
  EXPECT_EQ(got, ex);
}

TEST(Records, MmapMarkersRoundTrip) {
  std::vector<RefMmapMarker> m = {{1, 0x0000000100000008}, {2, 42}};
  std::string out;
  EncodeMmapMarkers(m, &out);
  EXPECT_EQ(out.size(), 1u + 2 * 16);
  std::vector<RefMmapMarker> got;
  ASSERT_TRUE(DecodeMmapMarkers(out, &got).ok());
  EXPECT_EQ(got, m);
}

TEST(Records, MetadataHandComputedBytesAndUnknownFieldsSkipped) {
  std::vector<RefMetadata> md = {{300, MetricType::kCounter, "s", "h"}};
  std::string out;
  EncodeMetadata(md, &out);
  // 06 | uvarint 300 = AC 02 | type 01 | 2 fields | 04 "UNIT" 01 "s" | 04 "HELP" 01 "h"
  EXPECT_EQ(out, Bytes({0x06, 0xAC, 0x02, 0x01, 0x02, 4, 'U', 'N', 'I', 'T', 1, 's', 4, 'H', 'E',
                        'L', 'P', 1, 'h'}));
  // A future version with a third field: it is skipped.
  std::string future = Bytes({0x06, 0x05, 0x02, 0x03, 1, 'X', 1,   'y', 4,   'H', 'E',
                              'L',  'P',  1,    'z',  4, 'U', 'N', 'I', 'T', 0});
  std::vector<RefMetadata> got;
  ASSERT_TRUE(DecodeMetadata(out, &got).ok());
  ASSERT_TRUE(DecodeMetadata(future, &got).ok());
  EXPECT_THAT(got, ElementsAre(md[0], RefMetadata{5, MetricType::kGauge, "", "z"}));
}

TEST(Records, MalformedRecordsAreErrorsNotCrashes) {
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  // Cuts at entry boundaries (after the type byte, after the bases, after a sample) are valid.
  for (size_t cut = 2; cut < kSeriesBytes.size(); ++cut) {
    EXPECT_FALSE(DecodeSeries(kSeriesBytes.substr(0, cut), &series).ok()) << cut;
  }
  for (size_t cut = 2; cut < kSamplesBytes.size(); ++cut) {
    if (cut == 17 || cut == 27) continue;
    EXPECT_FALSE(DecodeSamples(kSamplesBytes.substr(0, cut), &samples).ok()) << cut;
  }
  EXPECT_FALSE(DecodeSamples(kSeriesBytes, &samples).ok());  // wrong type
  EXPECT_FALSE(DecodeSeries("", &series).ok());
  // A varint longer than 10 bytes.
  std::vector<Stone> stones;
  EXPECT_FALSE(
      DecodeTombstones(Bytes({3,    0,    0,    0,    0,    0,    0,    0,    1,    0xFF, 0xFF,
                              0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0}),
                       &stones)
          .ok());
}

TEST(Records, SamplesReaderYieldsTheSamplesBeforeTheDamage) {
  std::vector<RefSample> want;
  for (uint64_t i = 0; i < 50; ++i) {
    // Ref and time deltas of one to three bytes, either sign.
    const int64_t sign = i % 2 == 0 ? -1 : 1;
    want.push_back({static_cast<uint64_t>(100'000 + sign * static_cast<int64_t>(i * i * 7)),
                    200'000 + sign * static_cast<int64_t>(i * i * i), static_cast<double>(i) / 3});
  }
  std::string rec;
  EncodeSamples(want, &rec);
  std::vector<RefSample> got;
  SamplesReader whole(rec);
  for (RefSample s; whole.Next(&s);) got.push_back(s);
  EXPECT_TRUE(whole.ok());
  EXPECT_EQ(got, want);
  // Cut 5 bytes into sample 20 (of at least 10), and inside the last one's value: the samples
  // before the cut, then the failure.
  std::string first20;
  EncodeSamples(std::span<const RefSample>(want).first(20), &first20);
  for (const auto& [cut, before] :
       {std::pair{first20.size() + 5, size_t{20}}, std::pair{rec.size() - 1, want.size() - 1}}) {
    got.clear();
    SamplesReader cut_reader(std::string_view(rec).substr(0, cut));
    for (RefSample s; cut_reader.Next(&s);) got.push_back(s);
    EXPECT_FALSE(cut_reader.ok()) << cut;
    EXPECT_EQ(got, std::vector<RefSample>(want.begin(), want.begin() + before)) << cut;
  }
  SamplesReader wrong_type(kSeriesBytes);
  RefSample s;
  EXPECT_FALSE(wrong_type.Next(&s));
  EXPECT_FALSE(wrong_type.ok());
  SamplesReader empty(Bytes({0x02}));
  EXPECT_FALSE(empty.Next(&s));
  EXPECT_TRUE(empty.ok());
}

TEST(Records, UnknownTypes) {
  EXPECT_EQ(GetRecordType(""), RecordType::kUnknown);
  EXPECT_EQ(GetRecordType(Bytes({0x09})), RecordType::kUnknown);
  EXPECT_EQ(GetRecordType(Bytes({0xFF})), RecordType::kUnknown);
  EXPECT_EQ(GetRecordType(Bytes({0x07, 1})), RecordType::kHistogramSamples);
}

}  // namespace
}  // namespace sundial::tsdb::wal
