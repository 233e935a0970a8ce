#include "scrape/internal/timer.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <utility>

namespace sundial::scrape::internal {

struct Timer::Impl {
  explicit Impl(net::IoPool* pool) : timer(pool->context()) {}
  boost::asio::steady_timer timer;
};

Timer::Timer(net::IoPool* pool) : impl_(std::make_unique<Impl>(pool)) {}

Timer::~Timer() = default;

void Timer::WaitUntil(std::chrono::steady_clock::time_point when,
                      std::function<void(bool fired)> fn) {
  impl_->timer.expires_at(when);
  impl_->timer.async_wait([fn = std::move(fn)](const boost::system::error_code& ec) { fn(!ec); });
}

void Timer::Cancel() { impl_->timer.cancel(); }

}  // namespace sundial::scrape::internal
