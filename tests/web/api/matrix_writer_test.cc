#include "web/api/matrix_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/str_cat.h"
#include "web/http_response.h"

namespace sundial::web::api {
namespace {

// Records the body; Write() fails after `writes_allowed` calls, as for a client that left.
class RecordingResponder : public Responder {
 public:
  explicit RecordingResponder(int writes_allowed = 1 << 30) : writes_allowed_(writes_allowed) {}
  void SetStatus(int) override {}
  void SetHeader(std::string_view, std::string_view) override {}
  void AddHeader(std::string_view, std::string_view) override {}
  void DisableCompression() override {}
  void Send(std::string body) override {
    body_ = std::move(body);
    started_ = true;
  }
  bool Write(std::string_view chunk) override {
    started_ = true;
    if (writes_allowed_-- <= 0) return false;
    body_.append(chunk);
    ++writes_;
    return true;
  }
  void Finish() override {}
  void Abort() override {}
  bool started() const override { return started_; }

  const std::string& body() const { return body_; }
  int writes() const { return writes_; }

 private:
  int writes_allowed_;
  int writes_ = 0;
  bool started_ = false;
  std::string body_;
};

struct TestSeries {
  Labels labels;
  std::vector<promql::FPoint> points;
};

std::vector<TestSeries> MakeSeries(int n, int points) {
  std::vector<TestSeries> out;
  for (int s = 0; s < n; ++s) {
    TestSeries& ts = out.emplace_back();
    ts.labels = Labels{{"__name__", "m"}, {"i", StrCat(s)}};
    for (int k = 0; k < points + s % 5; ++k) {
      ts.points.push_back({1795356000000 + k * 15000 + s, s * 0.1 + k / 3.0});
    }
  }
  return out;
}

// What WriteSeries on the calling thread writes: the series, comma-separated.
std::string Sequential(const std::vector<TestSeries>& series) {
  RecordingResponder resp;
  JsonStream js(&resp);
  for (size_t i = 0; i < series.size(); ++i) {
    if (i > 0) js.buf()->push_back(',');
    EXPECT_TRUE(WriteSeries(&js, series[i].labels, series[i].points));
  }
  js.Finish();
  return resp.body();
}

TEST(MatrixWriterTest, WritesTheBytesOfSequentialWriteSeries) {
  // Below one batch (written on the calling thread) and many batches (on the second thread).
  for (auto [n, points] : {std::pair{0, 10}, {1, 10}, {20, 100}, {300, 200}, {3000, 20}}) {
    SCOPED_TRACE(StrCat(n, " series"));
    const std::vector<TestSeries> series = MakeSeries(n, points);
    RecordingResponder resp;
    JsonStream js(&resp);
    {
      MatrixWriter writer(&js);
      for (const TestSeries& s : series) ASSERT_TRUE(writer.Add(s.labels, s.points));
      ASSERT_TRUE(writer.Finish());
    }
    js.Finish();
    EXPECT_EQ(resp.body(), Sequential(series));
  }
}

TEST(MatrixWriterTest, AGoneClientStopsTheProducer) {
  const std::vector<TestSeries> series = MakeSeries(3000, 200);
  RecordingResponder resp(/*writes_allowed=*/2);
  JsonStream js(&resp);
  MatrixWriter writer(&js);
  size_t added = 0;
  while (added < series.size() && writer.Add(series[added].labels, series[added].points)) {
    ++added;
  }
  EXPECT_LT(added, series.size());  // Add said so before the end
  EXPECT_FALSE(writer.Finish());
  EXPECT_EQ(resp.writes(), 2);
  EXPECT_EQ(resp.body(), Sequential(series).substr(0, resp.body().size()));
}

TEST(MatrixWriterTest, DestroyingItPartWayStopsTheWritingThread) {
  const std::vector<TestSeries> series = MakeSeries(1000, 200);
  RecordingResponder resp;
  JsonStream js(&resp);
  {
    MatrixWriter writer(&js);
    for (const TestSeries& s : series) ASSERT_TRUE(writer.Add(s.labels, s.points));
  }
  // What was written is a prefix of the answer; the rest was dropped.
  EXPECT_LT(resp.body().size(), Sequential(series).size());
  EXPECT_EQ(resp.body(), Sequential(series).substr(0, resp.body().size()));
}

}  // namespace
}  // namespace sundial::web::api
