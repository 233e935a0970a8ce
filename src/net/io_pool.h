// IoPool: the process' Asio io_context and the threads that run it. The HTTP server, the HTTP
// client, scrape loops, discovery and notifiers all run their I/O on one pool.
//
//   net::IoPool pool(2);                 // threads start now
//   net::HttpClient client(opts, &pool);
//   ...
//   pool.Stop();                         // or let the destructor stop and join
//
// Only files that really use Asio include net/internal/asio.h to reach the io_context; this header
// stays light so most translation units never parse Asio.
#ifndef SUNDIAL_NET_IO_POOL_H_
#define SUNDIAL_NET_IO_POOL_H_

#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sundial::net {

class IoPool {
 public:
  // REQUIRES: threads >= 1.
  explicit IoPool(int threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // Stops the context and joins the threads; pending handlers are abandoned. Idempotent.
  // REQUIRES: not called from one of the pool's own threads.
  void Stop();

  boost::asio::io_context& context() { return *context_; }
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  struct Guard;  // keeps run() from returning while idle
  std::unique_ptr<boost::asio::io_context> context_;
  std::unique_ptr<Guard> guard_;
  std::vector<std::thread> threads_;
};

}  // namespace sundial::net

#endif  // SUNDIAL_NET_IO_POOL_H_
