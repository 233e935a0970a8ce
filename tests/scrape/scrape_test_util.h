// Helpers for scrape manager tests: reading a Head back and waiting for conditions.
#ifndef SUNDIAL_TESTS_SCRAPE_SCRAPE_TEST_UTIL_H_
#define SUNDIAL_TESTS_SCRAPE_SCRAPE_TEST_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "testing/wait_until.h"
#include "tsdb/head.h"

namespace sundial::scrape::testing {

struct StoredSeries {
  Labels labels;
  std::vector<std::pair<int64_t, double>> samples;
};

// Every series matching all name=value pairs, with all samples.
inline std::vector<StoredSeries> Query(tsdb::Head& head,
                                       std::vector<std::pair<std::string, std::string>> eq) {
  std::vector<Matcher> matchers;
  for (auto& [n, v] : eq) matchers.push_back(*Matcher::Create(MatchType::kEqual, n, v));
  std::vector<StoredSeries> out;
  auto q = head.NewQuerier(0, INT64_MAX);
  if (!q.ok()) return out;
  std::unique_ptr<tsdb::SeriesSet> set = (*q)->Select(tsdb::SelectHints{}, matchers);
  while (set->Next()) {
    StoredSeries s{.labels = set->At().labels(), .samples = {}};
    std::unique_ptr<tsdb::SampleIterator> it = set->At().Iterator();
    while (it->Next() == tsdb::ValueType::kFloat) s.samples.push_back(it->At());
    out.push_back(std::move(s));
  }
  return out;
}

// The value of s at time t, if it has a sample there.
inline std::optional<double> ValueAt(const StoredSeries& s, int64_t t) {
  for (auto [st, v] : s.samples) {
    if (st == t) return v;
  }
  return std::nullopt;
}

// How many scrapes failed right after a successful one, given the values of a target's `up` in
// time order (up 1 -> 0). Each such failure marks the series of the last successful scrape stale
// once; on a loaded machine any scrape of a local endpoint can time out.
inline int FailuresAfterSuccess(const std::vector<double>& up) {
  int n = 0;
  for (size_t i = 1; i < up.size(); ++i) n += up[i - 1] == 1 && up[i] == 0;
  return n;
}

using sundial::testing::WaitUntil;

}  // namespace sundial::scrape::testing

#endif  // SUNDIAL_TESTS_SCRAPE_SCRAPE_TEST_UTIL_H_
