#include "remotewrite/otlp/internal/translate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <span>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "remotewrite/otlp/internal/any_value.h"
#include "tsdb/value.h"

namespace sundial::remotewrite::otlp {
namespace {

namespace pb = ::sundial::otlp;
using Attributes = google::protobuf::RepeatedPtrField<pb::KeyValue>;

constexpr std::string_view kServiceName = "service.name";
constexpr std::string_view kServiceNamespace = "service.namespace";
constexpr std::string_view kServiceInstanceId = "service.instance.id";
constexpr std::string_view kIdentifying[] = {kServiceNamespace, kServiceName, kServiceInstanceId};
constexpr std::string_view kReserved[] = {kMetricNameLabel};
constexpr uint32_t kNoRecordedValue = pb::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK;
constexpr std::string_view kTraceIdLabel = "trace_id";
constexpr std::string_view kSpanIdLabel = "span_id";

const pb::KeyValue* Find(const Attributes& attributes, std::string_view key) {
  for (const pb::KeyValue& kv : attributes) {
    if (kv.key() == key) return &kv;
  }
  return nullptr;
}

std::string ValueString(const pb::AnyValue& value) {
  std::string out;
  AppendAnyValue(value, &out);
  return out;
}

int64_t Millis(uint64_t unix_nano) { return static_cast<int64_t>(unix_nano) / 1000000; }

// Go's strconv.FormatFloat(v, 'f', -1, 64), as Prometheus writes le and quantile values.
std::string FormatLabelFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];  // the longest fixed form of a double is ~330 characters
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (res.ec != std::errc()) return StrCat(v);
  return std::string(buf, res.ptr);
}

double PointValue(const pb::NumberDataPoint& p) {
  switch (p.value_case()) {
    case pb::NumberDataPoint::kAsInt:
      return static_cast<double>(p.as_int());
    case pb::NumberDataPoint::kAsDouble:
      return p.as_double();
    case pb::NumberDataPoint::VALUE_NOT_SET:
      break;
  }
  return 0;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// UTF-8 characters of s, as Go's utf8.RuneCountInString (an invalid byte counts as one).
size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

double ExemplarValue(const pb::Exemplar& e) {
  return e.value_case() == pb::Exemplar::kAsInt ? static_cast<double>(e.as_int()) : e.as_double();
}

// Prometheus' exemplar of an OTLP one (see the file comment of translate.h for its labels).
tsdb::Exemplar ToExemplar(const pb::Exemplar& e) {
  LabelsBuilder labels;
  size_t runes = 0;
  if (!e.trace_id().empty()) {
    labels.Set(kTraceIdLabel, Hex(e.trace_id()));
    runes += kTraceIdLabel.size() + e.trace_id().size() * 2;
  }
  if (!e.span_id().empty()) {
    labels.Set(kSpanIdLabel, Hex(e.span_id()));
    runes += kSpanIdLabel.size() + e.span_id().size() * 2;
  }
  std::vector<std::pair<std::string_view, std::string>> attributes;
  for (const pb::KeyValue& kv : e.filtered_attributes()) {
    attributes.emplace_back(kv.key(), std::string());
    AppendAnyValue(kv.value(), &attributes.back().second);
    runes += RuneCount(kv.key()) + RuneCount(attributes.back().second);
  }
  if (runes <= static_cast<size_t>(tsdb::kExemplarMaxLabelSetLength)) {
    for (const auto& [name, value] : attributes) labels.Set(name, value);
  }
  return tsdb::Exemplar{.labels = labels.Build(),
                        .value = ExemplarValue(e),
                        .ts = Millis(e.time_unix_nano()),
                        .has_ts = true};
}

template <typename Points>
void MinMaxTimestamps(const Points& points, uint64_t* earliest, uint64_t* latest) {
  for (const auto& p : points) {
    *earliest = std::min<uint64_t>(*earliest, p.time_unix_nano());
    *latest = std::max<uint64_t>(*latest, p.time_unix_nano());
  }
}

class Translator {
 public:
  Translator(const TranslateOptions& options, SampleWriter* writer, TranslateResult* result)
      : options_(options), writer_(writer), result_(result) {}

  void Run(const pb::ExportMetricsServiceRequest& request) {
    for (const pb::ResourceMetrics& rm : request.resource_metrics()) {
      uint64_t earliest = std::numeric_limits<uint64_t>::max();
      uint64_t latest = 0;
      const bool resource_ok = SetResource(rm.resource());
      for (const pb::ScopeMetrics& sm : rm.scope_metrics()) {
        for (const pb::Metric& metric : sm.metrics()) {
          if (!resource_ok) {
            result_->data_points += PointCount(metric);
            Reject(PointCount(metric), {});
            continue;
          }
          TranslateMetric(metric, &earliest, &latest);
          if (result_->stopped) return;
        }
      }
      if (resource_ok && earliest != std::numeric_limits<uint64_t>::max()) {
        TargetInfo(rm.resource(), earliest, latest);
        if (result_->stopped) return;
      }
    }
  }

 private:
  static size_t PointCount(const pb::Metric& m) {
    switch (m.data_case()) {
      case pb::Metric::kGauge:
        return m.gauge().data_points_size();
      case pb::Metric::kSum:
        return m.sum().data_points_size();
      case pb::Metric::kHistogram:
        return m.histogram().data_points_size();
      case pb::Metric::kExponentialHistogram:
        return m.exponential_histogram().data_points_size();
      case pb::Metric::kSummary:
        return m.summary().data_points_size();
      case pb::Metric::DATA_NOT_SET:
        break;
    }
    return 0;
  }

  void Error(std::string message) {
    if (message.empty()) return;
    if (result_->errors++ < static_cast<uint64_t>(kMaxErrorMessages)) {
      result_->error_messages.push_back(std::move(message));
    }
  }

  void Reject(size_t points, std::string message) {
    result_->rejected_data_points += points;
    Error(std::move(message));
  }

  // The Prometheus name of an attribute key, cached for the request.
  const std::string* LabelName(const std::string& key) {
    auto it = label_names_.find(key);
    if (it != label_names_.end()) return &it->second;
    absl::StatusOr<std::string> name = BuildLabelName(key, options_.naming);
    if (!name.ok()) {
      Error(std::string(AsStd(name.status().message())));
      return nullptr;
    }
    return &label_names_.emplace(key, *std::move(name)).first->second;
  }

  // Computes what every series of a resource shares: job, instance, promoted attributes.
  bool SetResource(const pb::Resource& resource) {
    job_.clear();
    instance_.clear();
    promoted_.clear();
    const Attributes& attributes = resource.attributes();
    if (const pb::KeyValue* name = Find(attributes, kServiceName)) {
      job_ = ValueString(name->value());
      if (const pb::KeyValue* ns = Find(attributes, kServiceNamespace)) {
        job_ = StrCat(ValueString(ns->value()), "/", job_);
      }
    }
    if (const pb::KeyValue* id = Find(attributes, kServiceInstanceId)) {
      instance_ = ValueString(id->value());
    }
    const std::vector<std::string>& promote = options_.promote_resource_attributes;
    for (const pb::KeyValue& kv : attributes) {
      if (std::find(promote.begin(), promote.end(), kv.key()) == promote.end()) continue;
      const std::string* name = LabelName(kv.key());
      if (name == nullptr) return false;
      std::string value = ValueString(kv.value());
      auto it = std::find_if(promoted_.begin(), promoted_.end(),
                             [&](const auto& p) { return p.first == *name; });
      if (it != promoted_.end()) {
        it->second = std::move(value);
      } else {
        promoted_.emplace_back(*name, std::move(value));
      }
    }
    return true;
  }

  std::string* FindBase(std::string_view name) {
    for (auto& [n, v] : base_) {
      if (n == name) return &v;
    }
    return nullptr;
  }

  // Fills base_ with the labels of one data point (or of target_info): its attributes except
  // `ignore`, merged by sanitised name; promoted resource attributes; job and instance.
  bool BaseLabels(const Attributes& attributes, std::span<const std::string_view> ignore,
                  bool promote) {
    sorted_.clear();
    for (const pb::KeyValue& kv : attributes) {
      if (std::find(ignore.begin(), ignore.end(), kv.key()) != ignore.end()) continue;
      sorted_.push_back(&kv);
    }
    std::stable_sort(
        sorted_.begin(), sorted_.end(),
        [](const pb::KeyValue* a, const pb::KeyValue* b) { return a->key() < b->key(); });
    base_.clear();
    for (const pb::KeyValue* kv : sorted_) {
      const std::string* name = LabelName(kv->key());
      if (name == nullptr) return false;
      value_.clear();
      AppendAnyValue(kv->value(), &value_);
      if (!IsValidUtf8(value_)) {
        Error(StrCat("invalid UTF-8 in the value of attribute \"", *name, "\""));
        return false;
      }
      if (std::string* existing = FindBase(*name)) {
        if (existing->empty()) {
          *existing = value_;
        } else {
          StrAppend(existing, ";", value_);
        }
      } else {
        base_.emplace_back(*name, value_);
      }
    }
    if (promote) {
      for (const auto& [name, value] : promoted_) {
        std::string* existing = FindBase(name);
        if (existing == nullptr) {
          base_.emplace_back(name, value);
        } else if (existing->empty()) {
          *existing = value;
        }
      }
    }
    SetBase("job", job_);
    SetBase("instance", instance_);
    return true;
  }

  void SetBase(std::string_view name, const std::string& value) {
    if (value.empty()) return;
    if (std::string* existing = FindBase(name)) {
      *existing = value;
    } else {
      base_.emplace_back(name, value);
    }
  }

  Labels Build(std::string_view metric_name, std::string_view extra_name = {},
               std::string_view extra_value = {}) {
    static const Labels kEmpty;
    builder_.Reset(kEmpty);
    for (const auto& [name, value] : base_) builder_.Set(name, value);
    if (!extra_name.empty()) builder_.Set(extra_name, extra_value);
    builder_.Set(kMetricNameLabel, metric_name);
    return builder_.Build();
  }

  bool Write(const Labels& labels, int64_t t, double v) {
    ++result_->samples;
    if (writer_->Write(labels, t, v)) return true;
    result_->stopped = true;
    return false;
  }

  bool Emit(std::string_view metric_name, int64_t t, double v, std::string_view extra_name = {},
            std::string_view extra_value = {}) {
    return Write(Build(metric_name, extra_name, extra_value), t, v);
  }

  void TranslateMetric(const pb::Metric& metric, uint64_t* earliest, uint64_t* latest) {
    const size_t points = PointCount(metric);
    result_->data_points += points;
    MetricIdentity id{.name = metric.name(), .unit = metric.unit()};
    pb::AggregationTemporality temporality = pb::AGGREGATION_TEMPORALITY_CUMULATIVE;
    switch (metric.data_case()) {
      case pb::Metric::kGauge:
        MinMaxTimestamps(metric.gauge().data_points(), earliest, latest);
        id.kind = MetricKind::kGauge;
        break;
      case pb::Metric::kSum:
        MinMaxTimestamps(metric.sum().data_points(), earliest, latest);
        id.kind =
            metric.sum().is_monotonic() ? MetricKind::kMonotonicSum : MetricKind::kNonMonotonicSum;
        temporality = metric.sum().aggregation_temporality();
        break;
      case pb::Metric::kHistogram:
        MinMaxTimestamps(metric.histogram().data_points(), earliest, latest);
        id.kind = MetricKind::kHistogram;
        temporality = metric.histogram().aggregation_temporality();
        break;
      case pb::Metric::kExponentialHistogram:
        MinMaxTimestamps(metric.exponential_histogram().data_points(), earliest, latest);
        id.kind = MetricKind::kExponentialHistogram;
        temporality = metric.exponential_histogram().aggregation_temporality();
        break;
      case pb::Metric::kSummary:
        MinMaxTimestamps(metric.summary().data_points(), earliest, latest);
        id.kind = MetricKind::kSummary;
        break;
      case pb::Metric::DATA_NOT_SET:
        Error(StrCat("unsupported metric type for metric \"", metric.name(), "\""));
        return;
    }
    if (points == 0) return;  // Prometheus drops it with a warning
    if (temporality != pb::AGGREGATION_TEMPORALITY_CUMULATIVE) {
      Reject(points,
             StrCat("invalid temporality and type combination for metric \"", metric.name(), "\""));
      return;
    }
    if (id.kind == MetricKind::kExponentialHistogram) {
      result_->exponential_histogram_points += points;
      Reject(points, StrCat("exponential histogram \"", metric.name(),
                            "\" dropped: native histograms are not supported"));
      return;
    }
    absl::StatusOr<std::string> name = BuildMetricName(id, options_.naming);
    if (!name.ok()) {
      Reject(points, std::string(AsStd(name.status().message())));
      return;
    }
    switch (metric.data_case()) {
      case pb::Metric::kGauge:
        return NumberPoints(*name, metric.gauge().data_points(), /*exemplars=*/false);
      case pb::Metric::kSum:
        return NumberPoints(*name, metric.sum().data_points(), /*exemplars=*/true);
      case pb::Metric::kHistogram:
        return HistogramPoints(*name, metric.histogram().data_points());
      case pb::Metric::kSummary:
        return SummaryPoints(*name, metric.summary().data_points());
      default:
        return;
    }
  }

  void WriteExemplar(const Labels& labels, const pb::Exemplar& e) {
    ++result_->exemplars;
    writer_->WriteExemplar(labels, ToExemplar(e));
  }

  // Exemplars of sums only, as Prometheus.
  void NumberPoints(const std::string& name,
                    const google::protobuf::RepeatedPtrField<pb::NumberDataPoint>& points,
                    bool exemplars) {
    for (const pb::NumberDataPoint& p : points) {
      if (!BaseLabels(p.attributes(), kReserved, true)) {
        ++result_->rejected_data_points;
        continue;
      }
      double v = (p.flags() & kNoRecordedValue) ? tsdb::StaleNaN() : PointValue(p);
      const Labels labels = Build(name);
      if (!Write(labels, Millis(p.time_unix_nano()), v)) return;
      if (!exemplars) continue;
      for (const pb::Exemplar& e : p.exemplars()) WriteExemplar(labels, e);
    }
  }

  void HistogramPoints(const std::string& name,
                       const google::protobuf::RepeatedPtrField<pb::HistogramDataPoint>& points) {
    const std::string sum_name = name + "_sum";
    const std::string count_name = name + "_count";
    const std::string bucket_name = name + "_bucket";
    for (const pb::HistogramDataPoint& p : points) {
      if (!BaseLabels(p.attributes(), kReserved, true)) {
        ++result_->rejected_data_points;
        continue;
      }
      const bool stale = p.flags() & kNoRecordedValue;
      const int64_t t = Millis(p.time_unix_nano());
      const double count = stale ? tsdb::StaleNaN() : static_cast<double>(p.count());
      if (p.has_sum() && !Emit(sum_name, t, stale ? tsdb::StaleNaN() : p.sum())) return;
      if (!Emit(count_name, t, count)) return;
      uint64_t cumulative = 0;
      const int buckets = std::min(p.explicit_bounds_size(), p.bucket_counts_size());
      bucket_labels_.clear();
      for (int i = 0; i < buckets; ++i) {
        cumulative += p.bucket_counts(i);
        double v = stale ? tsdb::StaleNaN() : static_cast<double>(cumulative);
        Labels labels = Build(bucket_name, "le", FormatLabelFloat(p.explicit_bounds(i)));
        if (!Write(labels, t, v)) return;
        // A NaN bound holds no value (and would break the sort below).
        if (p.exemplars_size() > 0 && !std::isnan(p.explicit_bounds(i))) {
          bucket_labels_.emplace_back(p.explicit_bounds(i), std::move(labels));
        }
      }
      Labels inf = Build(bucket_name, "le", "+Inf");
      if (!Write(inf, t, count)) return;
      if (p.exemplars_size() == 0) continue;
      bucket_labels_.emplace_back(std::numeric_limits<double>::infinity(), std::move(inf));
      std::stable_sort(bucket_labels_.begin(), bucket_labels_.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const pb::Exemplar& e : p.exemplars()) {
        const double value = ExemplarValue(e);
        for (const auto& [bound, labels] : bucket_labels_) {
          if (value <= bound) {
            WriteExemplar(labels, e);
            break;
          }
        }
      }
    }
  }

  void SummaryPoints(const std::string& name,
                     const google::protobuf::RepeatedPtrField<pb::SummaryDataPoint>& points) {
    const std::string sum_name = name + "_sum";
    const std::string count_name = name + "_count";
    for (const pb::SummaryDataPoint& p : points) {
      if (!BaseLabels(p.attributes(), kReserved, true)) {
        ++result_->rejected_data_points;
        continue;
      }
      const bool stale = p.flags() & kNoRecordedValue;
      const int64_t t = Millis(p.time_unix_nano());
      if (!Emit(sum_name, t, stale ? tsdb::StaleNaN() : p.sum())) return;
      if (!Emit(count_name, t, stale ? tsdb::StaleNaN() : static_cast<double>(p.count()))) return;
      for (const auto& q : p.quantile_values()) {
        double v = stale ? tsdb::StaleNaN() : q.value();
        if (!Emit(name, t, v, "quantile", FormatLabelFloat(q.quantile()))) return;
      }
    }
  }

  void TargetInfo(const pb::Resource& resource, uint64_t earliest, uint64_t latest) {
    const Attributes& attributes = resource.attributes();
    int non_identifying = attributes.size();
    for (std::string_view key : kIdentifying) {
      if (Find(attributes, key) != nullptr) --non_identifying;
    }
    if (non_identifying <= 0) return;  // job and instance say it all
    std::span<const std::string_view> ignore = kIdentifying;
    if (options_.keep_identifying_resource_attributes) ignore = {};
    if (!BaseLabels(attributes, ignore, false)) return;
    const std::string* job = FindBase("job");
    const std::string* instance = FindBase("instance");
    if ((job == nullptr || job->empty()) && (instance == nullptr || instance->empty())) return;
    const Labels labels = Build("target_info");
    const uint64_t hash = labels.Hash();
    auto write = [&](uint64_t unix_nano) {
      int64_t t = Millis(unix_nano);
      if (!seen_target_info_.insert({hash, t}).second) return true;
      return Write(labels, t, 1);
    };
    const uint64_t interval =
        static_cast<uint64_t>(std::max<int64_t>(options_.lookback_delta_ms, 0)) / 2 * 1000000;
    if (interval > 0) {
      uint64_t start = earliest;
      const uint64_t max_span = interval * (kMaxTargetInfoSamples - 1);
      if (latest - earliest > max_span) start = latest - max_span;
      for (uint64_t t = start; t < latest; t += interval) {
        if (!write(t)) return;
        if (latest - t <= interval) break;  // also keeps t + interval from wrapping
      }
    }
    write(latest);
  }

  const TranslateOptions& options_;
  SampleWriter* const writer_;
  TranslateResult* const result_;

  std::string job_;
  std::string instance_;
  std::vector<std::pair<std::string, std::string>> promoted_;
  std::vector<const pb::KeyValue*> sorted_;
  std::vector<std::pair<std::string, std::string>> base_;
  std::string value_;
  LabelsBuilder builder_;
  std::vector<std::pair<double, Labels>> bucket_labels_;  // of one histogram point, by bound
  absl::flat_hash_map<std::string, std::string> label_names_;
  absl::flat_hash_set<std::pair<uint64_t, int64_t>> seen_target_info_;
};

}  // namespace

std::string TranslateResult::ErrorSummary() const {
  std::string out;
  for (const std::string& m : error_messages) {
    if (!out.empty()) out += "; ";
    out += m;
  }
  if (errors > error_messages.size()) {
    StrAppend(&out, " (and ", errors - error_messages.size(), " more errors)");
  }
  return out;
}

void Translate(const pb::ExportMetricsServiceRequest& request, const TranslateOptions& options,
               SampleWriter* writer, TranslateResult* result) {
  Translator(options, writer, result).Run(request);
}

}  // namespace sundial::remotewrite::otlp
