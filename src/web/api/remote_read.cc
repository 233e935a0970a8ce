// POST /api/v1/read: Prometheus' remote read protocol (storage/remote/read_handler.go).
//
// The request is a snappy-compressed prometheus.ReadRequest. Depending on the first response type
// the client accepts that we support, the answer is either
//   SAMPLES: one snappy-compressed ReadResponse (Content-Type application/x-protobuf,
//     Content-Encoding snappy) with every sample of every matching series, or
//   STREAMED_XOR_CHUNKS: a stream of frames (Content-Type application/x-streamed-protobuf;
//     proto=prometheus.ChunkedReadResponse), each `uvarint size | CRC32-C big-endian | message`
//     holding one ChunkedReadResponse with XOR chunks of one series (a series is split over
//     several frames once its chunks exceed the frame size).
// External labels are added to every series unless it has them, and an equality matcher on an
// external label with its value matches series without that label, as Prometheus does.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/crc32c.h"
#include "base/str_cat.h"
#include "snappy.h"
#include "tsdb/xor_chunk.h"
#include "web/api/api_internal.h"
#include "web/api/remote_read.pb.h"

namespace sundial::web::api {
namespace {

namespace pb = ::sundial::web::api::prompb;
namespace wpb = ::sundial::remotewrite::prompb;

// Prometheus reads at most this much of a request body.
constexpr size_t kDecodeReadLimit = 32 << 20;
// Samples per re-encoded XOR chunk, as the TSDB cuts them.
constexpr int kSamplesPerChunk = 120;

constexpr std::string_view kStreamedContentType =
    "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";

// An error with the HTTP status Prometheus answers it with (text/plain body).
struct ReadError {
  int status = 500;
  std::string message;
};

absl::StatusOr<std::vector<Matcher>> ToMatchers(
    const pb::Query& query, const std::map<std::string, std::string>& external) {
  std::vector<Matcher> out;
  for (const pb::LabelMatcher& m : query.matchers()) {
    MatchType type;
    switch (m.type()) {
      case pb::LabelMatcher::EQ:
        type = MatchType::kEqual;
        break;
      case pb::LabelMatcher::NEQ:
        type = MatchType::kNotEqual;
        break;
      case pb::LabelMatcher::RE:
        type = MatchType::kRegexp;
        break;
      case pb::LabelMatcher::NRE:
        type = MatchType::kNotRegexp;
        break;
      default:
        return absl::InvalidArgumentError("invalid matcher type");
    }
    std::string_view value = m.value();
    // A series stored here never carries an external label: the external value matches its
    // absence.
    auto ext = external.find(m.name());
    std::string_view ext_value = ext == external.end() ? std::string_view() : ext->second;
    if (type == MatchType::kEqual && value == ext_value) value = {};
    absl::StatusOr<Matcher> matcher = Matcher::Create(type, m.name(), value);
    if (!matcher.ok()) return matcher.status();
    out.push_back(*std::move(matcher));
  }
  return out;
}

tsdb::SelectHints ToHints(const pb::Query& q) {
  tsdb::SelectHints h;
  h.start = q.start_timestamp_ms();
  h.end = q.end_timestamp_ms();
  if (!q.has_hints()) return h;
  const pb::ReadHints& r = q.hints();
  h.start = r.start_ms();
  h.end = r.end_ms();
  h.step_ms = r.step_ms();
  h.func = r.func();
  h.range_ms = r.range_ms();
  h.by = r.by();
  for (const std::string& g : r.grouping()) h.grouping.push_back(g);
  return h;
}

// The series' labels merged with the sorted external labels; the series' own value wins.
void SetLabels(const Labels& labels, const std::map<std::string, std::string>& external,
               google::protobuf::RepeatedPtrField<wpb::Label>* out) {
  auto ext = external.begin();
  auto add = [out](std::string_view n, std::string_view v) {
    wpb::Label* l = out->Add();
    l->set_name(std::string(n));
    l->set_value(std::string(v));
  };
  for (const Label& l : labels) {
    while (ext != external.end() && ext->first < l.name) {
      add(ext->first, ext->second);
      ++ext;
    }
    if (ext != external.end() && ext->first == l.name) ++ext;
    add(l.name, l.value);
  }
  for (; ext != external.end(); ++ext) add(ext->first, ext->second);
}

// One query answered with raw samples. Counts samples in *total against limit (0: none).
std::optional<ReadError> QuerySamples(tsdb::Queryable* storage, const pb::Query& query,
                                      const std::map<std::string, std::string>& external,
                                      int64_t limit, int64_t* total, pb::QueryResult* result) {
  absl::StatusOr<std::vector<Matcher>> matchers = ToMatchers(query, external);
  if (!matchers.ok()) return ReadError{500, std::string(AsStd(matchers.status().message()))};
  absl::StatusOr<std::unique_ptr<tsdb::Querier>> q =
      storage->NewQuerier(query.start_timestamp_ms(), query.end_timestamp_ms());
  if (!q.ok()) return ReadError{500, std::string(AsStd(q.status().message()))};
  std::unique_ptr<tsdb::SeriesSet> set = (*q)->Select(ToHints(query), *matchers);
  while (set->Next()) {
    wpb::TimeSeries* ts = result->add_timeseries();
    SetLabels(set->At().labels(), external, ts->mutable_labels());
    std::unique_ptr<tsdb::SampleIterator> it = set->At().Iterator();
    while (it->Next() == tsdb::ValueType::kFloat) {
      if (limit > 0 && ++*total > limit) {
        return ReadError{400, StrCat("exceeded sample limit (", limit, ")")};
      }
      auto [t, v] = it->At();
      wpb::Sample* s = ts->add_samples();
      s->set_timestamp(t);
      s->set_value(v);
    }
    if (!it->Err().ok()) return ReadError{500, std::string(AsStd(it->Err().message()))};
  }
  if (!set->Err().ok()) return ReadError{500, std::string(AsStd(set->Err().message()))};
  return std::nullopt;
}

// Appends the frame header and message as Prometheus' ChunkedWriter writes them.
void AppendFrame(std::string* out, std::string_view message) {
  uint64_t n = message.size();
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
  uint32_t crc = Crc32c(message);
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(crc >> shift));
  out->append(message);
}

// Streams one query's series as frames. *started tells whether anything was written.
std::optional<ReadError> StreamChunks(tsdb::Queryable* storage, const pb::Query& query,
                                      int64_t query_index,
                                      const std::map<std::string, std::string>& external,
                                      int64_t max_bytes_in_frame, Responder* resp,
                                      bool* client_gone) {
  absl::StatusOr<std::vector<Matcher>> matchers = ToMatchers(query, external);
  if (!matchers.ok()) return ReadError{500, std::string(AsStd(matchers.status().message()))};
  absl::StatusOr<std::unique_ptr<tsdb::Querier>> q =
      storage->NewQuerier(query.start_timestamp_ms(), query.end_timestamp_ms());
  if (!q.ok()) return ReadError{500, std::string(AsStd(q.status().message()))};
  std::unique_ptr<tsdb::SeriesSet> set = (*q)->Select(ToHints(query), *matchers);
  std::string frame;
  while (set->Next()) {
    pb::ChunkedReadResponse msg;
    msg.set_query_index(query_index);
    pb::ChunkedSeries* series = msg.add_chunked_series();
    SetLabels(set->At().labels(), external, series->mutable_labels());
    int64_t max_data = max_bytes_in_frame;
    for (const wpb::Label& l : series->labels()) max_data -= static_cast<int64_t>(l.ByteSizeLong());
    int64_t left = max_data;

    // Cuts the chunk being built; sends the frame when it is full or the series ends.
    auto send = [&]() -> bool {
      frame.clear();
      AppendFrame(&frame, msg.SerializeAsString());
      series->clear_chunks();
      left = max_data;
      if (!resp->Write(frame)) {
        *client_gone = true;
        return false;
      }
      return true;
    };
    std::unique_ptr<tsdb::SampleIterator> it = set->At().Iterator();
    tsdb::XorChunk chunk;
    int64_t mint = 0, maxt = 0;
    bool more = it->Next() == tsdb::ValueType::kFloat;
    while (more) {
      auto [t, v] = it->At();
      if (chunk.NumSamples() == 0) mint = t;
      maxt = t;
      chunk.Append(t, v);
      more = it->Next() == tsdb::ValueType::kFloat;
      if (more && chunk.NumSamples() < kSamplesPerChunk) continue;
      pb::Chunk* c = series->add_chunks();
      c->set_min_time_ms(mint);
      c->set_max_time_ms(maxt);
      c->set_type(pb::Chunk::XOR);
      c->set_data(std::string(chunk.bytes()));
      left -= static_cast<int64_t>(c->ByteSizeLong());
      chunk = tsdb::XorChunk();
      if (left > 0 && more) continue;
      if (!send()) return std::nullopt;
    }
    if (!it->Err().ok()) return ReadError{500, std::string(AsStd(it->Err().message()))};
  }
  if (!set->Err().ok()) return ReadError{500, std::string(AsStd(set->Err().message()))};
  return std::nullopt;
}

}  // namespace

void Api::Impl::RemoteRead(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  resp->DisableCompression();
  std::string raw;
  std::string_view body = req.body;
  if (body.size() > kDecodeReadLimit) body = body.substr(0, kDecodeReadLimit);
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
    resp->SendText(400, "snappy: corrupt input\n");
    return;
  }
  auto request = std::make_shared<pb::ReadRequest>();
  if (!request->ParseFromString(raw)) {
    resp->SendText(400, "unexpected EOF\n");
    return;
  }
  // The first accepted type we support; none listed means SAMPLES.
  bool streamed = false;
  if (request->accepted_response_types_size() > 0) {
    bool found = false;
    std::string listed;
    for (int t : request->accepted_response_types()) {
      if (!listed.empty()) listed.push_back(' ');
      listed.append(
          pb::ReadRequest::ResponseType_IsValid(t)
              ? pb::ReadRequest::ResponseType_Name(static_cast<pb::ReadRequest::ResponseType>(t))
              : StrCat(t));
      if (!found && (t == pb::ReadRequest::SAMPLES || t == pb::ReadRequest::STREAMED_XOR_CHUNKS)) {
        found = true;
        streamed = t == pb::ReadRequest::STREAMED_XOR_CHUNKS;
      }
    }
    if (!found) {
      resp->SendText(400, StrCat("server does not support any of the requested response types: [",
                                 listed, "]; supported: map[SAMPLES:{} STREAMED_XOR_CHUNKS:{}]\n"));
      return;
    }
  }
  pool.Submit([this, request, streamed, resp] {
    // Prometheus' read gate: at most read_concurrent_limit reads at once; others wait.
    const int limit = options.remote_read.concurrent_limit;
    if (limit > 0) {
      absl::MutexLock l(&read_mu);
      read_mu.Await(absl::Condition(this, &Impl::ReadSlotFree));
      ++reads_running;
    }
    struct Release {
      Impl* impl;
      bool on;
      ~Release() {
        if (!on) return;
        absl::MutexLock l(&impl->read_mu);
        --impl->reads_running;
      }
    } release{this, limit > 0};

    std::map<std::string, std::string> external;
    if (options.external_labels) external = options.external_labels();
    if (!streamed) {
      pb::ReadResponse response;
      int64_t total = 0;
      for (const pb::Query& q : request->queries()) {
        std::optional<ReadError> err =
            QuerySamples(options.storage, q, external, options.remote_read.sample_limit, &total,
                         response.add_results());
        if (err) {
          resp->SendText(err->status, err->message + "\n");
          return;
        }
      }
      std::string encoded;
      std::string serialized = response.SerializeAsString();
      snappy::Compress(serialized.data(), serialized.size(), &encoded);
      resp->SetStatus(200);
      resp->SetContentType("application/x-protobuf");
      resp->SetHeader("Content-Encoding", "snappy");
      resp->Send(std::move(encoded));
      return;
    }
    resp->SetStatus(200);
    resp->SetContentType(kStreamedContentType);
    for (int i = 0; i < request->queries_size(); ++i) {
      bool gone = false;
      std::optional<ReadError> err =
          StreamChunks(options.storage, request->queries(i), i, external,
                       options.remote_read.max_bytes_in_frame, resp.get(), &gone);
      if (gone) return;
      if (err) {
        if (!resp->started()) {
          resp->SendText(err->status, err->message + "\n");
        } else {
          // Headers are out: the message ends the body, as http.Error would write it.
          resp->Write(err->message + "\n");
          resp->Finish();
        }
        return;
      }
    }
    resp->Finish();
  });
}

}  // namespace sundial::web::api
