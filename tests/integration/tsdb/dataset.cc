#include "integration/tsdb/dataset.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "remotewrite/prompb_v1.pb.h"
#include "snappy.h"

namespace sundial::testing::tsdb_migration {
namespace {

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

struct Target {
  const char* job;
  const char* instance;
  double scale;
};

LabelPairs With(const char* name, LabelPairs labels) {
  labels.insert(labels.begin(), {"__name__", name});
  return labels;
}

}  // namespace

double StaleNaN() {
  double v = 0;
  std::memcpy(&v, &kStaleNaNBits, sizeof v);
  return v;
}

bool IsStaleNaN(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == kStaleNaNBits;
}

std::vector<DatasetSeries> Dataset(int64_t origin, int64_t churn_from, int64_t churn_to,
                                   int64_t stale_at) {
  const std::vector<Target> targets = {
      {"api", "api-1:8080", 1.0},    {"api", "api-2:8080", 1.3},
      {"api", "api-3:8080", 0.7},    {"node", "node-1:9100", 0.2},
      {"node", "node-2:9100", 0.25}, {"worker", "worker-1:9000", 2.5}};
  const std::vector<std::pair<const char*, double>> statuses = {
      {"200", 10}, {"404", 0.7}, {"500", 0.25}};
  const std::vector<std::pair<const char*, double>> buckets = {
      {"0.05", 0.31}, {"0.1", 0.52}, {"0.25", 0.74}, {"0.5", 0.87},
      {"1", 0.95},    {"2.5", 0.99}, {"+Inf", 1.0}};
  std::vector<DatasetSeries> out;
  for (size_t k = 0; k < targets.size(); ++k) {
    const Target tg = targets[k];
    const LabelPairs target = {{"instance", tg.instance}, {"job", tg.job}};
    // up: the third api instance is down for 40 steps in the middle of every 200.
    out.push_back({With("up", target), [k](int64_t i) -> std::optional<double> {
                     return (k == 2 && i % 200 >= 80 && i % 200 < 120) ? 0.0 : 1.0;
                   }});
    for (const char* method : {"GET", "POST"}) {
      for (const auto& [status, weight] : statuses) {
        const double rate = tg.scale * weight * (std::strcmp(method, "GET") == 0 ? 3 : 1);
        // The worker's GET 200 counter restarts every 300 steps.
        const bool resets = k == 5 && std::strcmp(method, "GET") == 0 && weight == 10;
        out.push_back({{{"__name__", "http_requests_total"},
                        {"instance", tg.instance},
                        {"job", tg.job},
                        {"method", method},
                        {"status", status}},
                       [origin, rate, resets](int64_t i) -> std::optional<double> {
                         int64_t j = i - origin;
                         if (resets) j %= 300;
                         return rate * static_cast<double>(j) + 0.25 * rate * (j % 4);
                       }});
      }
    }
    const auto count = [origin, tg](int64_t i) {
      return std::floor(20 * tg.scale * static_cast<double>(i - origin));
    };
    for (const auto& [le, fraction] : buckets) {
      const double f = fraction == 1.0 ? 1.0 : fraction * (1.0 - 0.05 * static_cast<double>(k));
      out.push_back(
          {{{"__name__", "http_request_duration_seconds_bucket"},
            {"instance", tg.instance},
            {"job", tg.job},
            {"le", le}},
           [count, f](int64_t i) -> std::optional<double> { return std::floor(count(i) * f); }});
    }
    out.push_back({With("http_request_duration_seconds_sum", target),
                   [count, k](int64_t i) -> std::optional<double> {
                     return count(i) * (0.08 + 0.01 * static_cast<double>(k)) + 0.001 * (i % 7);
                   }});
    out.push_back({With("http_request_duration_seconds_count", target),
                   [count](int64_t i) -> std::optional<double> { return count(i); }});
    out.push_back(
        {With("process_resident_memory_bytes", target), [tg](int64_t i) -> std::optional<double> {
           return 5.0e7 * tg.scale + 12345.678 * static_cast<double>(i % 37) -
                  1000.0 * static_cast<double>(i % 5);
         }});
    out.push_back(
        {With("http_requests_in_flight", target), [k](int64_t i) -> std::optional<double> {
           return static_cast<double>(i % 9) / 3.0 + 0.1 * static_cast<double>(k);
         }});
  }
  out.push_back(
      {{{"__name__", "batch_job_duration_seconds"}, {"instance", "batch:9091"}, {"job", "batch"}},
       [churn_from, churn_to](int64_t i) -> std::optional<double> {
         if (i < churn_from || i >= churn_to) return std::nullopt;
         return 12.5 + 0.125 * static_cast<double>(i % 11);
       }});
  out.push_back(
      {{{"__name__", "worker_queue_depth"}, {"instance", "worker-1:9000"}, {"job", "worker"}},
       [stale_at](int64_t i) -> std::optional<double> {
         if (i > stale_at) return std::nullopt;
         if (i == stale_at) return StaleNaN();
         return 100.0 + 7.0 * static_cast<double>(i % 6);
       }});
  return out;
}

void ForEachPoint(const std::vector<DatasetSeries>& data, int64_t from, int64_t to, bool skip_stale,
                  const std::function<void(const Point&)>& fn) {
  for (int64_t i = from; i < to; ++i) {
    for (const DatasetSeries& s : data) {
      std::optional<double> v = s.value(i);
      if (!v.has_value() || (skip_stale && IsStaleNaN(*v))) continue;
      fn({&s, i * kStepMs, *v});
    }
  }
}

std::string RemoteWriteBody(const std::vector<DatasetSeries>& data, int64_t from, int64_t to) {
  remotewrite::prompb::WriteRequest request;
  for (const DatasetSeries& s : data) {
    remotewrite::prompb::TimeSeries* ts = nullptr;
    for (int64_t i = from; i < to; ++i) {
      std::optional<double> v = s.value(i);
      if (!v.has_value()) continue;
      if (ts == nullptr) {
        ts = request.add_timeseries();
        for (const auto& [name, value] : s.labels) {
          remotewrite::prompb::Label* l = ts->add_labels();
          l->set_name(name);
          l->set_value(value);
        }
      }
      remotewrite::prompb::Sample* sample = ts->add_samples();
      sample->set_timestamp(i * kStepMs);
      sample->set_value(*v);
    }
  }
  const std::string raw = request.SerializeAsString();
  std::string body;
  snappy::Compress(raw.data(), raw.size(), &body);
  return body;
}

std::string OpenMetrics(const std::vector<DatasetSeries>& data, int64_t from, int64_t to) {
  std::string out;
  char buf[64];
  for (const DatasetSeries& s : data) {
    std::string name, labels;
    for (const auto& [k, v] : s.labels) {
      if (k == "__name__") {
        name = v;
        continue;
      }
      labels += (labels.empty() ? "{" : ",") + k + "=\"" + v + "\"";
    }
    if (!labels.empty()) labels += "}";
    for (int64_t i = from; i < to; ++i) {
      std::optional<double> v = s.value(i);
      if (!v.has_value() || IsStaleNaN(*v)) continue;
      std::snprintf(buf, sizeof buf, " %.17g %lld\n", *v,
                    static_cast<long long>(i * kStepMs / 1000));
      out += name + labels + buf;
    }
  }
  out += "# EOF\n";
  return out;
}

}  // namespace sundial::testing::tsdb_migration
