#include "remotewrite/payloads.h"

#include <gtest/gtest.h>

#include "base/str_cat.h"
#include "remotewrite/prompb_v1.pb.h"
#include "remotewrite/writev2.pb.h"
#include "snappy.h"

namespace sundial::remotewrite::testing {

std::string EncodeV1(const std::vector<TestSeries>& series) {
  prompb::WriteRequest request;
  for (const TestSeries& s : series) {
    prompb::TimeSeries* ts = request.add_timeseries();
    for (const auto& [name, value] : s.labels) {
      prompb::Label* l = ts->add_labels();
      l->set_name(name);
      l->set_value(value);
    }
    for (const auto& [t, v] : s.samples) {
      prompb::Sample* sample = ts->add_samples();
      sample->set_timestamp(t);
      sample->set_value(v);
    }
  }
  return request.SerializeAsString();
}

std::string EncodeV2(const std::vector<TestSeries>& series) {
  writev2::Request request;
  std::map<std::string, uint32_t> refs;
  auto symbol = [&](const std::string& s) {
    auto [it, inserted] = refs.emplace(s, request.symbols_size());
    if (inserted) request.add_symbols(s);
    return it->second;
  };
  symbol("");
  for (const TestSeries& s : series) {
    writev2::TimeSeries* ts = request.add_timeseries();
    for (const auto& [name, value] : s.labels) {
      ts->add_labels_refs(symbol(name));
      ts->add_labels_refs(symbol(value));
    }
    for (const auto& [t, v] : s.samples) {
      writev2::Sample* sample = ts->add_samples();
      sample->set_timestamp(t);
      sample->set_value(v);
    }
  }
  return request.SerializeAsString();
}

std::string Snappy(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

HeadContents ReadHead(tsdb::Head& head) {
  HeadContents out;
  absl::StatusOr<std::unique_ptr<tsdb::Querier>> q = head.NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(q.ok()) << q.status();
  if (!q.ok()) return out;
  absl::StatusOr<Matcher> any = Matcher::Create(MatchType::kRegexp, "__name__", ".+");
  std::vector<Matcher> matchers{*any};
  std::unique_ptr<tsdb::SeriesSet> set = (*q)->Select(tsdb::SelectHints{}, matchers);
  while (set->Next()) {
    auto& samples = out[set->At().labels().ToString()];
    std::unique_ptr<tsdb::SampleIterator> it = set->At().Iterator();
    while (it->Next() == tsdb::ValueType::kFloat) samples.push_back(it->At());
    EXPECT_TRUE(it->Err().ok()) << it->Err();
  }
  EXPECT_TRUE(set->Err().ok()) << set->Err();
  return out;
}

std::vector<std::string> StoredExemplars(const tsdb::CircularExemplarStorage& store,
                                         const Matcher& series) {
  const std::vector<std::vector<Matcher>> sets = {{series}};
  std::vector<std::string> out;
  for (const tsdb::ExemplarQueryResult& r : store.Select(INT64_MIN, INT64_MAX, sets)) {
    for (const tsdb::Exemplar& e : r.exemplars) {
      out.push_back(
          StrCat(r.series_labels.ToString(), " ", e.labels.ToString(), " ", e.value, "@", e.ts));
    }
  }
  return out;
}

}  // namespace sundial::remotewrite::testing
