// The data the crash child writes and the crash test checks.
#ifndef SUNDIAL_TESTS_TSDB_DB_CRASH_TEST_SERIES_H_
#define SUNDIAL_TESTS_TSDB_DB_CRASH_TEST_SERIES_H_

#include "base/str_cat.h"
#include "model/labels.h"
#include "tsdb/storage.h"

namespace sundial::tsdb {

inline constexpr int kCrashSeries = 200;
inline constexpr int64_t kCrashRetention = 2000;
// Block range of the crash child's "blocks" mode.
inline constexpr int64_t kCrashBlockRange = 100;

inline Labels CrashSeries(int i) { return Labels{{"__name__", "crash"}, {"series", StrCat(i)}}; }
inline double CrashValue(int i, Timestamp t) { return static_cast<double>(t) * 1000 + i + 0.25; }

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TESTS_TSDB_DB_CRASH_TEST_SERIES_H_
