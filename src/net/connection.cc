#include "net/connection.h"

#include <vector>

namespace sundial::net {

std::unique_ptr<Connection> ConnectionPool::Take(const std::string& key) {
  std::vector<std::unique_ptr<Connection>> expired;  // closed outside the lock
  std::unique_ptr<Connection> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    const auto oldest_allowed = std::chrono::steady_clock::now() - idle_timeout_;
    std::deque<std::unique_ptr<Connection>>& conns = it->second;
    while (!conns.empty() && conns.front()->idle_since < oldest_allowed) {
      expired.push_back(std::move(conns.front()));
      conns.pop_front();
    }
    if (!conns.empty()) {
      found = std::move(conns.back());
      conns.pop_back();
    }
    if (conns.empty()) idle_.erase(it);
  }
  return found;
}

void ConnectionPool::Put(std::unique_ptr<Connection> conn) {
  conn->idle_since = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  std::deque<std::unique_ptr<Connection>>& conns = idle_[conn->pool_key];
  if (conns.size() >= max_idle_per_key_) return;  // conn closes when it goes out of scope
  conns.push_back(std::move(conn));
}

}  // namespace sundial::net
