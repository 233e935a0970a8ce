#include "remotewrite/internal/write_v1.h"

#include <vector>

#include "base/str_cat.h"
#include "google/protobuf/arena.h"
#include "remotewrite/internal/sample_sink.h"
#include "remotewrite/internal/series_labels.h"
#include "remotewrite/prompb_v1.pb.h"

namespace sundial::remotewrite {
namespace {

using LabelList = google::protobuf::RepeatedPtrField<prompb::Label>;

void ToPairs(const LabelList& labels, std::vector<Label>* pairs) {
  pairs->clear();
  for (const prompb::Label& l : labels) pairs->push_back({l.name(), l.value()});
}

}  // namespace

void WriteV1(std::string_view message, tsdb::Appendable* appendable, WriteResponse* response) {
  google::protobuf::Arena arena;
  auto* request = google::protobuf::Arena::CreateMessage<prompb::WriteRequest>(&arena);
  if (!request->ParseFromArray(message.data(), static_cast<int>(message.size()))) {
    SetError(response, 400, "cannot decode prometheus.WriteRequest: invalid protobuf");
    return;
  }
  WriteStats& stats = response->stats;
  stats.metadata = request->metadata_size();
  std::vector<Label> pairs;
  // Validate everything first so that a bad request writes nothing.
  for (const prompb::TimeSeries& series : request->timeseries()) {
    ToPairs(series.labels(), &pairs);
    if (absl::Status valid = ValidateSeriesLabels(pairs); !valid.ok()) {
      stats = {};
      SetError(response, 400, AsStd(valid.message()));
      return;
    }
    ++stats.series;
    stats.samples += series.samples_size();
    stats.exemplars += series.exemplars_size();
    stats.histograms += series.histograms_size();
  }
  SampleSink sink(appendable, &stats);
  LabelsBuilder builder;
  for (const prompb::TimeSeries& series : request->timeseries()) {
    if (series.samples().empty() && series.exemplars().empty()) continue;
    ToPairs(series.labels(), &pairs);
    const Labels labels = BuildSeriesLabels(pairs, &builder);
    tsdb::SeriesRef ref = 0;
    for (const prompb::Sample& s : series.samples()) {
      if (!sink.Append(labels, &ref, s.timestamp(), s.value())) return sink.Finish(response);
    }
    for (const prompb::Exemplar& e : series.exemplars()) {
      LabelsBuilder exemplar_labels;
      for (const prompb::Label& l : e.labels()) exemplar_labels.Set(l.name(), l.value());
      sink.AppendExemplar(labels, &ref,
                          tsdb::Exemplar{.labels = exemplar_labels.Build(),
                                         .value = e.value(),
                                         .ts = e.timestamp(),
                                         .has_ts = true},
                          /*out_of_order_fails=*/false);
    }
  }
  sink.Finish(response);
}

}  // namespace sundial::remotewrite
