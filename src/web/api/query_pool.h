// A fixed set of threads that run queries (--query.max-concurrency): at most `threads` queries
// evaluate at once, on the pool's threads or elsewhere (SubmitOrRunElsewhere); the rest wait in
// FIFO order. Internal to the API.
#ifndef SUNDIAL_WEB_API_QUERY_POOL_H_
#define SUNDIAL_WEB_API_QUERY_POOL_H_

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace sundial::web::api {

class QueryPool {
 public:
  explicit QueryPool(int threads);
  // Runs what was queued, waits for tasks running elsewhere, then joins the threads.
  ~QueryPool();
  QueryPool(const QueryPool&) = delete;
  QueryPool& operator=(const QueryPool&) = delete;

  // Queues task; it runs on one of the pool's threads. Thread-safe.
  void Submit(std::function<void()> task);

  // When a slot is free and no task waits, offers run_elsewhere a wrapper of task that holds
  // the slot while it runs (e.g. to run it on the HTTP server's own thread, sparing a thread
  // wake-up). run_elsewhere takes the wrapper (moves from it) and calls it at most once, or
  // leaves it and returns false. Otherwise task is queued as by Submit. A wrapper called after
  // the pool began to be destroyed does not run task. Thread-safe.
  void SubmitOrRunElsewhere(std::function<void()> task,
                            absl::FunctionRef<bool(std::function<void()>&)> run_elsewhere);

  // The queue and slot counts, shared with the tasks handed out. Defined in query_pool.cc.
  struct Shared;

 private:
  void Loop();

  std::shared_ptr<Shared> shared_;
  std::vector<std::thread> threads_;
};

}  // namespace sundial::web::api

#endif  // SUNDIAL_WEB_API_QUERY_POOL_H_
