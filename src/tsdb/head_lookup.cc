// Lookups of head series by matchers and by ref, for deletions (tsdb/db).

#include <algorithm>
#include <utility>
#include <vector>

#include "tsdb/head.h"

namespace sundial::tsdb {

std::vector<std::pair<SeriesRef, Labels>> Head::SeriesMatching(
    std::span<const Matcher> matchers) const {
  std::vector<std::pair<SeriesRef, Labels>> out;
  for (SeriesRef ref : PostingsForMatchers(postings_, matchers)) {
    series_.WithSeries(ref, [&out](const MemSeries& s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
      out.emplace_back(s.ref(), s.labels());
    });
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

bool Head::LabelsOf(SeriesRef ref, Labels* out) const {
  return series_.WithSeries(
      ref, [out](const MemSeries& s) ABSL_NO_THREAD_SAFETY_ANALYSIS { *out = s.labels(); });
}

}  // namespace sundial::tsdb
