#include "tsdb/wal/records.h"

#include <bit>

#include "base/big_endian.h"
#include "base/byte_reader.h"
#include "base/str_cat.h"
#include "base/varint.h"

namespace sundial::tsdb::wal {
namespace {

constexpr std::string_view kUnitField = "UNIT";
constexpr std::string_view kHelpField = "HELP";

// Record encoding: Go varints and big-endian integers (base), a type byte, label sets.
void PutByte(std::string* out, uint8_t b) { out->push_back(static_cast<char>(b)); }

void PutLabels(std::string* out, const Labels& labels) {
  PutUvarint(out, labels.size());
  for (const Label& l : labels) {
    PutUvarintString(out, l.name);
    PutUvarintString(out, l.value);
  }
}

// Reads from the front of a record (ByteReader), plus label sets and the fast path of samples.
class Decoder : public ByteReader {
 public:
  using ByteReader::ByteReader;

  // A label set as written (sorted, unique names) is built from views into the record in one
  // allocation; any other goes through LabelsBuilder (sorted, the last of a name wins).
  Labels DecodeLabels() {
    uint64_t n = Uvarint();
    pairs_.clear();
    bool sorted = true;
    for (uint64_t i = 0; i < n && ok(); ++i) {
      std::string_view name = UvarintString();
      std::string_view value = UvarintString();
      if (!pairs_.empty() && pairs_.back().name >= name) sorted = false;
      pairs_.push_back({name, value});
    }
    if (sorted) return Labels::FromSorted(pairs_);
    builder_.Reset(Labels());
    for (const Label& l : pairs_) builder_.Set(l.name, l.value);
    return builder_.Build();
  }

 private:
  std::vector<Label> pairs_;
  LabelsBuilder builder_;
};

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(AsAbsl(StrCat("malformed ", what, " record")));
}

// Checks the type byte; leaves dec after it.
absl::Status CheckType(Decoder& dec, RecordType want, std::string_view what) {
  if (static_cast<RecordType>(dec.Byte()) != want || !dec.ok()) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("invalid record type for ", what, " record")));
  }
  return absl::OkStatus();
}

}  // namespace

bool operator==(const RefSample& a, const RefSample& b) {
  return a.ref == b.ref && a.t == b.t &&
         std::bit_cast<uint64_t>(a.v) == std::bit_cast<uint64_t>(b.v);
}

bool operator==(const RefExemplar& a, const RefExemplar& b) {
  return a.ref == b.ref && a.t == b.t &&
         std::bit_cast<uint64_t>(a.v) == std::bit_cast<uint64_t>(b.v) && a.labels == b.labels;
}

RecordType GetRecordType(std::string_view rec) {
  if (rec.empty()) return RecordType::kUnknown;
  const auto t = static_cast<RecordType>(rec[0]);
  switch (t) {
    case RecordType::kSeries:
    case RecordType::kSamples:
    case RecordType::kTombstones:
    case RecordType::kExemplars:
    case RecordType::kMmapMarkers:
    case RecordType::kMetadata:
    case RecordType::kHistogramSamples:
    case RecordType::kFloatHistogramSamples:
      return t;
    case RecordType::kUnknown:
      break;
  }
  return RecordType::kUnknown;
}

void EncodeSeries(std::span<const RefSeries> series, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kSeries));
  for (const RefSeries& s : series) {
    AppendBigEndian64(out, s.ref);
    PutLabels(out, s.labels);
  }
}

// Samples and exemplars: the first entry's ref and timestamp as 8-byte big-endian bases, then
// per entry the signed varint deltas of ref and timestamp to those bases and the value bits.
void EncodeSamples(std::span<const RefSample> samples, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kSamples));
  if (samples.empty()) return;
  const RefSample& first = samples.front();
  AppendBigEndian64(out, first.ref);
  AppendBigEndian64(out, static_cast<uint64_t>(first.t));
  for (const RefSample& s : samples) {
    PutVarint(out, static_cast<int64_t>(s.ref - first.ref));
    PutVarint(out, s.t - first.t);
    AppendBigEndian64(out, std::bit_cast<uint64_t>(s.v));
  }
}

void EncodeTombstones(std::span<const Stone> stones, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kTombstones));
  for (const Stone& s : stones) {
    for (const Interval& iv : s.intervals) {
      AppendBigEndian64(out, s.ref);
      PutVarint(out, iv.mint);
      PutVarint(out, iv.maxt);
    }
  }
}

void EncodeExemplars(std::span<const RefExemplar> exemplars, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kExemplars));
  if (exemplars.empty()) return;
  const RefExemplar& first = exemplars.front();
  AppendBigEndian64(out, first.ref);
  AppendBigEndian64(out, static_cast<uint64_t>(first.t));
  for (const RefExemplar& e : exemplars) {
    PutVarint(out, static_cast<int64_t>(e.ref - first.ref));
    PutVarint(out, e.t - first.t);
    AppendBigEndian64(out, std::bit_cast<uint64_t>(e.v));
    PutLabels(out, e.labels);
  }
}

void EncodeMmapMarkers(std::span<const RefMmapMarker> markers, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kMmapMarkers));
  for (const RefMmapMarker& m : markers) {
    AppendBigEndian64(out, m.ref);
    AppendBigEndian64(out, m.mmap_ref);
  }
}

void EncodeMetadata(std::span<const RefMetadata> metadata, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kMetadata));
  for (const RefMetadata& m : metadata) {
    PutUvarint(out, m.ref);
    PutByte(out, static_cast<uint8_t>(m.type));
    PutUvarint(out, 2);  // number of name/value fields that follow
    PutUvarintString(out, kUnitField);
    PutUvarintString(out, m.unit);
    PutUvarintString(out, kHelpField);
    PutUvarintString(out, m.help);
  }
}

absl::Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out) {
  Decoder dec(rec);
  if (absl::Status s = CheckType(dec, RecordType::kSeries, "series"); !s.ok()) return s;
  while (!dec.empty() && dec.ok()) {
    RefSeries s;
    s.ref = dec.BigEndian64();
    s.labels = dec.DecodeLabels();
    if (dec.ok()) out->push_back(std::move(s));
  }
  return dec.ok() ? absl::OkStatus() : Malformed("series");
}

SamplesReader::SamplesReader(std::string_view rec)
    : p_(reinterpret_cast<const uint8_t*>(rec.data())), end_(p_ + rec.size()) {
  ByteReader dec(rec);
  if (static_cast<RecordType>(dec.Byte()) != RecordType::kSamples) ok_ = false;
  // The first sample's ref and time, the bases of the deltas.
  if (ok_ && !dec.empty()) {
    base_ref_ = dec.BigEndian64();
    base_t_ = static_cast<int64_t>(dec.BigEndian64());
  }
  ok_ = ok_ && dec.ok();
  if (!ok_) {
    p_ = end_;
    return;
  }
  p_ = end_ - dec.remaining();
}

bool SamplesReader::NextChecked(RefSample* s) {
  if (p_ == end_) return false;  // also after a failure
  ByteReader dec(
      std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(end_ - p_)));
  const int64_t dref = dec.Varint();
  const int64_t dt = dec.Varint();
  const uint64_t bits = dec.BigEndian64();
  if (!dec.ok()) {
    ok_ = false;
    p_ = end_;
    return false;
  }
  p_ = end_ - dec.remaining();
  *s =
      RefSample{base_ref_ + static_cast<uint64_t>(dref), base_t_ + dt, std::bit_cast<double>(bits)};
  return true;
}

absl::Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out) {
  Decoder dec(rec);
  if (absl::Status s = CheckType(dec, RecordType::kSamples, "samples"); !s.ok()) return s;
  SamplesReader reader(rec);
  out->reserve(out->size() + reader.MaxLeft());
  for (RefSample s; reader.Next(&s);) out->push_back(s);
  return reader.ok() ? absl::OkStatus() : Malformed("samples");
}

absl::Status DecodeTombstones(std::string_view rec, std::vector<Stone>* out) {
  Decoder dec(rec);
  if (absl::Status s = CheckType(dec, RecordType::kTombstones, "tombstones"); !s.ok()) return s;
  while (!dec.empty() && dec.ok()) {
    const uint64_t ref = dec.BigEndian64();
    const int64_t mint = dec.Varint();
    const int64_t maxt = dec.Varint();
    if (dec.ok()) out->push_back(Stone{ref, {Interval{mint, maxt}}});
  }
  return dec.ok() ? absl::OkStatus() : Malformed("tombstones");
}

absl::Status DecodeExemplars(std::string_view rec, std::vector<RefExemplar>* out) {
  Decoder dec(rec);
  if (absl::Status s = CheckType(dec, RecordType::kExemplars, "exemplars"); !s.ok()) return s;
  if (dec.empty()) return absl::OkStatus();
  const uint64_t base_ref = dec.BigEndian64();
  const auto base_t = static_cast<int64_t>(dec.BigEndian64());
  while (!dec.empty() && dec.ok()) {
    RefExemplar e;
    e.ref = base_ref + static_cast<uint64_t>(dec.Varint());
    e.t = base_t + dec.Varint();
    e.v = std::bit_cast<double>(dec.BigEndian64());
    e.labels = dec.DecodeLabels();
    if (dec.ok()) out->push_back(std::move(e));
  }
  return dec.ok() ? absl::OkStatus() : Malformed("exemplars");
}

absl::Status DecodeMmapMarkers(std::string_view rec, std::vector<RefMmapMarker>* out) {
  Decoder dec(rec);
  if (absl::Status s = CheckType(dec, RecordType::kMmapMarkers, "mmap markers"); !s.ok()) {
    return s;
  }
  while (!dec.empty() && dec.ok()) {
    const uint64_t ref = dec.BigEndian64();
    const uint64_t mmap_ref = dec.BigEndian64();
    if (dec.ok()) out->push_back(RefMmapMarker{ref, mmap_ref});
  }
  return dec.ok() ? absl::OkStatus() : Malformed("mmap markers");
}

absl::Status DecodeMetadata(std::string_view rec, std::vector<RefMetadata>* out) {
  Decoder dec(rec);
  if (absl::Status s = CheckType(dec, RecordType::kMetadata, "metadata"); !s.ok()) return s;
  while (!dec.empty() && dec.ok()) {
    RefMetadata m;
    m.ref = dec.Uvarint();
    m.type = static_cast<MetricType>(dec.Byte());
    const uint64_t fields = dec.Uvarint();
    for (uint64_t i = 0; i < fields && dec.ok(); ++i) {
      std::string_view name = dec.UvarintString();
      std::string_view value = dec.UvarintString();
      if (name == kUnitField) {
        m.unit = value;
      } else if (name == kHelpField) {
        m.help = value;
      }
    }
    if (dec.ok()) out->push_back(std::move(m));
  }
  return dec.ok() ? absl::OkStatus() : Malformed("metadata");
}

}  // namespace sundial::tsdb::wal
