// Helpers for scrape manager tests: reading a Head back and waiting for conditions.
#ifndef SUNDIAL_TESTS_SCRAPE_SCRAPE_TEST_UTIL_H_
#define SUNDIAL_TESTS_SCRAPE_SCRAPE_TEST_UTIL_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
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

// Polls pred every 10ms for up to timeout; returns its last value.
inline bool WaitUntil(const std::function<bool()>& pred,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace sundial::scrape::testing

#endif  // SUNDIAL_TESTS_SCRAPE_SCRAPE_TEST_UTIL_H_
