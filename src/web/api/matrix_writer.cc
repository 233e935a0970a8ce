#include "web/api/matrix_writer.h"

#include <algorithm>
#include <optional>
#include <string>

#include "web/api/json.h"

namespace sundial::web::api {
namespace {

// A batch is handed to the writing thread once it holds this many points or series: an
// answer smaller than one batch is written on the calling thread, without a second thread.
constexpr size_t kBatchPoints = 16384;
constexpr size_t kBatchSeries = 256;

}  // namespace

// Points are written straight into the buffer, sized once per block of them.
bool WriteSeries(JsonStream* js, const Labels& labels, std::span<const promql::FPoint> points) {
  constexpr size_t kMaxPointChars = kMaxTimestampChars + kMaxSampleValueChars + 4;  // ,[t,v]
  constexpr size_t kBlock = 1024;  // points between flushes
  std::string* out = js->buf();
  out->append(R"({"metric":)");
  AppendLabels(out, labels);
  out->append(R"(,"values":[)");
  for (size_t j = 0; j < points.size(); j += kBlock) {
    const size_t n = std::min(kBlock, points.size() - j);
    const size_t at = out->size();
    out->resize(at + n * kMaxPointChars);
    char* const begin = out->data();
    char* p = begin + at;
    for (const promql::FPoint& point : points.subspan(j, n)) {
      if (&point != points.data()) *p++ = ',';
      *p++ = '[';
      p = WriteTimestamp(p, point.t);
      *p++ = ',';
      p = WriteSampleValue(p, point.v);
      *p++ = ']';
    }
    out->resize(static_cast<size_t>(p - begin));
    if (!js->MaybeFlush()) return false;
  }
  out->append("]}");
  return js->MaybeFlush();
}

MatrixWriter::MatrixWriter(JsonStream* js) : js_(js), current_(&batches_[0]) {}

MatrixWriter::~MatrixWriter() { StopWriting(); }

void MatrixWriter::StopWriting() {
  if (!writer_.joinable()) return;
  filled_.Close();
  empty_.Close();
  writer_.join();
}

bool MatrixWriter::Add(const Labels& labels, std::span<const promql::FPoint> points) {
  if (gone_.load(std::memory_order_relaxed)) return false;
  Batch* b = current_;
  if (b->labels.size() == b->size()) b->labels.emplace_back();
  b->labels[b->size()] = labels;
  b->points.insert(b->points.end(), points.begin(), points.end());
  b->ends.push_back(b->points.size());
  if (b->points.size() < kBatchPoints && b->size() < kBatchSeries) return true;
  if (!writer_.joinable()) {
    empty_.Push(&batches_[1]);
    empty_.Push(&batches_[2]);
    writer_ = std::thread([this] { Write(); });
  }
  std::optional<Batch*> next;
  if (!filled_.Push(b) || !(next = empty_.Pop()).has_value()) return false;
  current_ = *next;
  current_->Clear();
  return !gone_.load(std::memory_order_relaxed);
}

void MatrixWriter::WriteBatch(const Batch& b) {
  size_t begin = 0;
  for (size_t i = 0; i < b.size() && !gone_.load(std::memory_order_relaxed); ++i) {
    if (!first_) js_->buf()->push_back(',');
    first_ = false;
    const std::span<const promql::FPoint> points(b.points.data() + begin, b.ends[i] - begin);
    if (!WriteSeries(js_, b.labels[i], points)) gone_.store(true, std::memory_order_relaxed);
    begin = b.ends[i];
  }
}

void MatrixWriter::Write() {
  while (std::optional<Batch*> b = filled_.Pop()) {
    WriteBatch(**b);
    if (!empty_.Push(*b)) return;
  }
}

bool MatrixWriter::Finish() {
  if (writer_.joinable()) {
    if (current_->size() > 0) filled_.Push(current_);
    filled_.Finish();
    writer_.join();
  } else {
    WriteBatch(*current_);
  }
  current_->Clear();
  return !gone_.load(std::memory_order_relaxed);
}

}  // namespace sundial::web::api
