// A fixed set of threads that run queries (--query.max-concurrency): at most `threads` queries
// evaluate at once; the rest wait in FIFO order. Internal to the API.
#ifndef SUNDIAL_WEB_API_QUERY_POOL_H_
#define SUNDIAL_WEB_API_QUERY_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace sundial::web::api {

class QueryPool {
 public:
  explicit QueryPool(int threads);
  // Runs what was queued, then joins the threads.
  ~QueryPool();
  QueryPool(const QueryPool&) = delete;
  QueryPool& operator=(const QueryPool&) = delete;

  // Queues task; it runs on one of the pool's threads. Thread-safe.
  void Submit(std::function<void()> task);

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace sundial::web::api

#endif  // SUNDIAL_WEB_API_QUERY_POOL_H_
