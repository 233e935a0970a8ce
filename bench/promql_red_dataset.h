// The RED dataset the PromQL benchmarks load (promql_vs_prometheus through remote write,
// promql_head_bench straight into a tsdb::Head), and the dashboard queries they time.
//
// Per instance: http_requests_total{service,method,status,instance,job,pod} for 2 methods x 3
// statuses, http_request_duration_seconds_bucket{service,instance,job,pod,le} with 10 buckets,
// and up{instance,job}: 17 series per instance; `pod` is unique per instance (the
// high-cardinality label).
//
//   std::vector<RedSeries> series = MakeRedSeries(100000);
//   double v = RedValue(series[k], k, i, step_ms);   // the value of series k at sample i
#ifndef SUNDIAL_BENCH_PROMQL_RED_DATASET_H_
#define SUNDIAL_BENCH_PROMQL_RED_DATASET_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace sundial::bench {

struct RedSeries {
  std::vector<std::pair<std::string, std::string>> labels;  // sorted by name
  double rate = 0;  // increase per second (counters); 0: the `up` gauge
};

inline constexpr int kRedServices = 20;
inline constexpr int kRedSeriesPerInstance = 6 + 10 + 1;

// About `total` series (whole instances of 17).
inline std::vector<RedSeries> MakeRedSeries(int total) {
  static constexpr const char* kMethods[] = {"GET", "POST"};
  static constexpr const char* kStatuses[] = {"200", "404", "500"};
  static constexpr double kStatusShare[] = {0.95, 0.04, 0.01};
  static constexpr const char* kBuckets[] = {"0.005", "0.01", "0.025", "0.05", "0.1",
                                             "0.25",  "0.5",  "1",     "2.5",  "+Inf"};
  static constexpr double kBucketShare[] = {0.1, 0.25, 0.45, 0.65,  0.8,
                                            0.9, 0.95, 0.98, 0.995, 1.0};
  std::vector<RedSeries> out;
  const int instances = std::max(1, total / kRedSeriesPerInstance);
  for (int i = 0; i < instances; ++i) {
    const int svc = i % kRedServices;
    const std::string service = "svc-" + std::to_string(svc);
    const std::string job = "job-" + std::to_string(svc % 5);
    const std::string instance = "10." + std::to_string(i / 65536) + "." +
                                 std::to_string((i / 256) % 256) + "." + std::to_string(i % 256) +
                                 ":8080";
    char pod[64];
    std::snprintf(pod, sizeof pod, "%s-%08x", service.c_str(),
                  static_cast<unsigned>(i * 2654435761u));
    const double traffic = 1 + (i * 7919 % 97) / 10.0;
    for (const char* method : kMethods) {
      for (size_t s = 0; s < 3; ++s) {
        out.push_back({{{"__name__", "http_requests_total"},
                        {"instance", instance},
                        {"job", job},
                        {"method", method},
                        {"pod", pod},
                        {"service", service},
                        {"status", kStatuses[s]}},
                       traffic * kStatusShare[s] / 2});
      }
    }
    for (size_t b = 0; b < 10; ++b) {
      out.push_back({{{"__name__", "http_request_duration_seconds_bucket"},
                      {"instance", instance},
                      {"job", job},
                      {"le", kBuckets[b]},
                      {"pod", pod},
                      {"service", service}},
                     traffic * kBucketShare[b]});
    }
    out.push_back({{{"__name__", "up"}, {"instance", instance}, {"job", job}}, 0});
  }
  return out;
}

// The value of series k (index into MakeRedSeries) at its i-th sample, samples step_ms apart.
inline double RedValue(const RedSeries& g, size_t k, int i, int64_t step_ms) {
  if (g.rate == 0) return k % 50 == 0 && i % 40 < 3 ? 0 : 1;  // some targets flap
  // A counter with a little per-step jitter; integral as real request counts.
  const double x = g.rate * static_cast<double>(i) * static_cast<double>(step_ms) / 1000;
  return std::floor(x + 3 * std::sin(static_cast<double>(static_cast<size_t>(i) + k) * 0.1) + 3);
}

// The dashboard queries (the recording rules of /work/shared/user-configs come on top).
inline std::vector<std::string> RedQueries() {
  return {
      "sum(rate(http_requests_total[5m])) by (service)",
      "sum(rate(http_requests_total{status=~\"5..\"}[5m])) by (service) / "
      "sum(rate(http_requests_total[5m])) by (service)",
      "histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by "
      "(service, le))",
      "topk(5, sum(rate(http_requests_total[5m])) by (instance))",
      "sum(rate(http_requests_total{pod=~\"svc-1.*\"}[5m]))",
      "quantile_over_time(0.9, http_requests_total{service=\"svc-3\",status=\"200\"}[30m])",
      "max_over_time(sum(rate(http_requests_total[5m])) by (service)[30m:1m])",
      "count(up == 0) by (job)",
  };
}

}  // namespace sundial::bench

#endif  // SUNDIAL_BENCH_PROMQL_RED_DATASET_H_
