#include "tsdb/wal/records.h"

#include <bit>
#include <cstring>

#include "base/str_cat.h"

namespace sundial::tsdb::wal {
namespace {

constexpr std::string_view kUnitField = "UNIT";
constexpr std::string_view kHelpField = "HELP";

// Append-only encoding helpers, the subset of Prometheus' encoding.Encbuf the records use.
void PutByte(std::string* out, uint8_t b) { out->push_back(static_cast<char>(b)); }

void PutBigEndian64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(buf, 8);
}

void PutUvarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Go's binary.PutVarint: zig-zag, then uvarint.
void PutVarint(std::string* out, int64_t v) {
  PutUvarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutUvarintString(std::string* out, std::string_view s) {
  PutUvarint(out, s.size());
  out->append(s);
}

void PutLabels(std::string* out, const Labels& labels) {
  PutUvarint(out, labels.size());
  for (const Label& l : labels) {
    PutUvarintString(out, l.name);
    PutUvarintString(out, l.value);
  }
}

// The big-endian 64-bit integer at p, in one load (a byte loop is a fifth of a samples record's
// decoding).
uint64_t LoadBigEndian64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}

// Reads from the front of a record; the first failure sticks and later reads return zeros.
class Decoder {
 public:
  explicit Decoder(std::string_view rec) : rest_(rec) {}

  bool ok() const { return ok_; }
  bool empty() const { return rest_.empty(); }

  uint8_t Byte() {
    if (!Need(1)) return 0;
    auto b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }

  uint64_t BigEndian64() {
    if (!Need(8)) return 0;
    const uint64_t v = LoadBigEndian64(reinterpret_cast<const uint8_t*>(rest_.data()));
    rest_.remove_prefix(8);
    return v;
  }

  uint64_t Uvarint() {
    // Most varints of a samples record (ref and time deltas) take one byte.
    if (ok_ && !rest_.empty() && static_cast<uint8_t>(rest_[0]) < 0x80) {
      const auto b = static_cast<uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      return b;
    }
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      auto b = static_cast<uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      if (shift == 63 && b > 1) break;  // overflows 64 bits
      v |= uint64_t{b & 0x7Fu} << shift;
      if (b < 0x80) return v;
    }
    ok_ = false;
    return 0;
  }

  // One sample of a samples record (ref delta, time delta, value bits) if at least 28 bytes are
  // left, decoded without a bounds check per byte; false (nothing read) otherwise or if a
  // varint overflows, for the checked reads to take it.
  bool FastSample(int64_t* dref, int64_t* dt, uint64_t* bits) {
    if (!ok_ || rest_.size() < 28) return false;
    const auto* p = reinterpret_cast<const uint8_t*>(rest_.data());
    uint64_t uref, ut;
    if (!UvarintAt(&p, &uref) || !UvarintAt(&p, &ut)) return false;
    *bits = LoadBigEndian64(p);
    *dref = ZigZag(uref);
    *dt = ZigZag(ut);
    rest_.remove_prefix(
        static_cast<size_t>(p + 8 - reinterpret_cast<const uint8_t*>(rest_.data())));
    return true;
  }

  int64_t Varint() { return ZigZag(Uvarint()); }

  std::string_view UvarintString() {
    uint64_t n = Uvarint();
    if (!ok_ || !Need(n)) return {};
    std::string_view s = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return s;
  }

  Labels DecodeLabels() {
    uint64_t n = Uvarint();
    builder_.Reset(Labels());
    for (uint64_t i = 0; i < n && ok_; ++i) {
      std::string_view name = UvarintString();
      std::string_view value = UvarintString();
      builder_.Set(name, value);
    }
    return builder_.Build();
  }

 private:
  static int64_t ZigZag(uint64_t u) {
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }

  // Uvarint() from *p, which has at least 10 bytes: false if it overflows 64 bits.
  static bool UvarintAt(const uint8_t** p, uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t b = *(*p)++;
      if (shift == 63 && b > 1) return false;
      r |= uint64_t{b & 0x7Fu} << shift;
      if (b < 0x80) {
        *v = r;
        return true;
      }
    }
    return false;
  }

  bool Need(uint64_t n) {
    if (ok_ && rest_.size() >= n) return true;
    ok_ = false;
    return false;
  }

  std::string_view rest_;
  bool ok_ = true;
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
    PutBigEndian64(out, s.ref);
    PutLabels(out, s.labels);
  }
}

// Samples and exemplars: the first entry's ref and timestamp as 8-byte big-endian bases, then
// per entry the signed varint deltas of ref and timestamp to those bases and the value bits.
void EncodeSamples(std::span<const RefSample> samples, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kSamples));
  if (samples.empty()) return;
  const RefSample& first = samples.front();
  PutBigEndian64(out, first.ref);
  PutBigEndian64(out, static_cast<uint64_t>(first.t));
  for (const RefSample& s : samples) {
    PutVarint(out, static_cast<int64_t>(s.ref - first.ref));
    PutVarint(out, s.t - first.t);
    PutBigEndian64(out, std::bit_cast<uint64_t>(s.v));
  }
}

void EncodeTombstones(std::span<const Stone> stones, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kTombstones));
  for (const Stone& s : stones) {
    for (const Interval& iv : s.intervals) {
      PutBigEndian64(out, s.ref);
      PutVarint(out, iv.mint);
      PutVarint(out, iv.maxt);
    }
  }
}

void EncodeExemplars(std::span<const RefExemplar> exemplars, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kExemplars));
  if (exemplars.empty()) return;
  const RefExemplar& first = exemplars.front();
  PutBigEndian64(out, first.ref);
  PutBigEndian64(out, static_cast<uint64_t>(first.t));
  for (const RefExemplar& e : exemplars) {
    PutVarint(out, static_cast<int64_t>(e.ref - first.ref));
    PutVarint(out, e.t - first.t);
    PutBigEndian64(out, std::bit_cast<uint64_t>(e.v));
    PutLabels(out, e.labels);
  }
}

void EncodeMmapMarkers(std::span<const RefMmapMarker> markers, std::string* out) {
  PutByte(out, static_cast<uint8_t>(RecordType::kMmapMarkers));
  for (const RefMmapMarker& m : markers) {
    PutBigEndian64(out, m.ref);
    PutBigEndian64(out, m.mmap_ref);
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

absl::Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out) {
  Decoder dec(rec);
  if (absl::Status s = CheckType(dec, RecordType::kSamples, "samples"); !s.ok()) return s;
  if (dec.empty()) return absl::OkStatus();
  const uint64_t base_ref = dec.BigEndian64();
  const auto base_t = static_cast<int64_t>(dec.BigEndian64());
  // A sample takes at least 10 bytes.
  out->reserve(out->size() + rec.size() / 10);
  while (!dec.empty() && dec.ok()) {
    int64_t dref, dt;
    uint64_t bits;
    if (!dec.FastSample(&dref, &dt, &bits)) {
      dref = dec.Varint();
      dt = dec.Varint();
      bits = dec.BigEndian64();
      if (!dec.ok()) break;
    }
    out->push_back(RefSample{base_ref + static_cast<uint64_t>(dref), base_t + dt,
                             std::bit_cast<double>(bits)});
  }
  return dec.ok() ? absl::OkStatus() : Malformed("samples");
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
