#include "remotewrite/otlp/otlp_payloads.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "base/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "remotewrite/otlp/metrics.pb.h"

namespace sundial::remotewrite::otlp::testing {

std::string Attributes(std::string_view pairs) {
  std::vector<std::string_view> quoted;
  size_t pos = 0;
  while ((pos = pairs.find('"', pos)) != std::string_view::npos) {
    size_t end = pairs.find('"', pos + 1);
    if (end == std::string_view::npos) break;
    quoted.push_back(pairs.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  std::string out;
  for (size_t i = 0; i + 1 < quoted.size(); i += 2) {
    if (!out.empty()) out += ", ";
    StrAppend(&out, R"({"key": ")", quoted[i], R"(", "value": {"stringValue": ")", quoted[i + 1],
              R"("}})");
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ",\n";
    out += p;
  }
  return out;
}

namespace {

std::string Point(std::string_view attrs, std::string_view rest) {
  return StrCat(R"({"timeUnixNano": ")", kT0Ns, R"(", "startTimeUnixNano": "1690000000000000000",)",
                R"( "attributes": [)", Attributes(attrs), "], ", rest, "}");
}

std::string Head(std::string_view name, std::string_view unit) {
  return StrCat(R"({"name": ")", name, R"(", "unit": ")", unit, R"(", "description": "d", )");
}

}  // namespace

std::string Gauge(std::string_view name, std::string_view unit, std::string_view attrs, double v) {
  return StrCat(Head(name, unit), R"("gauge": {"dataPoints": [)",
                Point(attrs, StrCat(R"("asDouble": )", v)), "]}}");
}

std::string Sum(std::string_view name, std::string_view unit, bool monotonic, int temporality,
                std::string_view attrs, double v) {
  return StrCat(Head(name, unit), R"("sum": {"isMonotonic": )", monotonic ? "true" : "false",
                R"(, "aggregationTemporality": )", temporality, R"(, "dataPoints": [)",
                Point(attrs, StrCat(R"("asDouble": )", v)), "]}}");
}

std::string Histogram(std::string_view name, std::string_view unit, int temporality,
                      std::string_view attrs, const std::vector<double>& bounds,
                      const std::vector<uint64_t>& counts, double sum) {
  uint64_t count = 0;
  std::string b, c;
  for (double x : bounds) StrAppend(&b, b.empty() ? "" : ", ", x);
  for (uint64_t x : counts) {
    count += x;
    StrAppend(&c, c.empty() ? "" : ", ", "\"", x, "\"");
  }
  return StrCat(
      Head(name, unit), R"("histogram": {"aggregationTemporality": )", temporality,
      R"(, "dataPoints": [)",
      Point(attrs, StrCat(R"("count": ")", count, R"(", "sum": )", sum, R"(, "explicitBounds": [)",
                          b, R"(], "bucketCounts": [)", c, "]")),
      "]}}");
}

std::string Summary(std::string_view name, std::string_view unit, std::string_view attrs,
                    uint64_t count, double sum,
                    const std::vector<std::pair<double, double>>& quantiles) {
  std::string q;
  for (const auto& [quantile, value] : quantiles) {
    StrAppend(&q, q.empty() ? "" : ", ", R"({"quantile": )", quantile, R"(, "value": )", value,
              "}");
  }
  return StrCat(Head(name, unit), R"("summary": {"dataPoints": [)",
                Point(attrs, StrCat(R"("count": ")", count, R"(", "sum": )", sum,
                                    R"(, "quantileValues": [)", q, "]")),
                "]}}");
}

std::string ResourceMetrics(std::string_view resource_attrs, std::string_view metrics) {
  return StrCat(R"({"resource": {"attributes": [)", Attributes(resource_attrs),
                R"(]}, "scopeMetrics": [{"scope": {"name": "test", "version": "1"}, "metrics": [)",
                metrics, "]}]}");
}

std::string Request(std::string_view resource_metrics) {
  return StrCat(R"({"resourceMetrics": [)", resource_metrics, "]}");
}

std::string Resource(std::string_view resource_attrs, std::string_view metrics) {
  return Request(ResourceMetrics(resource_attrs, metrics));
}

std::string JsonToProtobuf(std::string_view json) {
  ::sundial::otlp::ExportMetricsServiceRequest request;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &request);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return request.SerializeAsString();
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace sundial::remotewrite::otlp::testing
