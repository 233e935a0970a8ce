#include "net/io_pool.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace sundial::net {

struct IoPool::Guard {
  explicit Guard(boost::asio::io_context& ctx) : work(ctx.get_executor()) {}
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
};

IoPool::IoPool(int threads)
    : context_(std::make_unique<boost::asio::io_context>(threads)),
      guard_(std::make_unique<Guard>(*context_)) {
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { context_->run(); });
  }
}

IoPool::~IoPool() { Stop(); }

void IoPool::Stop() {
  guard_.reset();
  context_->stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace sundial::net
