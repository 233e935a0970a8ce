// Helpers shared by the DB tests, the crash child and the benchmark: read back everything a
// DB holds.
#ifndef SUNDIAL_TESTS_TSDB_DB_DB_TEST_UTIL_H_
#define SUNDIAL_TESTS_TSDB_DB_DB_TEST_UTIL_H_

#include <cstdint>
#include <cstring>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "model/matcher.h"
#include "tsdb/storage.h"

namespace sundial::tsdb {

struct TestSample {
  Timestamp t = 0;
  double v = 0;
  // Bitwise, so stale-marker NaNs compare equal.
  friend bool operator==(const TestSample& a, const TestSample& b) {
    return a.t == b.t && std::memcmp(&a.v, &b.v, sizeof(double)) == 0;
  }
  friend void PrintTo(const TestSample& s, std::ostream* os) { *os << s.t << ":" << s.v; }
};

// Series (as Labels::ToString()) -> samples, for every series with a metric name.
using Dump = std::map<std::string, std::vector<TestSample>>;

inline absl::StatusOr<Dump> ReadAll(Queryable& db) {
  ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, db.NewQuerier(INT64_MIN, INT64_MAX));
  ASSIGN_OR_RETURN(Matcher m, Matcher::Create(MatchType::kRegexp, "__name__", ".+"));
  std::vector<Matcher> matchers = {m};
  std::unique_ptr<SeriesSet> set = q->Select(SelectHints{}, matchers);
  Dump out;
  while (set->Next()) {
    std::vector<TestSample>& samples = out[set->At().labels().ToString()];
    std::unique_ptr<SampleIterator> it = set->At().Iterator();
    while (it->Next() == ValueType::kFloat) {
      auto [t, v] = it->At();
      samples.push_back({t, v});
    }
    RETURN_IF_ERROR(it->Err());
  }
  RETURN_IF_ERROR(set->Err());
  return out;
}

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TESTS_TSDB_DB_DB_TEST_UTIL_H_
