// The RED dataset the PromQL benchmarks load (promql_vs_prometheus through remote write,
// promql_head_bench straight into a tsdb::Head), and the dashboard queries they time.
//
// Per instance: http_requests_total{service,method,status,instance,job,pod} for 2 methods x 3
// statuses, http_request_duration_seconds_bucket{service,instance,job,pod,le} with 10 buckets,
// and up{instance,job}: 17 series per instance; `pod` is unique per instance (the
// high-cardinality label).
//
// After those (so their indices and values stay those of earlier runs), the metrics the user
// recording rules of /work/shared/user-configs select, scaled from the instance count:
//   - every 9th instance serves gRPC: grpc_server_handled_total{grpc_service,grpc_method,
//     grpc_code,...} for 2 methods x 4 codes and grpc_server_handling_seconds_bucket{...,le}
//     for 2 methods x 8 buckets (24 series);
//   - every 5th instance's pod runs in Kubernetes: cAdvisor's container_cpu_usage_seconds_total
//     and container_memory_working_set_bytes{namespace,pod,container,node} for the containers
//     "app", "istio-proxy", "POD" and the pod cgroup (container=""), and kube_pod_info (9);
//   - a node exporter per 40 instances: node_disk_io_time_seconds_total for 3 devices;
//   - kube_namespace_labels per namespace (k1s0-system among them) and
//     slo:availability:ratio{namespace,service} as its recording rule would have stored it.
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
  double rate = 0;   // increase per second (counters); 0: a gauge
  double level = 0;  // a gauge's value (with a little jitter); 0 with rate 0: the `up` gauge
};

inline constexpr int kRedServices = 20;
inline constexpr int kRedSeriesPerInstance = 6 + 10 + 1;

namespace red_internal {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

inline void Add(LabelPairs labels, double rate, double level, std::vector<RedSeries>* out) {
  std::sort(labels.begin(), labels.end());
  out->push_back({std::move(labels), rate, level});
}

inline std::string Service(int instance) {
  return "svc-" + std::to_string(instance % kRedServices);
}

// The namespace of a service: eight team namespaces, and svc-0 in k1s0-system.
inline std::string Namespace(int svc) {
  return svc == 0 ? "k1s0-system" : "team-" + std::to_string(svc % 8);
}

}  // namespace red_internal

// Appends the series of the user recording rules' metrics for `instances` RED instances (see
// the top of this file).
inline void AppendUserRuleSeries(int instances, std::vector<RedSeries>* out) {
  using red_internal::Add;
  static constexpr const char* kGrpcMethods[] = {"Get", "List"};
  static constexpr const char* kGrpcCodes[] = {"OK", "NotFound", "Unavailable", "Internal"};
  static constexpr double kGrpcCodeShare[] = {0.97, 0.02, 0.007, 0.003};
  static constexpr const char* kGrpcBuckets[] = {"0.005", "0.01", "0.025", "0.05",
                                                 "0.1",   "0.5",  "1",     "+Inf"};
  static constexpr double kGrpcBucketShare[] = {0.2, 0.4, 0.7, 0.85, 0.93, 0.99, 0.997, 1.0};
  static constexpr const char* kContainers[] = {"app", "istio-proxy", "POD", ""};
  static constexpr double kContainerCpu[] = {0.4, 0.05, 0.001, 0.46};
  static constexpr double kContainerMemory[] = {2.5e8, 6e7, 1e6, 3.2e8};
  const int nodes = std::max(1, instances / 40);
  auto node_name = [](int n) { return "node-" + std::to_string(n); };
  for (int i = 0; i < instances; ++i) {
    const int svc = i % kRedServices;
    const std::string service = red_internal::Service(i);
    const std::string ns = red_internal::Namespace(svc);
    char pod[64];
    std::snprintf(pod, sizeof pod, "%s-%08x", service.c_str(),
                  static_cast<unsigned>(i * 2654435761u));
    const double traffic = 1 + (i * 7919 % 97) / 10.0;
    if (i % 9 == 0) {
      const std::string instance = "10.1" + std::to_string(i / 65536) + "." +
                                   std::to_string((i / 256) % 256) + "." + std::to_string(i % 256) +
                                   ":9090";
      const std::string grpc_service =
          "sundial.svc" + std::to_string(svc) + (i / kRedServices % 2 ? ".v1.Query" : ".v1.Admin");
      for (const char* method : kGrpcMethods) {
        for (size_t c = 0; c < 4; ++c) {
          Add({{"__name__", "grpc_server_handled_total"},
               {"grpc_code", kGrpcCodes[c]},
               {"grpc_method", method},
               {"grpc_service", grpc_service},
               {"grpc_type", "unary"},
               {"instance", instance},
               {"job", "grpc-" + service},
               {"namespace", ns},
               {"pod", pod},
               {"service", service}},
              traffic * kGrpcCodeShare[c], 0, out);
        }
        for (size_t b = 0; b < 8; ++b) {
          Add({{"__name__", "grpc_server_handling_seconds_bucket"},
               {"grpc_method", method},
               {"grpc_service", grpc_service},
               {"grpc_type", "unary"},
               {"instance", instance},
               {"job", "grpc-" + service},
               {"le", kGrpcBuckets[b]},
               {"namespace", ns},
               {"pod", pod},
               {"service", service}},
              traffic * kGrpcBucketShare[b], 0, out);
        }
      }
    }
    if (i % 5 == 0) {
      const std::string node = node_name(i / 5 % nodes);
      const double load = 0.5 + (i * 31 % 17) / 10.0;
      for (size_t c = 0; c < 4; ++c) {
        Add({{"__name__", "container_cpu_usage_seconds_total"},
             {"container", kContainers[c]},
             {"cpu", "total"},
             {"id", std::string("/kubepods/pod") + pod + "/" + kContainers[c]},
             {"namespace", ns},
             {"node", node},
             {"pod", pod}},
            kContainerCpu[c] * load, 0, out);
        Add({{"__name__", "container_memory_working_set_bytes"},
             {"container", kContainers[c]},
             {"id", std::string("/kubepods/pod") + pod + "/" + kContainers[c]},
             {"namespace", ns},
             {"node", node},
             {"pod", pod}},
            0, kContainerMemory[c] * load, out);
      }
      Add({{"__name__", "kube_pod_info"},
           {"created_by_kind", "ReplicaSet"},
           {"namespace", ns},
           {"node", node},
           {"pod", pod}},
          0, 1, out);
    }
  }
  for (int n = 0; n < nodes; ++n) {
    for (const char* device : {"nvme0n1", "nvme1n1", "dm-0"}) {
      Add({{"__name__", "node_disk_io_time_seconds_total"},
           {"device", device},
           {"instance", node_name(n) + ":9100"},
           {"job", "node-exporter"}},
          0.02 + (n * 13 % 29) / 100.0, 0, out);
    }
  }
  for (int svc = 0; svc < 9; ++svc) {
    Add({{"__name__", "kube_namespace_labels"},
         {"job", "kube-state-metrics"},
         {"namespace", red_internal::Namespace(svc)}},
        0, 1, out);
  }
  for (int svc = 0; svc < kRedServices; ++svc) {
    Add({{"__name__", "slo:availability:ratio"},
         {"namespace", red_internal::Namespace(svc)},
         {"service", red_internal::Service(svc)}},
        0, 0.99 + svc / 2000.0, out);
  }
}

// About `total` RED series (whole instances of 17), then the user rules' series (about 30% more
// at 100k).
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
    out.push_back({{{"__name__", "up"}, {"instance", instance}, {"job", job}}, 0, 0});
  }
  AppendUserRuleSeries(instances, &out);
  return out;
}

// The value of series k (index into MakeRedSeries) at its i-th sample, samples step_ms apart.
inline double RedValue(const RedSeries& g, size_t k, int i, int64_t step_ms) {
  if (g.rate == 0 && g.level == 0) return k % 50 == 0 && i % 40 < 3 ? 0 : 1;  // some `up` flap
  if (g.rate == 0) {
    return g.level == 1
               ? 1  // info-like series
               : g.level *
                     (1 + 0.001 * std::sin(static_cast<double>(i) * 0.05 + static_cast<double>(k)));
  }
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
