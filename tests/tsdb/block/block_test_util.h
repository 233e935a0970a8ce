// Helpers shared by the block tests: a head filled with known samples and a reader that
// collects everything a querier returns.
#ifndef SUNDIAL_TESTS_TSDB_BLOCK_BLOCK_TEST_UTIL_H_
#define SUNDIAL_TESTS_TSDB_BLOCK_BLOCK_TEST_UTIL_H_

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/head.h"
#include "tsdb/storage.h"

namespace sundial::tsdb::block {

using Sample = std::pair<Timestamp, double>;
using SeriesSamples = std::map<std::string, std::vector<Sample>>;  // labels.ToString() -> samples

inline Matcher M(MatchType type, std::string_view name, std::string_view value) {
  absl::StatusOr<Matcher> m = Matcher::Create(type, name, value);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

// Appends every sample of `series` (labels, samples) to head; returns what went in.
inline SeriesSamples Fill(Head& head,
                          const std::vector<std::pair<Labels, std::vector<Sample>>>& series) {
  SeriesSamples in;
  std::unique_ptr<Appender> app = head.NewAppender();
  for (const auto& [labels, samples] : series) {
    for (const auto& [t, v] : samples) {
      absl::StatusOr<SeriesRef> ref = app->Append(0, labels, t, v);
      EXPECT_TRUE(ref.ok()) << ref.status();
      in[labels.ToString()].push_back({t, v});
    }
  }
  EXPECT_TRUE(app->Commit().ok());
  return in;
}

// n series "metric_<i % 3>{instance="i<i>", job=...}" with `samples` each, 15 s apart from t0,
// values a mix of counters, gauges with fractions, repeats and a NaN.
inline std::vector<std::pair<Labels, std::vector<Sample>>> MakeSeries(int n, int samples,
                                                                      Timestamp t0 = 0) {
  std::vector<std::pair<Labels, std::vector<Sample>>> out;
  for (int i = 0; i < n; ++i) {
    std::string name = "metric_" + std::to_string(i % 3);
    std::string inst = "i" + std::to_string(i);
    std::string job = i % 2 == 0 ? "api" : "web";
    Labels l{{"__name__", name}, {"instance", inst}, {"job", job}};
    std::vector<Sample> s;
    for (int j = 0; j < samples; ++j) {
      double v = i % 3 == 0 ? j * 10.0 : (i % 3 == 1 ? std::sin(j) * 100.5 : double(j / 7));
      if (i == 1 && j == 5) v = std::nan("");
      s.push_back({t0 + j * 15000 + (i % 4), v});
    }
    out.emplace_back(std::move(l), std::move(s));
  }
  return out;
}

// Everything Select returns, or the first error.
inline absl::StatusOr<SeriesSamples> ReadAll(Querier& q, std::span<const Matcher> matchers,
                                             const SelectHints& hints = {}) {
  SeriesSamples out;
  std::unique_ptr<SeriesSet> set = q.Select(hints, matchers);
  std::string prev;
  while (set->Next()) {
    std::string key = set->At().labels().ToString();
    std::vector<Sample>& dst = out[key];
    std::unique_ptr<SampleIterator> it = set->At().Iterator();
    while (it->Next() == ValueType::kFloat) dst.push_back(it->At());
    if (!it->Err().ok()) return it->Err();
  }
  if (!set->Err().ok()) return set->Err();
  return out;
}

// NaN-aware equality of sample lists (bit patterns equal).
inline bool SameSamples(const SeriesSamples& a, const SeriesSamples& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, va] : a) {
    auto it = b.find(k);
    if (it == b.end() || it->second.size() != va.size()) return false;
    for (size_t i = 0; i < va.size(); ++i) {
      if (va[i].first != it->second[i].first) return false;
      if (std::bit_cast<uint64_t>(va[i].second) != std::bit_cast<uint64_t>(it->second[i].second)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TESTS_TSDB_BLOCK_BLOCK_TEST_UTIL_H_
