#include "discovery/refresh_provider.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "base/log.h"

namespace sundial::discovery {
namespace {

const Logger kLog("discovery.refresh");

class RefreshProvider final : public Provider {
 public:
  RefreshProvider(std::string mechanism, Duration interval, RefreshFn refresh)
      : mechanism_(std::move(mechanism)), interval_(interval), refresh_(std::move(refresh)) {}
  ~RefreshProvider() override { Stop(); }

  void Start(UpdateFn update) override {
    update_ = std::move(update);
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  }

  void Stop() override {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
  }

 private:
  void Run(std::stop_token stop) {
    for (;;) {
      absl::StatusOr<std::vector<TargetGroup>> groups = refresh_(stop);
      if (stop.stop_requested()) return;
      if (!groups.ok()) {
        kLog.Error("Unable to refresh target groups",
                   {{"mechanism", mechanism_}, {"err", groups.status()}});
      } else if (!sent_once_ || *groups != last_sent_) {
        sent_once_ = true;
        last_sent_ = *groups;
        update_(*std::move(groups));
      }
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, stop, interval_, [] { return false; }) || stop.stop_requested()) {
        return;
      }
    }
  }

  const std::string mechanism_;
  const Duration interval_;
  const RefreshFn refresh_;
  UpdateFn update_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  // Owned by the provider thread.
  std::vector<TargetGroup> last_sent_;
  bool sent_once_ = false;
  std::jthread thread_;  // declared last: joined before the members above go away
};

}  // namespace

std::unique_ptr<Provider> NewRefreshProvider(std::string mechanism, Duration interval,
                                             RefreshFn refresh) {
  return std::make_unique<RefreshProvider>(std::move(mechanism), interval, std::move(refresh));
}

}  // namespace sundial::discovery
