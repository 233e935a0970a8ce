// Informer: keeps a local copy of one Kubernetes resource in one namespace (or all) current, as
// client-go's reflector does: LIST (paged, with the label/field selectors), then WATCH from the
// list's resourceVersion with allowWatchBookmarks, applying ADDED/MODIFIED/DELETED events as
// they arrive and BOOKMARK resourceVersions. A watch that ends (server timeout), breaks or is
// refused (other than 410) is resumed from the last resourceVersion, after a backoff when it
// lasted less than a second; 410 Gone (status or ERROR event) re-lists at once; a failed list is
// retried with backoff (doubling up to max_backoff).
//
// The store and every callback are guarded by a mutex the owner passes in (shared by all the
// informers of one provider so that handlers may read the other stores).
#ifndef SUNDIAL_DISCOVERY_KUBERNETES_INFORMER_H_
#define SUNDIAL_DISCOVERY_KUBERNETES_INFORMER_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "base/json.h"
#include "net/http_client.h"

namespace sundial::discovery::kubernetes {

struct ResourceOptions {
  std::string server;      // "https://host:port"
  std::string api_prefix;  // "/api/v1", "/apis/discovery.k8s.io/v1", ...
  std::string resource;    // "pods", "nodes", ...
  std::string namespace_;  // empty: all namespaces (or a cluster-scoped resource)
  std::string label_selector;
  std::string field_selector;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  int list_page_size = 500;
};

class Informer {
 public:
  // Called with the owner's mutex held for every change of the store: `old` is null for a new
  // object, `cur` null for a deleted one.
  using ChangeFn = std::function<void(const std::string& key, const Json* old, const Json* cur)>;
  // Called with the mutex held after a complete list and after each batch of watch events.
  using BatchFn = std::function<void()>;

  Informer(ResourceOptions options, std::shared_ptr<net::HttpClient> client, std::mutex* mu,
           ChangeFn on_change, BatchFn on_batch);
  ~Informer();  // Stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void Start();
  // Cancels requests and joins the thread. Idempotent. REQUIRES: the mutex is not held.
  void Stop();

  // REQUIRES: the mutex is held.
  bool synced() const { return synced_; }
  const Json* Get(std::string_view key) const;
  const std::map<std::string, Json, std::less<>>& objects() const { return objects_; }

  // "<server><prefix>[/namespaces/<ns>]/<resource>" plus the query for a list or watch request.
  std::string ListUrl(std::string_view continue_token) const;
  std::string WatchUrl(std::string_view resource_version, int timeout_seconds) const;

 private:
  enum class WatchEnd { kResume, kRelist, kStopped };
  struct WatchState;

  void Run(std::stop_token stop);
  // Lists everything and replaces the store; returns the list's resourceVersion.
  absl::StatusOr<std::string> List(std::stop_token stop);
  WatchEnd Watch(std::stop_token stop, std::string* resource_version);
  // Applies one watch event line; kResume means "keep going".
  WatchEnd ApplyEvent(std::string_view line, std::string* resource_version);
  bool Sleep(std::stop_token stop, std::chrono::milliseconds d);

  const ResourceOptions options_;
  const std::shared_ptr<net::HttpClient> client_;
  std::mutex* const mu_;
  const ChangeFn on_change_;
  const BatchFn on_batch_;
  std::map<std::string, Json, std::less<>> objects_;  // guarded by *mu_
  bool synced_ = false;                               // guarded by *mu_
  std::mutex stream_mu_;
  std::shared_ptr<net::BodyStream> stream_;  // guarded by stream_mu_
  std::jthread thread_;
};

}  // namespace sundial::discovery::kubernetes

#endif  // SUNDIAL_DISCOVERY_KUBERNETES_INFORMER_H_
