// A bounded FIFO that hands values from a producer thread to a consumer thread, so the two
// stages of a pipeline run on two cores while the slower one sets the pace.
//
//   HandOff<Batch*> filled(2);
//   producer:  while (...) if (!filled.Push(b)) return;  // false: the consumer stopped
//              filled.Finish();
//   consumer:  while (std::optional<Batch*> b = filled.Pop()) Use(*b);
//              filled.Close();  // before giving up early, so the producer does not wait
//
// Thread-safe.
#ifndef SUNDIAL_BASE_HAND_OFF_H_
#define SUNDIAL_BASE_HAND_OFF_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace sundial {

template <typename T>
class HandOff {
 public:
  // REQUIRES: capacity > 0.
  explicit HandOff(size_t capacity) : capacity_(capacity) {}

  HandOff(const HandOff&) = delete;
  HandOff& operator=(const HandOff&) = delete;

  // Queues v, waiting while `capacity` values are queued. Returns false, dropping v, once
  // Close()d.
  bool Push(T v) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return closed_ || queue_.size() < capacity_; });
    if (closed_) return false;
    queue_.push_back(std::move(v));
    ready_.notify_one();
    return true;
  }

  // The oldest queued value, waiting while none is. nullopt once nothing is queued after
  // Finish(), or at once after Close().
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return closed_ || finished_ || !queue_.empty(); });
    if (closed_ || queue_.empty()) return std::nullopt;
    T v = std::move(queue_.front());
    queue_.pop_front();
    space_.notify_one();
    return v;
  }

  // The producer is done: Pop() returns what is queued, then nullopt.
  void Finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    ready_.notify_all();
  }

  // Both sides stop: waiting and later calls return at once (Push false, Pop nullopt) and
  // queued values are dropped.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    queue_.clear();
    ready_.notify_all();
    space_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable ready_;  // a value was queued, or finished/closed
  std::condition_variable space_;  // a value was taken, or closed
  std::deque<T> queue_;
  bool finished_ = false;
  bool closed_ = false;
};

}  // namespace sundial

#endif  // SUNDIAL_BASE_HAND_OFF_H_
