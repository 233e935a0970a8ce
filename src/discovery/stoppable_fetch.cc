#include "discovery/stoppable_fetch.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace sundial::discovery {
namespace {

// Shared with the callback, which may outlive the caller.
struct Pending {
  std::mutex mu;
  std::condition_variable_any cv;
  std::optional<absl::StatusOr<net::Response>> result;  // guarded by mu
};

}  // namespace

absl::StatusOr<net::Response> StoppableFetch(net::HttpClient& client, net::Request request,
                                             std::stop_token stop) {
  auto pending = std::make_shared<Pending>();
  client.Do(std::move(request), [pending](absl::StatusOr<net::Response> r) {
    {
      std::lock_guard<std::mutex> lock(pending->mu);
      pending->result = std::move(r);
    }
    pending->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(pending->mu);
  if (!pending->cv.wait(lock, stop, [&] { return pending->result.has_value(); })) {
    return absl::CancelledError("discovery stopped");
  }
  return *std::move(pending->result);
}

}  // namespace sundial::discovery
