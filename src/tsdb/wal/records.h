// The record payloads of the WAL, encoded exactly as Prometheus' tsdb/record package does, so
// either side can replay the other's log. The first byte of every record is its RecordType.
//
//   std::string rec;
//   EncodeSamples(samples, &rec);
//   writer->Log(rec);
//   ...
//   if (GetRecordType(r->record()) == RecordType::kSamples) {
//     RETURN_IF_ERROR(DecodeSamples(r->record(), &samples));
//   }
//
// Encoders append to *out. Decoders append to *out (clear it first to reuse its capacity) and
// fail with InvalidArgument on a malformed record (the replay turns that into corruption).
#ifndef SUNDIAL_TSDB_WAL_RECORDS_H_
#define SUNDIAL_TSDB_WAL_RECORDS_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "base/big_endian.h"
#include "base/varint.h"
#include "model/labels.h"
#include "model/metric_type.h"

namespace sundial::tsdb::wal {

using HeadSeriesRef = uint64_t;

enum class RecordType : uint8_t {
  kSeries = 1,
  kSamples = 2,
  kTombstones = 3,
  kExemplars = 4,
  kMmapMarkers = 5,
  kMetadata = 6,
  kHistogramSamples = 7,       // recognised, not decoded yet
  kFloatHistogramSamples = 8,  // recognised, not decoded yet
  kUnknown = 255,
};

// The type of rec; kUnknown for an empty record or an unassigned type byte.
RecordType GetRecordType(std::string_view rec);

struct RefSeries {
  HeadSeriesRef ref = 0;
  Labels labels;
  friend bool operator==(const RefSeries&, const RefSeries&) = default;
};

struct RefSample {
  HeadSeriesRef ref = 0;
  int64_t t = 0;
  double v = 0;
  // Bitwise on v, so NaNs (stale markers) compare equal to themselves.
  friend bool operator==(const RefSample& a, const RefSample& b);
};

struct Interval {
  int64_t mint = 0;
  int64_t maxt = 0;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Deleted time ranges of one series. Each interval is encoded as its own (ref, mint, maxt)
// entry; decoding yields one Stone per entry.
struct Stone {
  HeadSeriesRef ref = 0;
  std::vector<Interval> intervals;
  friend bool operator==(const Stone&, const Stone&) = default;
};

struct RefExemplar {
  HeadSeriesRef ref = 0;
  int64_t t = 0;
  double v = 0;
  Labels labels;
  friend bool operator==(const RefExemplar& a, const RefExemplar& b);
};

// A head chunk of the series was written to chunks_head/ at mmap_ref.
struct RefMmapMarker {
  HeadSeriesRef ref = 0;
  uint64_t mmap_ref = 0;
  friend bool operator==(const RefMmapMarker&, const RefMmapMarker&) = default;
};

struct RefMetadata {
  HeadSeriesRef ref = 0;
  MetricType type = MetricType::kUnknown;
  std::string unit;
  std::string help;
  friend bool operator==(const RefMetadata&, const RefMetadata&) = default;
};

void EncodeSeries(std::span<const RefSeries> series, std::string* out);
// An empty span encodes as the type byte alone, as in Prometheus.
void EncodeSamples(std::span<const RefSample> samples, std::string* out);
void EncodeTombstones(std::span<const Stone> stones, std::string* out);
void EncodeExemplars(std::span<const RefExemplar> exemplars, std::string* out);
void EncodeMmapMarkers(std::span<const RefMmapMarker> markers, std::string* out);
void EncodeMetadata(std::span<const RefMetadata> metadata, std::string* out);

// Reads a samples record one sample at a time, for a caller that applies each as it is decoded
// (WAL replay) instead of collecting them (DecodeSamples). A malformed record ends with ok()
// false after the samples before the damage: a caller that wants the record all or nothing
// undoes what it took.
//
//   SamplesReader r(rec);
//   for (RefSample s; r.Next(&s);) ...
//   if (!r.ok()) ... malformed (or not a samples record)
class SamplesReader {
 public:
  explicit SamplesReader(std::string_view rec);
  // At most this many samples are left (a sample takes at least 10 bytes).
  size_t MaxLeft() const { return static_cast<size_t>(end_ - p_) / 10; }
  // The next sample; false at the end of the record or at a malformed sample (ok() false).
  // Inline, as replay reads every sample through it: a sample with 28 bytes or more after its
  // start is decoded without a bounds check per byte.
  [[gnu::always_inline]] bool Next(RefSample* s) {
    if (end_ - p_ < 28) return NextChecked(s);
    const uint8_t* p = p_;
    uint64_t uref, ut;
    if (!GetUvarintUnbounded(&p, &uref) || !GetUvarintUnbounded(&p, &ut)) return NextChecked(s);
    s->ref = base_ref_ + static_cast<uint64_t>(ZigZagDecode(uref));
    s->t = base_t_ + ZigZagDecode(ut);
    s->v = std::bit_cast<double>(LoadBigEndian64(p));
    p_ = p + 8;
    return true;
  }
  bool ok() const { return ok_; }

 private:
  // Next with every read checked; false at the end, and (failing) at a malformed sample.
  bool NextChecked(RefSample* s);

  const uint8_t* p_;  // the next sample
  const uint8_t* end_;
  uint64_t base_ref_ = 0;
  int64_t base_t_ = 0;
  bool ok_ = true;
};

absl::Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out);
absl::Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out);
absl::Status DecodeTombstones(std::string_view rec, std::vector<Stone>* out);
absl::Status DecodeExemplars(std::string_view rec, std::vector<RefExemplar>* out);
absl::Status DecodeMmapMarkers(std::string_view rec, std::vector<RefMmapMarker>* out);
// Fields other than UNIT and HELP are skipped, as Prometheus does.
absl::Status DecodeMetadata(std::string_view rec, std::vector<RefMetadata>* out);

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_RECORDS_H_
