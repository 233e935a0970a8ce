// The series of a matrix answer, {"metric":{...},"values":[[t,"v"],...]}, written as JSON into
// a JsonStream: on the calling thread (WriteSeries), or on a second thread while the query
// thread evaluates the next series (MatrixWriter).
#ifndef SUNDIAL_WEB_API_MATRIX_WRITER_H_
#define SUNDIAL_WEB_API_MATRIX_WRITER_H_

#include <atomic>
#include <cstddef>
#include <span>
#include <thread>
#include <vector>

#include "base/hand_off.h"
#include "model/labels.h"
#include "promql/value.h"
#include "web/api/api_internal.h"

namespace sundial::web::api {

// One series; false once the client is gone.
bool WriteSeries(JsonStream* js, const Labels& labels, std::span<const promql::FPoint> points);

// Writes series comma-separated in the order they are added, the bytes WriteSeries would write
// on the calling thread. Once the added series fill a first batch, a second thread formats and
// sends them, so that a large answer is written while later series are evaluated. js belongs to
// the MatrixWriter from construction until Finish() returns or the MatrixWriter is destroyed.
class MatrixWriter {
 public:
  explicit MatrixWriter(JsonStream* js);
  // Stops the writing thread; series not yet written are dropped.
  ~MatrixWriter();

  MatrixWriter(const MatrixWriter&) = delete;
  MatrixWriter& operator=(const MatrixWriter&) = delete;

  // Queues a copy of one series. False once the client is gone (stop producing).
  bool Add(const Labels& labels, std::span<const promql::FPoint> points);
  // Writes every series added; false if the client went away.
  bool Finish();

 private:
  struct Batch {
    std::vector<Labels> labels;          // labels[0, size()) are this batch's; the rest are buffers
    std::vector<promql::FPoint> points;  // every series' points, one after the other
    std::vector<size_t> ends;            // where each series' points end
    size_t size() const { return ends.size(); }
    void Clear() {
      points.clear();
      ends.clear();
    }
  };

  void WriteBatch(const Batch& b);  // on whichever thread writes
  void Write();                     // the writing thread
  void StopWriting();

  JsonStream* const js_;
  bool first_ = true;  // no comma before the first series
  std::atomic<bool> gone_{false};
  Batch batches_[3];
  Batch* current_;             // the batch Add fills
  HandOff<Batch*> filled_{2};  // caller -> writing thread
  HandOff<Batch*> empty_{3};   // writing thread -> caller, for reuse
  std::thread writer_;
};

}  // namespace sundial::web::api

#endif  // SUNDIAL_WEB_API_MATRIX_WRITER_H_
