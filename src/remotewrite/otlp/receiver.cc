#include "remotewrite/otlp/receiver.h"

#include <exception>

#include "base/str_cat.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/util/json_util.h"
#include "remotewrite/internal/sample_sink.h"
#include "remotewrite/otlp/internal/decode.h"
#include "remotewrite/otlp/internal/translate.h"
#include "remotewrite/otlp/metrics.pb.h"
#include "remotewrite/write_handler.h"

namespace sundial::remotewrite::otlp {
namespace {

namespace pb = ::sundial::otlp;

constexpr std::string_view kProtobufType = "application/x-protobuf";
constexpr std::string_view kJsonType = "application/json";

// gRPC status codes, as google.rpc.Status carries them.
constexpr int kGrpcInvalidArgument = 3;
constexpr int kGrpcResourceExhausted = 8;
constexpr int kGrpcInternal = 13;

void Encode(const google::protobuf::Message& message, BodyFormat format, OtlpResponse* response) {
  response->headers.emplace_back(
      "Content-Type", std::string(format == BodyFormat::kJson ? kJsonType : kProtobufType));
  response->body.clear();
  if (format == BodyFormat::kProtobuf) {
    message.SerializeToString(&response->body);
    return;
  }
  if (!google::protobuf::util::MessageToJsonString(message, &response->body).ok()) {
    response->body = "{}";
  }
}

void SetError(OtlpResponse* response, int status, std::string_view message, BodyFormat format) {
  response->status = status;
  response->headers.clear();
  pb::Status s;
  s.set_code(status == 400   ? kGrpcInvalidArgument
             : status == 413 ? kGrpcResourceExhausted
                             : kGrpcInternal);
  s.set_message(std::string(message));
  Encode(s, format, response);
}

void SetUnsupported(OtlpResponse* response, std::string_view message) {
  response->status = 415;
  response->headers = {{"Content-Type", "text/plain; charset=utf-8"},
                       {"X-Content-Type-Options", "nosniff"}};
  response->body = StrCat(message, "\n");
}

// Appends translated samples through the remote write receiver's sink (same rejection rules).
class SinkWriter : public SampleWriter {
 public:
  explicit SinkWriter(SampleSink* sink) : sink_(sink) {}
  bool Write(const Labels& labels, int64_t t_ms, double v) override {
    tsdb::SeriesRef ref = 0;
    return sink_->Append(labels, &ref, t_ms, v);
  }
  // Refused exemplars never fail the request, as Prometheus' remote write 1.0 path.
  void WriteExemplar(const Labels& labels, const tsdb::Exemplar& exemplar) override {
    tsdb::SeriesRef ref = 0;
    sink_->AppendExemplar(labels, &ref, exemplar, /*out_of_order_fails=*/false);
  }

 private:
  SampleSink* sink_;
};

TranslateOptions TranslationOf(const OtlpOptions& options) {
  const std::string& strategy = options.config.translation_strategy;
  TranslateOptions t;
  t.naming.escape = strategy == "UnderscoreEscapingWithSuffixes" ||
                    strategy == "UnderscoreEscapingWithoutSuffixes";
  t.naming.add_suffixes =
      strategy == "UnderscoreEscapingWithSuffixes" || strategy == "NoUTF8EscapingWithSuffixes";
  t.promote_resource_attributes = options.config.promote_resource_attributes;
  t.keep_identifying_resource_attributes = options.config.keep_identifying_resource_attributes;
  t.lookback_delta_ms = options.lookback_delta_ms;
  return t;
}

void Handle(const OtlpRequestInfo& request, tsdb::Appendable* appendable,
            const OtlpOptions& options, BodyFormat format, bool gzip, OtlpResponse* response) {
  if (request.body.size() > options.max_body_bytes) {
    SetError(response, 413,
             StrCat("body of ", request.body.size(), " bytes exceeds the limit of ",
                    options.max_body_bytes),
             format);
    return;
  }
  std::string inflated;
  std::string_view body = request.body;
  if (gzip) {
    absl::StatusOr<std::string> out = Gunzip(body, options.max_decoded_bytes);
    if (!out.ok()) {
      SetError(response, absl::IsOutOfRange(out.status()) ? 413 : 400,
               AsStd(out.status().message()), format);
      return;
    }
    inflated = *std::move(out);
    body = inflated;
  }
  google::protobuf::Arena arena;
  auto* message = google::protobuf::Arena::CreateMessage<pb::ExportMetricsServiceRequest>(&arena);
  if (absl::Status parsed = ParseRequest(body, format, message); !parsed.ok()) {
    SetError(response, 400, AsStd(parsed.message()), format);
    return;
  }

  WriteStats write_stats;
  SampleSink sink(appendable, &write_stats);
  SinkWriter writer(&sink);
  TranslateResult result;
  Translate(*message, TranslationOf(options), &writer, &result);
  WriteResponse written;
  sink.Finish(&written);

  OtlpStats& stats = response->stats;
  stats.data_points = result.data_points;
  stats.rejected_data_points = result.rejected_data_points;
  stats.exponential_histogram_points = result.exponential_histogram_points;
  stats.samples = result.samples;
  stats.samples_written = write_stats.samples_written;
  stats.samples_rejected = write_stats.samples_rejected;
  stats.exemplars = result.exemplars;
  stats.exemplars_written = write_stats.exemplars_written;
  if (written.status != 204) {
    std::string_view text = written.body;
    if (text.ends_with('\n')) text.remove_suffix(1);
    SetError(response, written.status, text, format);
    return;
  }
  pb::ExportMetricsServiceResponse answer;
  if (result.rejected_data_points > 0 || result.errors > 0) {
    answer.mutable_partial_success()->set_rejected_data_points(
        static_cast<int64_t>(result.rejected_data_points));
    answer.mutable_partial_success()->set_error_message(result.ErrorSummary());
  }
  response->status = 200;
  Encode(answer, format, response);
}

}  // namespace

OtlpResponse HandleOtlp(const OtlpRequestInfo& request, tsdb::Appendable* appendable,
                        const OtlpOptions& options) {
  OtlpResponse response;
  absl::StatusOr<BodyFormat> format = ParseContentType(request.content_type);
  if (!format.ok()) {
    SetUnsupported(&response, AsStd(format.status().message()));
    return response;
  }
  bool gzip = false;
  if (!ParseContentEncoding(request.content_encoding, &gzip)) {
    SetUnsupported(&response, StrCat("unsupported compression: ", request.content_encoding,
                                     ". Only \"gzip\" or no compression supported"));
    return response;
  }
  try {
    Handle(request, appendable, options, *format, gzip, &response);
  } catch (const std::exception& e) {  // e.g. std::bad_alloc; never let it reach the server
    response = OtlpResponse{};
    SetError(&response, 500, StrCat("internal error: ", e.what()), *format);
  }
  return response;
}

}  // namespace sundial::remotewrite::otlp
