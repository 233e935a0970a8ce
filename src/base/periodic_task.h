// PeriodicTask: runs a function every interval on its own thread until stopped.
//
//   PeriodicTask compaction(std::chrono::minutes(1), [&] { (void)db->Compact(); });
//   ...
//   compaction.Stop();   // waits for a run in progress; the destructor stops too
//
// The first run happens one interval after construction. Runs never overlap.
#ifndef SUNDIAL_BASE_PERIODIC_TASK_H_
#define SUNDIAL_BASE_PERIODIC_TASK_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace sundial {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> fn);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Wakes the thread and joins it. Idempotent. REQUIRES: not called from fn.
  void Stop();

 private:
  const std::chrono::milliseconds interval_;
  const std::function<void()> fn_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace sundial

#endif  // SUNDIAL_BASE_PERIODIC_TASK_H_
