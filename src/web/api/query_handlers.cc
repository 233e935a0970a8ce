// /api/v1/query, /api/v1/query_range, /api/v1/format_query, /api/v1/query_exemplars.
#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <utility>

#include "base/str_cat.h"
#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "promql/printer.h"
#include "web/api/api_internal.h"
#include "web/api/json.h"
#include "web/api/matrix_writer.h"
#include "web/api/params.h"

namespace sundial::web::api {
namespace {

using Clock = std::chrono::steady_clock;

// What a query handler parsed on the io thread and hands to the query pool.
struct QueryJob {
  std::string text;  // the query as sent: queries.active and annotation positions show it
  promql::ExprPtr expr;
  promql::EngineOptions engine_options;
  bool range = false;
  int64_t start = 0, end = 0, step = 0;
  int64_t limit = 0;
  bool stats = false;
  Clock::time_point queued;
};

// Prometheus' returnAPIError: the kind of a failed evaluation.
ApiError EvalError(const absl::Status& s) {
  std::string message(AsStd(s.message()));
  switch (s.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return {ErrorType::kTimeout, std::move(message)};
    case absl::StatusCode::kCancelled:
      return {ErrorType::kCanceled, std::move(message)};
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnknown:
      return {ErrorType::kInternal, std::move(message)};
    default:
      return {ErrorType::kExecution, std::move(message)};
  }
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void AppendStats(std::string* out, const promql::QueryStats& stats, Clock::duration queue,
                 Clock::duration eval) {
  out->append(R"(,"stats":{"timings":{"evalTotalTime":)");
  AppendGoJsonNumber(out, Seconds(eval));
  out->append(R"(,"resultSortTime":0,"queryPreparationTime":0,"innerEvalTime":)");
  AppendGoJsonNumber(out, Seconds(eval));
  out->append(R"(,"execQueueTime":)");
  AppendGoJsonNumber(out, Seconds(queue));
  out->append(R"(,"execTotalTime":)");
  AppendGoJsonNumber(out, Seconds(queue + eval));
  StrAppend(out, R"(}},"samples":{"totalQueryableSamples":)", stats.samples_loaded,
            R"(,"peakSamples":)", stats.peak_samples, "}}");
}

// One vector sample, {"metric":{...},"value":[t,"v"]}; false once the client is gone.
bool WriteSample(JsonStream* js, const Labels& labels, int64_t t, double v) {
  std::string* out = js->buf();
  out->append(R"({"metric":)");
  AppendLabels(out, labels);
  out->append(R"(,"value":[)");
  AppendTimestamp(out, t);
  out->push_back(',');
  AppendSampleValue(out, v);
  out->append("]}");
  return js->MaybeFlush();
}

// Writes the data object of a successful query, streaming series by series.
bool WriteResult(JsonStream* js, const promql::Value& value) {
  std::string* out = js->buf();
  if (const auto* v = std::get_if<promql::Vector>(&value)) {
    out->append(R"({"resultType":"vector","result":[)");
    for (size_t i = 0; i < v->size(); ++i) {
      const promql::Sample& s = (*v)[i];
      if (i > 0) out->push_back(',');
      if (!WriteSample(js, s.labels, s.t, s.v)) return false;
    }
    out->append("]");
  } else if (const auto* m = std::get_if<promql::Matrix>(&value)) {
    out->append(R"({"resultType":"matrix","result":[)");
    for (size_t i = 0; i < m->size(); ++i) {
      if (i > 0) out->push_back(',');
      if (!WriteSeries(js, (*m)[i].labels, (*m)[i].points)) return false;
    }
    out->append("]");
  } else if (const auto* sc = std::get_if<promql::Scalar>(&value)) {
    out->append(R"({"resultType":"scalar","result":[)");
    AppendGoJsonNumber(out, static_cast<double>(sc->t) / 1000);
    out->push_back(',');
    AppendScalarValue(out, sc->v);
    out->append("]");
  } else if (const auto* str = std::get_if<promql::String>(&value)) {
    out->append(R"({"resultType":"string","result":[)");
    AppendGoJsonNumber(out, static_cast<double>(str->t) / 1000);
    out->push_back(',');
    AppendJsonString(out, str->s);
    out->append("]");
  } else {
    out->append(R"({"resultType":"","result":null)");
  }
  return true;
}

// Truncates vectors and matrices to limit entries; true if something was dropped.
bool Truncate(promql::Value* value, int64_t limit) {
  if (limit <= 0) return false;
  size_t n = static_cast<size_t>(limit);
  if (auto* v = std::get_if<promql::Vector>(value); v && v->size() > n) {
    v->resize(n);
    return true;
  }
  if (auto* m = std::get_if<promql::Matrix>(value); m && m->size() > n) {
    m->resize(n);
    return true;
  }
  return false;
}

// Answers a query the engine evaluates series by series (Engine::StreamsRangeResult,
// Engine::StreamsInstantResult): each series (or instant sample) is written as soon as it is
// computed, so memory is one series and the write buffer, not the result; the bytes are those
// RunQuery writes for the whole Matrix or Vector. An error before the first 64 KiB went out is
// answered as usual. After that the 200 status line is gone, so the connection is broken off:
// the client sees an incomplete body, never a complete-looking one. With `limit`, later series
// are still evaluated (not written), so errors, stats and the truncation warning stay those of
// the whole query.
void StreamQuery(const promql::Engine& engine, tsdb::Queryable* storage, const QueryJob& job,
                 const promql::QueryControl& control, Responder* resp, Clock::time_point started) {
  JsonStream js(resp);
  *js.buf() = BeginSuccess();
  js.buf()->append(job.range ? R"({"resultType":"matrix","result":[)"
                             : R"({"resultType":"vector","result":[)");
  int64_t series = 0;
  bool gone = false;
  std::optional<MatrixWriter> matrix;  // range answers are written on a second thread
  if (job.range) matrix.emplace(&js);
  auto write = [&](const Labels& labels, std::span<const promql::FPoint> points) {
    if (job.limit > 0 && series >= job.limit) {
      ++series;
      return absl::OkStatus();
    }
    bool written;
    if (matrix.has_value()) {
      written = matrix->Add(labels, points);
    } else {
      if (series > 0) js.buf()->push_back(',');
      written = WriteSample(&js, labels, points[0].t, points[0].v);
    }
    ++series;
    if (written) return absl::OkStatus();
    gone = true;
    return absl::CancelledError("client went away");
  };
  promql::Result r = job.range ? engine.RangeQueryStream(storage, *job.expr, job.start, job.end,
                                                         job.step, control, job.text, write)
                               : engine.InstantQueryStream(storage, *job.expr, job.start, control,
                                                           job.text, write);
  Clock::time_point done = Clock::now();
  // Also after an error everything evaluated is written, so whether the answer started
  // (and is broken off below rather than answered with the error) does not depend on how far
  // the writing thread got.
  if (matrix.has_value() && !gone) gone = !matrix->Finish();
  if (gone) return;
  if (!r.status.ok()) {
    if (resp->started()) {
      resp->Abort();
    } else {
      SendError(resp, EvalError(r.status));
    }
    return;
  }
  if (job.limit > 0 && series > job.limit) r.warnings.emplace_back(kTruncatedWarning);
  js.buf()->append("]");
  if (job.stats) AppendStats(js.buf(), r.stats, started - job.queued, done - started);
  js.buf()->push_back('}');
  EndSuccess(js.buf(), r.warnings, r.infos);
  js.Finish();
}

// Evaluates the job and answers it. A client that hangs up cancels the evaluation, also while
// the job waits in the pool's queue, as Prometheus cancels on the request context.
void RunQuery(tsdb::Queryable* storage, const QueryJob& job, Responder* resp) {
  promql::QueryControl control;
  control.cancel = resp->client_gone();
  if (control.cancel != nullptr && control.cancel->load()) return;
  Clock::time_point started = Clock::now();
  promql::Engine engine(job.engine_options);
  // Per-series queries and range aggregations of them stream; vector-vector operations and
  // the rest are evaluated whole (they need every series at once), then written.
  if (job.range ? promql::Engine::StreamsRangeResult(*job.expr)
                : promql::Engine::StreamsInstantResult(*job.expr)) {
    StreamQuery(engine, storage, job, control, resp, started);
    return;
  }
  promql::Result r =
      job.range
          ? engine.RangeQuery(storage, *job.expr, job.start, job.end, job.step, control, job.text)
          : engine.InstantQuery(storage, *job.expr, job.start, control, job.text);
  Clock::time_point done = Clock::now();
  if (!r.status.ok()) {
    SendError(resp, EvalError(r.status));
    return;
  }
  if (Truncate(&r.value, job.limit)) r.warnings.emplace_back(kTruncatedWarning);
  JsonStream js(resp);
  *js.buf() = BeginSuccess();
  if (!WriteResult(&js, r.value)) return;
  if (job.stats) AppendStats(js.buf(), r.stats, started - job.queued, done - started);
  js.buf()->push_back('}');
  EndSuccess(js.buf(), r.warnings, r.infos);
  js.Finish();
}

// The parameters both query endpoints share after their time parameters: timeout,
// lookback_delta, stats, limit, and the query itself. Returns false after answering an error.
bool ParseCommon(const ApiOptions& options, const HttpRequest& req, QueryJob* job, Responder* resp,
                 bool prefix_parse_error) {
  job->engine_options = options.engine_options;
  if (std::string_view t = req.Param("timeout"); !t.empty()) {
    absl::StatusOr<int64_t> ns = ParseDurationNs(t);
    if (!ns.ok()) {
      SendError(resp, ApiError::BadData(InvalidParam("timeout", AsStd(ns.status().message()))));
      return false;
    }
    int64_t ms = std::max<int64_t>(*ns / 1000000, 1);
    if (job->engine_options.timeout_ms <= 0 || ms < job->engine_options.timeout_ms)
      job->engine_options.timeout_ms = ms;
  }
  if (std::string_view lb = req.Param("lookback_delta"); !lb.empty()) {
    absl::StatusOr<int64_t> ns = ParseDurationNs(lb);
    if (!ns.ok()) {
      SendError(resp,
                ApiError::BadData(InvalidParam("lookback_delta", AsStd(ns.status().message()))));
      return false;
    }
    if (*ns > 0) job->engine_options.lookback_delta_ms = *ns / 1000000;
  }
  job->stats = !req.Param("stats").empty();
  job->text = std::string(req.Param("query"));
  absl::StatusOr<promql::ExprPtr> expr =
      promql::Parse(job->text, job->engine_options.parse_options);
  if (!expr.ok()) {
    // Prometheus 2.42 names the parameter for /query but not for /query_range.
    std::string message(AsStd(expr.status().message()));
    SendError(resp,
              ApiError::BadData(prefix_parse_error ? InvalidParam("query", message) : message));
    return false;
  }
  job->expr = *std::move(expr);
  return true;
}

}  // namespace

void Api::Impl::Query(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  auto job = std::make_shared<QueryJob>();
  absl::StatusOr<int64_t> limit = ParseLimit(req.Param("limit"));
  if (!limit.ok()) {
    SendError(resp.get(),
              ApiError::BadData(InvalidParam("limit", AsStd(limit.status().message()))));
    return;
  }
  job->limit = *limit;
  absl::StatusOr<int64_t> t = ParseTimeParam(req, "time", NowMs());
  if (!t.ok()) {
    SendError(resp.get(), ApiError::BadData(InvalidParam("time", AsStd(t.status().message()))));
    return;
  }
  job->start = job->end = *t;
  if (!ParseCommon(options, req, job.get(), resp.get(), /*prefix_parse_error=*/true)) return;
  job->queued = Clock::now();
  // An instant query is usually answered in well under a millisecond, where handing it to a
  // pool thread costs as much again: it runs on the server's thread when one can be spared.
  pool.SubmitOrRunElsewhere(
      [this, job, resp] { RunQuery(options.storage, *job, resp.get()); },
      [&resp](std::function<void()>& task) { return resp->RunAfterHandler(task); });
}

void Api::Impl::QueryRange(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  auto job = std::make_shared<QueryJob>();
  job->range = true;
  absl::StatusOr<int64_t> limit = ParseLimit(req.Param("limit"));
  if (!limit.ok()) {
    SendError(resp.get(),
              ApiError::BadData(InvalidParam("limit", AsStd(limit.status().message()))));
    return;
  }
  job->limit = *limit;
  absl::StatusOr<int64_t> start = ParseTime(req.Param("start"));
  if (!start.ok()) {
    SendError(resp.get(),
              ApiError::BadData(InvalidParam("start", AsStd(start.status().message()))));
    return;
  }
  absl::StatusOr<int64_t> end = ParseTime(req.Param("end"));
  if (!end.ok()) {
    SendError(resp.get(), ApiError::BadData(InvalidParam("end", AsStd(end.status().message()))));
    return;
  }
  if (*end < *start) {
    SendError(resp.get(), ApiError::BadData(
                              InvalidParam("end", "end timestamp must not be before start time")));
    return;
  }
  absl::StatusOr<int64_t> step_ns = ParseDurationNs(req.Param("step"));
  if (!step_ns.ok()) {
    SendError(resp.get(),
              ApiError::BadData(InvalidParam("step", AsStd(step_ns.status().message()))));
    return;
  }
  if (*step_ns <= 0) {
    SendError(resp.get(),
              ApiError::BadData(InvalidParam(
                  "step",
                  "zero or negative query resolution step widths are not accepted. Try a "
                  "positive integer")));
    return;
  }
  // Prometheus divides the nanosecond durations: (end-start)/step > 11000.
  __int128 span_ns = static_cast<__int128>(*end - *start) * 1000000;
  if (span_ns / *step_ns > 11000) {
    SendError(resp.get(),
              ApiError::BadData("exceeded maximum resolution of 11,000 points per timeseries. "
                                "Try decreasing the query resolution (?step=XX)"));
    return;
  }
  job->start = *start;
  job->end = *end;
  job->step = std::max<int64_t>(*step_ns / 1000000, 1);
  if (!ParseCommon(options, req, job.get(), resp.get(), /*prefix_parse_error=*/false)) return;
  promql::ValueType type = job->expr->Type();
  if (type != promql::ValueType::kVector && type != promql::ValueType::kScalar) {
    SendError(resp.get(), ApiError::BadData(
                              StrCat("invalid expression type \"",
                                     type == promql::ValueType::kMatrix ? "range vector" : "string",
                                     "\" for range query, must be Scalar or instant Vector")));
    return;
  }
  job->queued = Clock::now();
  pool.Submit([this, job, resp] { RunQuery(options.storage, *job, resp.get()); });
}

void Api::Impl::FormatQuery(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  absl::StatusOr<promql::ExprPtr> expr =
      promql::Parse(req.Param("query"), options.engine_options.parse_options);
  if (!expr.ok()) {
    SendError(resp.get(), ApiError::BadData(InvalidParam("query", AsStd(expr.status().message()))));
    return;
  }
  std::string data;
  AppendJsonString(&data, promql::Prettify(**expr));
  SendSuccess(resp.get(), data);
}

namespace {

void CollectSelectors(const promql::Expr& e, std::vector<std::vector<Matcher>>* out) {
  if (e.kind == promql::Kind::kVectorSelector) {
    out->push_back(static_cast<const promql::VectorSelector&>(e).matchers);
    return;
  }
  promql::ForEachChild(e, [out](const promql::Expr& child) { CollectSelectors(child, out); });
}

}  // namespace

void Api::Impl::QueryExemplars(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  absl::StatusOr<int64_t> start = ParseTimeParam(req, "start", kMinTimeMs);
  if (!start.ok()) {
    SendError(resp.get(),
              ApiError::BadData(InvalidParam("start", AsStd(start.status().message()))));
    return;
  }
  absl::StatusOr<int64_t> end = ParseTimeParam(req, "end", kMaxTimeMs);
  if (!end.ok()) {
    SendError(resp.get(), ApiError::BadData(InvalidParam("end", AsStd(end.status().message()))));
    return;
  }
  if (*end < *start) {
    SendError(resp.get(), ApiError::BadData("end timestamp must not be before start timestamp"));
    return;
  }
  absl::StatusOr<promql::ExprPtr> expr =
      promql::Parse(req.Param("query"), options.engine_options.parse_options);
  if (!expr.ok()) {
    SendError(resp.get(), ApiError::BadData(std::string(AsStd(expr.status().message()))));
    return;
  }
  // Prometheus' parser.ExtractSelectors: the matchers of every vector selector, in query order.
  std::vector<std::vector<Matcher>> selectors;
  CollectSelectors(**expr, &selectors);
  if (selectors.empty()) {
    // Prometheus answers a nil result with 204 No Content.
    resp->SetStatus(204);
    resp->Send("");
    return;
  }
  std::vector<tsdb::ExemplarQueryResult> results;
  if (options.exemplars) results = options.exemplars(*start, *end, selectors);
  std::string data = "[";
  for (const tsdb::ExemplarQueryResult& r : results) {
    if (data.size() > 1) data += ',';
    data += R"({"seriesLabels":)";
    AppendLabels(&data, r.series_labels);
    data += R"(,"exemplars":[)";
    for (size_t i = 0; i < r.exemplars.size(); ++i) {
      const tsdb::Exemplar& e = r.exemplars[i];
      if (i > 0) data += ',';
      data += R"({"labels":)";
      AppendLabels(&data, e.labels);
      data += R"(,"value":)";
      AppendSampleValue(&data, e.value);
      data += R"(,"timestamp":)";
      AppendTimestamp(&data, e.ts);
      data += '}';
    }
    data += "]}";
  }
  data += ']';
  SendSuccess(resp.get(), data);
}

}  // namespace sundial::web::api
