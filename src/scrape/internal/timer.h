// Timer: one Asio steady timer on an IoPool, behind a header free of Asio. Internal to scrape/.
//
// Not thread-safe: callers serialize WaitUntil and Cancel (the scrape loop holds its mutex).
#ifndef SUNDIAL_SCRAPE_INTERNAL_TIMER_H_
#define SUNDIAL_SCRAPE_INTERNAL_TIMER_H_

#include <chrono>
#include <functional>
#include <memory>

#include "net/io_pool.h"

namespace sundial::scrape::internal {

class Timer {
 public:
  // REQUIRES: pool outlives the timer.
  explicit Timer(net::IoPool* pool);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Runs fn(true) on a pool thread at `when`, or fn(false) soon after Cancel(). One pending wait
  // at a time: a new WaitUntil cancels the previous one.
  void WaitUntil(std::chrono::steady_clock::time_point when, std::function<void(bool fired)> fn);
  void Cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sundial::scrape::internal

#endif  // SUNDIAL_SCRAPE_INTERNAL_TIMER_H_
