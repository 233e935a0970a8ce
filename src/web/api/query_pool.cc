#include "web/api/query_pool.h"

#include <deque>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace sundial::web::api {

// Shared with the tasks handed out by SubmitOrRunElsewhere, which may outlive the pool.
struct QueryPool::Shared {
  explicit Shared(int n) : slots(n) {}

  const int slots;
  absl::Mutex mu;
  std::deque<std::function<void()>> queue ABSL_GUARDED_BY(mu);
  int busy ABSL_GUARDED_BY(mu) = 0;               // slots taken: tasks running or handed out
  int running_elsewhere ABSL_GUARDED_BY(mu) = 0;  // tasks running outside the pool's threads
  bool stopping ABSL_GUARDED_BY(mu) = false;
};

namespace {

// A task handed out with a slot. The slot is given back exactly once: when the task has run,
// when it is taken back (Reclaim), or when the last copy of the handed-out function is
// destroyed without a call.
class TaskWithSlot {
 public:
  TaskWithSlot(std::shared_ptr<QueryPool::Shared> shared, std::function<void()> task)
      : shared_(std::move(shared)), task_(std::move(task)) {}
  ~TaskWithSlot() {
    absl::MutexLock lock(&shared_->mu);
    if (holds_slot_) --shared_->busy;
  }

  // Runs the task unless the pool is being destroyed.
  void Run() {
    {
      absl::MutexLock lock(&shared_->mu);
      if (!holds_slot_) return;
      if (shared_->stopping) {
        holds_slot_ = false;
        --shared_->busy;
        return;
      }
      ++shared_->running_elsewhere;
    }
    task_();
    absl::MutexLock lock(&shared_->mu);
    holds_slot_ = false;
    --shared_->busy;
    --shared_->running_elsewhere;
  }

  // Gives the slot back and returns the task, which was not run.
  std::function<void()> Reclaim() {
    absl::MutexLock lock(&shared_->mu);
    holds_slot_ = false;
    --shared_->busy;
    return std::move(task_);
  }

 private:
  std::shared_ptr<QueryPool::Shared> shared_;
  std::function<void()> task_;
  bool holds_slot_ = true;  // guarded by shared_->mu
};

}  // namespace

QueryPool::QueryPool(int threads) : shared_(std::make_shared<Shared>(threads < 1 ? 1 : threads)) {
  threads_.reserve(static_cast<size_t>(shared_->slots));
  for (int i = 0; i < shared_->slots; ++i) threads_.emplace_back([this] { Loop(); });
}

QueryPool::~QueryPool() {
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->stopping = true;
    shared_->mu.Await(absl::Condition(
        +[](Shared* s) { return s->running_elsewhere == 0; }, shared_.get()));
  }
  for (std::thread& t : threads_) t.join();
}

void QueryPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&shared_->mu);
  shared_->queue.push_back(std::move(task));
}

void QueryPool::SubmitOrRunElsewhere(
    std::function<void()> task, absl::FunctionRef<bool(std::function<void()>&)> run_elsewhere) {
  {
    absl::MutexLock lock(&shared_->mu);
    if (shared_->stopping || !shared_->queue.empty() || shared_->busy >= shared_->slots) {
      shared_->queue.push_back(std::move(task));
      return;
    }
    ++shared_->busy;
  }
  auto held = std::make_shared<TaskWithSlot>(shared_, std::move(task));
  std::function<void()> handed_out = [held] { held->Run(); };
  if (run_elsewhere(handed_out)) return;
  Submit(held->Reclaim());
}

void QueryPool::Loop() {
  Shared& s = *shared_;
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&s.mu);
      // While stopping, what was queued runs regardless of the slots handed out.
      s.mu.Await(absl::Condition(
          +[](Shared* sh) {
            return sh->queue.empty() ? sh->stopping : (sh->busy < sh->slots || sh->stopping);
          },
          &s));
      if (s.queue.empty()) return;  // stopping and drained
      task = std::move(s.queue.front());
      s.queue.pop_front();
      ++s.busy;
    }
    task();
    absl::MutexLock lock(&s.mu);
    --s.busy;
  }
}

}  // namespace sundial::web::api
