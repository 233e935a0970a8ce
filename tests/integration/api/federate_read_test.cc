// /federate and /api/v1/read against the Debian Prometheus 2.42: both servers get the same
// external labels and the same remote-written samples from the last few minutes (federation only
// looks back --query.lookback-delta from now), then
//   - /federate answers are compared family by family (series order inside a family is not
//     specified: Prometheus sorts by name with an unstable sort),
//   - /api/v1/read answers (SAMPLES and STREAMED_XOR_CHUNKS) are decoded and compared sample by
//     sample, stale markers bit for bit,
//   - a third server, Prometheus 2.42 with an empty TSDB and `remote_read` pointing at Sundial,
//     must answer PromQL queries as the Prometheus holding the data does (the real client of the
//     protocol, end to end).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "base/crc32c.h"
#include "integration/api/json.h"
#include "integration/api/peers.h"
#include "remotewrite/prompb_v1.pb.h"
#include "snappy.h"
#include "testing/temp_dir.h"
#include "tsdb/xor_chunk.h"
#include "web/api/remote_read.pb.h"

namespace sundial::testing::api {
namespace {

using namespace std::chrono_literals;
namespace rpb = ::sundial::web::api::prompb;
namespace wpb = ::sundial::remotewrite::prompb;

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
constexpr int64_t kStep = 15'000;
constexpr int kSamples = 12;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Server {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
};

std::string StartPrometheus(const std::string& dir, const std::string& name,
                            const std::string& config, Server* out) {
  const std::string path = dir + "/" + name + ".yml";
  std::ofstream(path) << config;
  for (int attempt = 0; attempt < 3; ++attempt) {
    int port = PickFreePort();
    auto child = std::make_unique<ChildProcess>(std::vector<std::string>{
        kPrometheusBinary, "--config.file=" + path, "--storage.tsdb.path=" + dir + "/" + name,
        "--web.listen-address=127.0.0.1:" + std::to_string(port),
        "--web.enable-remote-write-receiver"});
    if (child->WaitForStderr("Server is ready to receive web requests.", 60s)) {
      out->process = std::move(child);
      out->port = port;
      return "";
    }
    if (child->Stderr().find("address already in use") == std::string::npos) {
      return name + " did not start:\n" + child->Stderr();
    }
  }
  return name + " found no free port";
}

std::string StartSundial(const std::string& dir, const std::string& config, Server* out) {
  const std::string path = dir + "/sundial.yml";
  std::ofstream(path) << config;
  out->process = std::make_unique<ChildProcess>(std::vector<std::string>{
      SUNDIAL_BINARY, "--config.file=" + path, "--storage.tsdb.path=" + dir + "/sundial-data",
      "--web.listen-address=127.0.0.1:0", "--web.enable-remote-write-receiver"});
  if (!out->process->WaitForStderr("Server is ready to receive web requests.", 60s)) {
    return "sundial did not start:\n" + out->process->Stderr();
  }
  std::smatch m;
  std::string log = out->process->Stderr();
  if (!std::regex_search(
          log, m, std::regex("msg=\"Start listening for connections\" address=127.0.0.1:(\\d+)"))) {
    return "no listen address in sundial's log:\n" + log;
  }
  out->port = std::stoi(m[1]);
  return "";
}

void AddSeries(wpb::WriteRequest* r, const std::vector<std::pair<std::string, std::string>>& labels,
               int64_t first_ms, const std::vector<double>& values) {
  wpb::TimeSeries* ts = r->add_timeseries();
  for (const auto& [n, v] : labels) {
    wpb::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    wpb::Sample* s = ts->add_samples();
    s->set_timestamp(first_ms + static_cast<int64_t>(i) * kStep);
    s->set_value(values[i]);
  }
}

// Samples of the last three minutes: gauges with values that exercise the text format's float
// spelling, a series with its own `cluster` (also an external label), label values with quotes
// and backslashes, and a series that ends with a stale marker.
wpb::WriteRequest Dataset(int64_t first_ms) {
  wpb::WriteRequest r;
  std::vector<double> ones(kSamples, 1), zeros(kSamples, 0), temp, load, big;
  for (int i = 0; i < kSamples; ++i) {
    temp.push_back(21.5 + i * 0.1);
    load.push_back(i % 3 == 0 ? 1e-7 * i : 0.25 * i);
    big.push_back(123456789.0 * (i + 1));
  }
  std::vector<double> gone(kSamples, 3);
  double stale;
  std::memcpy(&stale, &kStaleNaNBits, sizeof stale);
  gone.back() = stale;
  AddSeries(&r, {{"__name__", "up"}, {"instance", "a:1"}, {"job", "j"}}, first_ms, ones);
  AddSeries(&r, {{"__name__", "up"}, {"instance", "b:2"}, {"job", "j"}}, first_ms, zeros);
  AddSeries(&r, {{"__name__", "temp"}, {"job", "j"}, {"room", "x"}}, first_ms, temp);
  AddSeries(&r, {{"__name__", "node_load"}, {"cluster", "us"}, {"instance", "c:3"}, {"job", "j"}},
            first_ms, load);
  AddSeries(&r, {{"__name__", "bytes_total"}, {"job", "j"}, {"path", "a\"b\\c"}}, first_ms, big);
  AddSeries(&r, {{"__name__", "gone"}, {"job", "j"}}, first_ms, gone);
  return r;
}

constexpr char kExternal[] =
    "global:\n  scrape_interval: 15s\n  external_labels:\n    cluster: eu\n    replica: r1\n";

class FederateReadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (access(kPrometheusBinary, X_OK) != 0) return;
    tmp_ = new TempDir;
    dir_ = tmp_->path();
    prometheus_ = new Server;
    sundial_ = new Server;
    reader_ = new Server;
    error_ = StartPrometheus(dir_, "prometheus", kExternal, prometheus_);
    if (error_.empty()) error_ = StartSundial(dir_, kExternal, sundial_);
    if (error_.empty()) {
      error_ = StartPrometheus(dir_, "reader",
                               "global:\n  scrape_interval: 15s\nremote_read:\n  - url: "
                               "http://127.0.0.1:" +
                                   std::to_string(sundial_->port) +
                                   "/api/v1/read\n    read_recent: true\n",
                               reader_);
    }
    if (!error_.empty()) return;
    // The newest sample 20 s ago, the oldest 3 minutes before it.
    first_ms_ = (NowMs() - 20'000 - (kSamples - 1) * kStep) / 1000 * 1000;
    std::string raw = Dataset(first_ms_).SerializeAsString(), payload;
    snappy::Compress(raw.data(), raw.size(), &payload);
    for (Server* s : {prometheus_, sundial_}) {
      std::string response;
      int status = RemoteWrite(s->port, payload, &response);
      if (status != 204) error_ = "remote write answered " + std::to_string(status) + response;
    }
  }

  static void TearDownTestSuite() {
    delete prometheus_;
    delete sundial_;
    delete reader_;
    prometheus_ = sundial_ = reader_ = nullptr;
    delete tmp_;
    tmp_ = nullptr;
  }

  void SetUp() override {
    if (access(kPrometheusBinary, X_OK) != 0) GTEST_SKIP() << kPrometheusBinary << " is missing";
    ASSERT_EQ(error_, "");
  }

  static inline TempDir* tmp_ = nullptr;  // outlives the servers
  static inline std::string dir_;
  static inline std::string error_;
  static inline Server* prometheus_ = nullptr;
  static inline Server* sundial_ = nullptr;
  static inline Server* reader_ = nullptr;
  static inline int64_t first_ms_ = 0;
};

// The text format split into families, each with its `# TYPE` line and its series lines sorted.
std::vector<std::vector<std::string>> Families(const std::string& body) {
  std::vector<std::vector<std::string>> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    if (eol == std::string::npos) eol = body.size();
    std::string line = body.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.rfind("# TYPE ", 0) == 0 || out.empty()) out.emplace_back();
    out.back().push_back(line);
  }
  for (auto& f : out) std::sort(f.begin() + 1, f.end());
  return out;
}

TEST_F(FederateReadTest, FederateAnswersAsPrometheus) {
  const std::vector<std::string> selectors[] = {
      {"{job=\"j\"}"},
      {"up", "{__name__=~\"temp|up\"}"},
      {"{__name__=~\".+\"}"},
      {"{foo=\"\"}"},
      {"node_load{cluster=\"us\"}", "bytes_total"},
      {"gone"},
      {},
  };
  for (const std::vector<std::string>& sel : selectors) {
    std::vector<std::pair<std::string, std::string>> params;
    for (const std::string& s : sel) params.emplace_back("match[]", s);
    std::string target = "/federate?" + Form(params);
    HttpResult want = HttpRequest(prometheus_->port, "GET", target);
    HttpResult got = HttpRequest(sundial_->port, "GET", target);
    ASSERT_EQ(want.status, 200) << target << want.body;
    EXPECT_EQ(got.status, 200) << target << got.body;
    EXPECT_EQ(got.headers["content-type"], want.headers["content-type"]);
    EXPECT_EQ(Families(got.body), Families(want.body)) << target << "\nPrometheus:\n"
                                                       << want.body << "Sundial:\n"
                                                       << got.body;
  }
  // Something was federated, with the external labels.
  HttpResult all = HttpRequest(sundial_->port, "GET", "/federate?" + Form({{"match[]", "up"}}));
  EXPECT_THAT(all.body, ::testing::HasSubstr(
                            "up{instance=\"a:1\",job=\"j\",cluster=\"eu\",replica=\"r1\"} 1 "));

  // Bad selectors: 400 with the parser's message as plain text.
  for (const char* bad : {"up{", "", "up)", "rate(up[5m])", "up[5m]"}) {
    std::string target = "/federate?" + Form({{"match[]", bad}});
    HttpResult want = HttpRequest(prometheus_->port, "GET", target);
    HttpResult got = HttpRequest(sundial_->port, "GET", target);
    ASSERT_EQ(want.status, 400) << bad;
    EXPECT_EQ(got.status, 400) << bad << ": " << got.body;
    EXPECT_EQ(got.headers["content-type"], want.headers["content-type"]) << bad;
    // Messages agree except where the selector-only grammar names a token differently.
    if (std::string(bad) == "up{" || std::string(bad).empty() || std::string(bad) == "up)") {
      EXPECT_EQ(got.body, want.body) << bad;
    }
  }
}

// One decoded series: labels and samples (values as bits, so stale markers compare).
struct Series {
  std::string labels;
  std::vector<std::pair<int64_t, uint64_t>> samples;
  bool operator==(const Series&) const = default;
};

void PrintTo(const Series& s, std::ostream* os) {
  *os << s.labels << " (" << s.samples.size() << " samples";
  if (!s.samples.empty()) *os << ", " << s.samples.front().first << ".." << s.samples.back().first;
  *os << ")";
}

template <typename L>
std::string LabelText(const L& labels) {
  std::string out;
  for (const auto& l : labels) out += (out.empty() ? "" : ",") + l.name() + "=" + l.value();
  return out;
}

HttpResult PostRead(int port, const rpb::ReadRequest& r) {
  std::string raw = r.SerializeAsString(), body;
  snappy::Compress(raw.data(), raw.size(), &body);
  return HttpRequest(port, "POST", "/api/v1/read", body,
                     {"Content-Type: application/x-protobuf", "Content-Encoding: snappy",
                      "X-Prometheus-Remote-Read-Version: 0.1.0"});
}

// Per query, the series of a SAMPLES answer; an error string on a malformed answer.
std::string DecodeSamples(const HttpResult& r, std::vector<std::vector<Series>>* out) {
  if (r.status != 200) return "status " + std::to_string(r.status) + ": " + r.body;
  if (r.headers.at("content-type") != "application/x-protobuf") return "content type";
  std::string raw;
  if (!snappy::Uncompress(r.body.data(), r.body.size(), &raw)) return "not snappy";
  rpb::ReadResponse resp;
  if (!resp.ParseFromString(raw)) return "not a ReadResponse";
  for (const rpb::QueryResult& q : resp.results()) {
    std::vector<Series>& list = out->emplace_back();
    for (const wpb::TimeSeries& ts : q.timeseries()) {
      Series s{LabelText(ts.labels()), {}};
      for (const wpb::Sample& x : ts.samples()) {
        s.samples.emplace_back(x.timestamp(), std::bit_cast<uint64_t>(x.value()));
      }
      list.push_back(std::move(s));
    }
  }
  return "";
}

// Per query index, the series of a streamed answer (frames of one series joined).
std::string DecodeStreamed(const HttpResult& r, std::map<int64_t, std::vector<Series>>* out) {
  if (r.status != 200) return "status " + std::to_string(r.status) + ": " + r.body;
  if (r.headers.at("content-type") !=
      "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse") {
    return "content type " + r.headers.at("content-type");
  }
  std::string_view body = r.body;
  while (!body.empty()) {
    uint64_t size = 0;
    size_t i = 0;
    for (int shift = 0;; shift += 7, ++i) {
      if (i >= body.size() || shift > 63) return "bad frame size";
      size |= static_cast<uint64_t>(body[i] & 0x7f) << shift;
      if ((static_cast<uint8_t>(body[i]) & 0x80) == 0) break;
    }
    body.remove_prefix(i + 1);
    if (body.size() < 4 + size) return "short frame";
    uint32_t crc = 0;
    for (int k = 0; k < 4; ++k) crc = crc << 8 | static_cast<uint8_t>(body[k]);
    std::string_view msg = body.substr(4, size);
    if (Crc32c(msg) != crc) return "bad frame CRC";
    body.remove_prefix(4 + size);
    rpb::ChunkedReadResponse frame;
    if (!frame.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) return "bad frame";
    for (const rpb::ChunkedSeries& cs : frame.chunked_series()) {
      std::vector<Series>& list = (*out)[frame.query_index()];
      std::string labels = LabelText(cs.labels());
      if (list.empty() || list.back().labels != labels) list.push_back(Series{labels, {}});
      for (const rpb::Chunk& c : cs.chunks()) {
        if (c.type() != rpb::Chunk::XOR) return "not an XOR chunk";
        tsdb::XorIterator it(c.data());
        while (it.Next() == tsdb::ValueType::kFloat) {
          auto [t, v] = it.At();
          if (t < c.min_time_ms() || t > c.max_time_ms()) return "sample outside its chunk";
          list.back().samples.emplace_back(t, std::bit_cast<uint64_t>(v));
        }
        if (!it.Err().ok()) return "corrupt chunk";
      }
    }
  }
  return "";
}

rpb::ReadRequest Request(int64_t start, int64_t end) {
  rpb::ReadRequest r;
  auto add = [&](std::vector<std::tuple<rpb::LabelMatcher::Type, std::string, std::string>> ms) {
    rpb::Query* q = r.add_queries();
    q->set_start_timestamp_ms(start);
    q->set_end_timestamp_ms(end);
    for (auto& [type, name, value] : ms) {
      rpb::LabelMatcher* m = q->add_matchers();
      m->set_type(type);
      m->set_name(name);
      m->set_value(value);
    }
  };
  add({{rpb::LabelMatcher::RE, "__name__", ".+"}});
  // cluster="eu" is an external label: it selects the series that do not have their own.
  add({{rpb::LabelMatcher::EQ, "cluster", "eu"}, {rpb::LabelMatcher::NEQ, "__name__", "temp"}});
  add({{rpb::LabelMatcher::EQ, "cluster", "us"}});
  add({{rpb::LabelMatcher::EQ, "job", "j"}, {rpb::LabelMatcher::NRE, "instance", "a.*"}});
  return r;
}

TEST_F(FederateReadTest, RemoteReadSamplesAsPrometheus) {
  // The whole range, and one that cuts the series in the middle.
  for (auto [start, end] : {std::pair<int64_t, int64_t>{first_ms_ - 60'000, NowMs()},
                            {first_ms_ + 4 * kStep + 1, first_ms_ + 9 * kStep}}) {
    rpb::ReadRequest r = Request(start, end);
    std::vector<std::vector<Series>> want, got;
    ASSERT_EQ(DecodeSamples(PostRead(prometheus_->port, r), &want), "");
    ASSERT_EQ(DecodeSamples(PostRead(sundial_->port, r), &got), "");
    ASSERT_EQ(want.size(), 4u);
    EXPECT_EQ(want[0].size(), 6u);
    // SAMPLES answers come unsorted (Prometheus' head returns series in creation order).
    for (auto* lists : {&want, &got}) {
      for (std::vector<Series>& l : *lists) {
        std::sort(l.begin(), l.end(),
                  [](const Series& a, const Series& b) { return a.labels < b.labels; });
      }
    }
    EXPECT_EQ(got, want);
  }
}

TEST_F(FederateReadTest, RemoteReadStreamedChunksAsPrometheus) {
  for (auto [start, end] : {std::pair<int64_t, int64_t>{first_ms_ - 60'000, NowMs()},
                            {first_ms_ + 4 * kStep + 1, first_ms_ + 9 * kStep}}) {
    rpb::ReadRequest r = Request(start, end);
    r.add_accepted_response_types(rpb::ReadRequest::STREAMED_XOR_CHUNKS);
    std::map<int64_t, std::vector<Series>> want, got;
    ASSERT_EQ(DecodeStreamed(PostRead(prometheus_->port, r), &want), "");
    ASSERT_EQ(DecodeStreamed(PostRead(sundial_->port, r), &got), "");
    EXPECT_EQ(want.size(), 4u);
    EXPECT_EQ(got, want);
  }
}

TEST_F(FederateReadTest, RemoteReadErrorsAsPrometheus) {
  rpb::ReadRequest r = Request(0, NowMs());
  r.add_accepted_response_types(static_cast<rpb::ReadRequest::ResponseType>(5));
  HttpResult want = PostRead(prometheus_->port, r);
  HttpResult got = PostRead(sundial_->port, r);
  EXPECT_EQ(want.status, 400);
  EXPECT_EQ(got.status, want.status) << got.body;
  HttpResult want_corrupt =
      HttpRequest(prometheus_->port, "POST", "/api/v1/read", "xx", {"Content-Type: x"});
  HttpResult got_corrupt =
      HttpRequest(sundial_->port, "POST", "/api/v1/read", "xx", {"Content-Type: x"});
  EXPECT_EQ(want_corrupt.status, 400);
  EXPECT_EQ(got_corrupt.status, 400);
  EXPECT_EQ(got_corrupt.body, want_corrupt.body);
}

// A Prometheus without data of its own answers from Sundial through remote_read as the
// Prometheus holding the data answers. Sundial's external labels arrive with the series, so the
// queries aggregate them away.
TEST_F(FederateReadTest, PrometheusQueriesSundialThroughRemoteRead) {
  const std::string at = Seconds(first_ms_ + 10 * kStep + 3'000);
  const std::vector<std::vector<std::pair<std::string, std::string>>> requests = {
      {{"query", "sum without (cluster, replica) (up)"}, {"time", at}},
      {{"query", "max without (cluster, replica) ({job=\"j\"})"}, {"time", at}},
      {{"query", "count(gone)"}, {"time", Seconds(first_ms_ + 10 * kStep + 1'000)}},
      {{"query", "sum without (replica, cluster) (rate(bytes_total[1m]))"},
       {"start", Seconds(first_ms_ + 2 * kStep)},
       {"end", Seconds(first_ms_ + 11 * kStep)},
       {"step", "7"}},
      {{"query", "sum without (replica) (avg_over_time(node_load{cluster=\"us\"}[2m]))"},
       {"time", at}},
  };
  for (const auto& params : requests) {
    const std::string path = params.size() == 2 ? "/api/v1/query" : "/api/v1/query_range";
    HttpResult want = HttpRequest(prometheus_->port, "POST", path, Form(params));
    HttpResult got = HttpRequest(reader_->port, "POST", path, Form(params));
    ASSERT_EQ(want.status, 200) << want.body;
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_THAT(want.body, ::testing::HasSubstr("\"result\":[{"));
    json::Value want_json, got_json;
    std::string error;
    ASSERT_TRUE(json::Parse(want.body, &want_json, &error)) << error;
    ASSERT_TRUE(json::Parse(got.body, &got_json, &error)) << error;
    json::DiffOptions options;
    options.unordered = [](const std::string& path) { return path == "$.data.result"; };
    EXPECT_EQ(json::Diff(want_json, got_json, options), "")
        << params[0].second << "\nPrometheus: " << want.body << "\nthrough Sundial: " << got.body;
  }
}

}  // namespace
}  // namespace sundial::testing::api
