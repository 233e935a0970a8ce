#include "remotewrite/internal/write_v1.h"

#include <span>
#include <vector>

#include "base/str_cat.h"
#include "remotewrite/internal/sample_sink.h"
#include "remotewrite/internal/series_labels.h"
#include "remotewrite/internal/wire_reader.h"
#include "remotewrite/series_cache.h"

namespace sundial::remotewrite {
namespace {

// Field numbers of prompb_v1.proto.
enum : int {
  kRequestTimeseries = 1,
  kRequestMetadata = 3,
  kSeriesLabels = 1,
  kSeriesSamples = 2,
  kSeriesExemplars = 3,
  kSeriesHistograms = 4,
  kLabelName = 1,
  kLabelValue = 2,
  kSampleValue = 1,
  kSampleTimestamp = 2,
  kExemplarLabels = 1,
  kExemplarValue = 2,
  kExemplarTimestamp = 3,
  kHistogramNegativeSpans = 8,
  kHistogramNegativeDeltas = 9,
  kHistogramNegativeCounts = 10,
  kHistogramPositiveSpans = 11,
  kHistogramPositiveDeltas = 12,
  kHistogramPositiveCounts = 13,
};

struct Sample {
  tsdb::Timestamp t = 0;
  double v = 0;
};

struct ExemplarView {
  size_t first_label = 0;  // in Scratch::exemplar_labels
  size_t num_labels = 0;
  double value = 0;
  tsdb::Timestamp t = 0;
};

// One TimeSeries as decoded: its label pairs, samples and exemplars lie in Scratch's vectors.
struct SeriesView {
  std::string_view key;  // its Label fields as encoded, "" when not contiguous (not cached)
  size_t first_pair = 0, num_pairs = 0;
  size_t first_sample = 0, num_samples = 0;
  size_t first_exemplar = 0, num_exemplars = 0;
  tsdb::SeriesRef cached = 0;
};

// Views into one decoded request; reused by the thread's next request.
struct Scratch {
  std::vector<SeriesView> series;
  std::vector<Label> pairs;
  std::vector<Sample> samples;
  std::vector<ExemplarView> exemplars;
  std::vector<Label> exemplar_labels;

  void Clear() {
    series.clear();
    pairs.clear();
    samples.clear();
    exemplars.clear();
    exemplar_labels.clear();
  }
};

// A message whose fields are only checked for well-formedness.
bool SkipMessage(std::string_view message) {
  WireReader r(message);
  while (r.Next()) {
  }
  return r.ok();
}

bool DecodeLabel(std::string_view message, std::vector<Label>* out) {
  Label l;
  WireReader r(message);
  while (r.Next()) {
    if (r.wire_type() != WireReader::kLen) continue;
    if (r.field() == kLabelName) l.name = r.bytes();
    if (r.field() == kLabelValue) l.value = r.bytes();
  }
  out->push_back(l);
  return r.ok();
}

bool DecodeSample(std::string_view message, std::vector<Sample>* out) {
  Sample s;
  WireReader r(message);
  while (r.Next()) {
    if (r.field() == kSampleValue && r.wire_type() == WireReader::kFixed64) s.v = r.AsDouble();
    if (r.field() == kSampleTimestamp && r.wire_type() == WireReader::kVarint) {
      s.t = static_cast<int64_t>(r.number());
    }
  }
  out->push_back(s);
  return r.ok();
}

bool DecodeExemplar(std::string_view message, Scratch* scratch) {
  ExemplarView e;
  e.first_label = scratch->exemplar_labels.size();
  WireReader r(message);
  while (r.Next()) {
    if (r.field() == kExemplarLabels && r.wire_type() == WireReader::kLen) {
      if (!DecodeLabel(r.bytes(), &scratch->exemplar_labels)) return false;
    }
    if (r.field() == kExemplarValue && r.wire_type() == WireReader::kFixed64)
      e.value = r.AsDouble();
    if (r.field() == kExemplarTimestamp && r.wire_type() == WireReader::kVarint) {
      e.t = static_cast<int64_t>(r.number());
    }
  }
  e.num_labels = scratch->exemplar_labels.size() - e.first_label;
  scratch->exemplars.push_back(e);
  return r.ok();
}

// Histograms are not stored yet; only their encoding is checked, as a full parse would.
bool CheckHistogram(std::string_view message) {
  WireReader r(message);
  while (r.Next()) {
    if (r.wire_type() != WireReader::kLen) continue;
    switch (r.field()) {
      case kHistogramNegativeSpans:
      case kHistogramPositiveSpans:
        if (!SkipMessage(r.bytes())) return false;
        break;
      case kHistogramNegativeDeltas:
      case kHistogramPositiveDeltas:
        if (!IsPackedVarints(r.bytes())) return false;
        break;
      case kHistogramNegativeCounts:
      case kHistogramPositiveCounts:
        if (r.bytes().size() % 8 != 0) return false;
        break;
      default:
        break;
    }
  }
  return r.ok();
}

bool DecodeSeries(std::string_view message, Scratch* scratch, WriteStats* stats) {
  SeriesView s;
  s.first_pair = scratch->pairs.size();
  s.first_sample = scratch->samples.size();
  s.first_exemplar = scratch->exemplars.size();
  bool contiguous = true;
  WireReader r(message);
  while (r.Next()) {
    if (r.wire_type() != WireReader::kLen) continue;
    switch (r.field()) {
      case kSeriesLabels: {
        const std::string_view field = r.field_bytes();
        if (s.key.empty() && contiguous) {
          s.key = field;
        } else if (contiguous && field.data() == s.key.data() + s.key.size()) {
          s.key = std::string_view(s.key.data(), s.key.size() + field.size());
        } else {
          contiguous = false;
          s.key = {};
        }
        if (!DecodeLabel(r.bytes(), &scratch->pairs)) return false;
        break;
      }
      case kSeriesSamples:
        if (!DecodeSample(r.bytes(), &scratch->samples)) return false;
        break;
      case kSeriesExemplars:
        if (!DecodeExemplar(r.bytes(), scratch)) return false;
        break;
      case kSeriesHistograms:
        if (!CheckHistogram(r.bytes())) return false;
        ++stats->histograms;
        break;
      default:
        break;
    }
  }
  s.num_pairs = scratch->pairs.size() - s.first_pair;
  s.num_samples = scratch->samples.size() - s.first_sample;
  s.num_exemplars = scratch->exemplars.size() - s.first_exemplar;
  scratch->series.push_back(s);
  return r.ok();
}

bool DecodeRequest(std::string_view message, Scratch* scratch, WriteStats* stats) {
  WireReader r(message);
  while (r.Next()) {
    if (r.wire_type() != WireReader::kLen) continue;
    if (r.field() == kRequestTimeseries && !DecodeSeries(r.bytes(), scratch, stats)) return false;
    if (r.field() == kRequestMetadata) {
      if (!SkipMessage(r.bytes())) return false;
      ++stats->metadata;
    }
  }
  return r.ok();
}

// Appends one series' samples and exemplars; false after a storage error.
bool AppendSeries(const Scratch& scratch, const SeriesView& s, SeriesCache* cache,
                  SampleSink* sink) {
  const std::span<const Label> pairs(scratch.pairs.data() + s.first_pair, s.num_pairs);
  tsdb::SeriesRef ref = s.cached;
  Labels labels;  // built only when the series is not known by ref
  if (ref == 0) labels = Labels::FromSorted(pairs);
  bool cached = s.cached != 0;
  for (size_t i = s.first_sample; i < s.first_sample + s.num_samples; ++i) {
    const Sample& sample = scratch.samples[i];
    if (labels.empty()) {
      const SampleSink::ByRef by_ref = sink->AppendByRef(pairs, ref, sample.t, sample.v);
      if (by_ref == SampleSink::ByRef::kDone) continue;
      if (by_ref == SampleSink::ByRef::kStorageError) return false;
      // The storage dropped the series since it was cached.
      cache->Erase(s.key);
      cached = false;
      labels = Labels::FromSorted(pairs);
      ref = 0;
    }
    if (!sink->Append(labels, &ref, sample.t, sample.v)) return false;
    if (!cached && ref != 0 && cache != nullptr && !s.key.empty()) {
      cache->Put(s.key, ref);
      cached = true;
    }
  }
  if (s.num_exemplars > 0 && labels.empty()) labels = Labels::FromSorted(pairs);
  for (size_t i = s.first_exemplar; i < s.first_exemplar + s.num_exemplars; ++i) {
    const ExemplarView& e = scratch.exemplars[i];
    LabelsBuilder exemplar_labels;
    for (size_t j = e.first_label; j < e.first_label + e.num_labels; ++j) {
      exemplar_labels.Set(scratch.exemplar_labels[j].name, scratch.exemplar_labels[j].value);
    }
    sink->AppendExemplar(
        labels, &ref,
        tsdb::Exemplar{
            .labels = exemplar_labels.Build(), .value = e.value, .ts = e.t, .has_ts = true},
        /*out_of_order_fails=*/false);
  }
  return true;
}

}  // namespace

void WriteV1(std::string_view message, tsdb::Appendable* appendable, SeriesCache* cache,
             WriteResponse* response) {
  thread_local Scratch scratch;
  scratch.Clear();
  WriteStats& stats = response->stats;
  if (!DecodeRequest(message, &scratch, &stats)) {
    stats = {};
    SetError(response, 400, "cannot decode prometheus.WriteRequest: invalid protobuf");
    return;
  }
  // Validate everything first so that a bad request writes nothing. Cached keys were valid.
  for (SeriesView& s : scratch.series) {
    if (cache != nullptr && !s.key.empty()) s.cached = cache->Get(s.key);
    const std::span<const Label> pairs(scratch.pairs.data() + s.first_pair, s.num_pairs);
    if (s.cached == 0) {
      if (absl::Status valid = ValidateSeriesLabels(pairs); !valid.ok()) {
        stats = {};
        SetError(response, 400, AsStd(valid.message()));
        return;
      }
    }
    ++stats.series;
    stats.samples += s.num_samples;
    stats.exemplars += s.num_exemplars;
  }
  SampleSink sink(appendable, &stats);
  for (const SeriesView& s : scratch.series) {
    if (s.num_samples == 0 && s.num_exemplars == 0) continue;
    if (!AppendSeries(scratch, s, cache, &sink)) break;
  }
  sink.Finish(response);
  // Keep the views of usual requests for the next one, not those of a huge one.
  if (scratch.samples.capacity() > (size_t{1} << 20)) scratch = Scratch();
}

}  // namespace sundial::remotewrite
