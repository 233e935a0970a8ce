// The dataset of the data directory migration tests: an evolving synthetic exporter on a 15 s
// grid — up, request counters (one with a reset), a classic latency histogram, fractional gauges,
// a batch job series that exists only in the middle of the timeline (churn across blocks) and a
// gauge that ends with a stale marker. Values are functions of the absolute step index, so any
// window of steps can be written on its own (to a tsdb::DB, as remote write, as OpenMetrics) and
// consecutive windows join up.
#ifndef SUNDIAL_TESTS_INTEGRATION_TSDB_DATASET_H_
#define SUNDIAL_TESTS_INTEGRATION_TSDB_DATASET_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sundial::testing::tsdb_migration {

inline constexpr int64_t kStepMs = 15'000;
inline constexpr int64_t kMinuteMs = 60'000;

using LabelPairs = std::vector<std::pair<std::string, std::string>>;  // sorted by name

struct DatasetSeries {
  LabelPairs labels;  // including __name__
  // The value at absolute step i (time i * kStepMs), or nullopt where the series has no sample.
  // A NaN with Prometheus' stale bits is a stale marker.
  std::function<std::optional<double>(int64_t i)> value;
};

// Prometheus' stale marker.
double StaleNaN();
bool IsStaleNaN(double v);

// The series, for steps from origin on (counters count from there). Steps before churn_from or
// at/after churn_to have no "batch_job_duration_seconds"; "worker_queue_depth" ends with a stale
// marker at step stale_at.
std::vector<DatasetSeries> Dataset(int64_t origin, int64_t churn_from, int64_t churn_to,
                                   int64_t stale_at);

// Samples of every series for steps [from, to): per step, each series in order. Stale markers
// are included unless skip_stale.
struct Point {
  const DatasetSeries* series;
  int64_t t;
  double v;
};
void ForEachPoint(const std::vector<DatasetSeries>& data, int64_t from, int64_t to, bool skip_stale,
                  const std::function<void(const Point&)>& fn);

// A snappy-compressed remote write 1.0 body with the samples of [from, to).
std::string RemoteWriteBody(const std::vector<DatasetSeries>& data, int64_t from, int64_t to);

// OpenMetrics text with the samples of [from, to) (stale markers left out), series by series, as
// `promtool tsdb create-blocks-from openmetrics` reads it.
std::string OpenMetrics(const std::vector<DatasetSeries>& data, int64_t from, int64_t to);

}  // namespace sundial::testing::tsdb_migration

#endif  // SUNDIAL_TESTS_INTEGRATION_TSDB_DATASET_H_
