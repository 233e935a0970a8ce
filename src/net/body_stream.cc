#include "net/body_stream.h"

#include <utility>

namespace sundial::net {

void BodyStream::Cancel() {
  std::function<void()> cancel;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    cancel = std::move(canceller_);
    canceller_ = nullptr;
  }
  if (cancel) cancel();
}

bool BodyStream::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

void BodyStream::SetCanceller(std::function<void()> cancel) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_) {
      canceller_ = std::move(cancel);
      return;
    }
  }
  cancel();
}

}  // namespace sundial::net
