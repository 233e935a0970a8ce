#include "remotewrite/internal/write_v2.h"

#include <vector>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "google/protobuf/arena.h"
#include "remotewrite/internal/sample_sink.h"
#include "remotewrite/internal/series_labels.h"
#include "remotewrite/writev2.pb.h"

namespace sundial::remotewrite {
namespace {

using Symbols = google::protobuf::RepeatedPtrField<std::string>;
using Refs = google::protobuf::RepeatedField<uint32_t>;

absl::Status CheckRef(const Symbols& symbols, uint32_t ref, size_t series, std::string_view what) {
  if (ref < static_cast<uint32_t>(symbols.size())) return absl::OkStatus();
  return absl::InvalidArgumentError(
      AsAbsl(StrCat("series ", series, ": ", what, " symbol reference ", ref,
                    " is outside the symbols table of ", symbols.size(), " entries")));
}

// Resolves name/value reference pairs into views of the symbols.
absl::Status ResolvePairs(const Symbols& symbols, const Refs& refs, size_t series,
                          std::string_view what, std::vector<Label>* pairs) {
  pairs->clear();
  if (refs.size() % 2 != 0) {
    return absl::InvalidArgumentError(AsAbsl(
        StrCat("series ", series, ": odd number of ", what, " references (", refs.size(), ")")));
  }
  for (int i = 0; i < refs.size(); i += 2) {
    for (int j : {i, i + 1}) RETURN_IF_ERROR(CheckRef(symbols, refs[j], series, what));
    pairs->push_back({symbols[refs[i]], symbols[refs[i + 1]]});
  }
  return absl::OkStatus();
}

// Validates one series and counts what it carries.
absl::Status CheckSeries(const Symbols& symbols, const writev2::TimeSeries& series, size_t index,
                         std::vector<Label>* pairs, WriteStats* stats) {
  RETURN_IF_ERROR(ResolvePairs(symbols, series.labels_refs(), index, "label", pairs));
  RETURN_IF_ERROR(ValidateSeriesLabels(*pairs));
  for (const writev2::Exemplar& e : series.exemplars()) {
    RETURN_IF_ERROR(ResolvePairs(symbols, e.labels_refs(), index, "exemplar label", pairs));
  }
  if (series.has_metadata()) {
    RETURN_IF_ERROR(CheckRef(symbols, series.metadata().help_ref(), index, "metadata help"));
    RETURN_IF_ERROR(CheckRef(symbols, series.metadata().unit_ref(), index, "metadata unit"));
    if (series.metadata().type() != 0) ++stats->metadata;
  }
  ++stats->series;
  stats->samples += series.samples_size();
  stats->histograms += series.histograms_size();
  stats->exemplars += series.exemplars_size();
  if (series.created_timestamp() != 0) ++stats->created_timestamps;
  return absl::OkStatus();
}

}  // namespace

void WriteV2(std::string_view message, tsdb::Appendable* appendable, WriteResponse* response) {
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<writev2::Request>(&arena);
  if (!request->ParseFromArray(message.data(), static_cast<int>(message.size()))) {
    SetError(response, 400, "cannot decode io.prometheus.write.v2.Request: invalid protobuf");
    return;
  }
  const Symbols& symbols = request->symbols();
  std::vector<Label> pairs;
  // Validate everything first so that a bad request writes nothing.
  for (int i = 0; i < request->timeseries_size(); ++i) {
    absl::Status valid = CheckSeries(symbols, request->timeseries(i), i, &pairs, &response->stats);
    if (!valid.ok()) {
      response->stats = {};
      SetError(response, 400, AsStd(valid.message()));
      return;
    }
  }
  SampleSink sink(appendable, &response->stats);
  LabelsBuilder builder;
  for (const writev2::TimeSeries& series : request->timeseries()) {
    if (series.samples().empty() && series.exemplars().empty()) continue;
    pairs.clear();
    const Refs& refs = series.labels_refs();
    for (int i = 0; i < refs.size(); i += 2)
      pairs.push_back({symbols[refs[i]], symbols[refs[i + 1]]});
    const Labels labels = BuildSeriesLabels(pairs, &builder);
    tsdb::SeriesRef ref = 0;
    for (const writev2::Sample& s : series.samples()) {
      if (!sink.Append(labels, &ref, s.timestamp(), s.value())) return sink.Finish(response);
    }
    for (const writev2::Exemplar& e : series.exemplars()) {
      LabelsBuilder exemplar_labels;
      for (int i = 0; i + 1 < e.labels_refs_size(); i += 2) {
        exemplar_labels.Set(symbols[e.labels_refs(i)], symbols[e.labels_refs(i + 1)]);
      }
      sink.AppendExemplar(labels, &ref,
                          tsdb::Exemplar{.labels = exemplar_labels.Build(),
                                         .value = e.value(),
                                         .ts = e.timestamp(),
                                         .has_ts = true},
                          /*out_of_order_fails=*/true);
    }
  }
  sink.Finish(response);
}

}  // namespace sundial::remotewrite
