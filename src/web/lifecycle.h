// The built-in endpoints every Prometheus server has: /-/healthy, /-/ready, /-/reload, /-/quit and
// /metrics, with Prometheus' status codes and texts (tools grep them, so we keep them verbatim).
//
//   std::atomic<bool> ready{false};
//   web::LifecycleHooks hooks;
//   hooks.enable_lifecycle = flags.web_enable_lifecycle;
//   hooks.is_ready = [&] { return ready.load(); };
//   hooks.reload = [&] { return ReloadConfig(); };
//   hooks.quit = [&] { RequestTermination(); };
//   hooks.metrics = [&] { return registry.Expose(); };
//   web::RegisterLifecycleHandlers(&router, std::move(hooks));
#ifndef SUNDIAL_WEB_LIFECYCLE_H_
#define SUNDIAL_WEB_LIFECYCLE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "web/router.h"

namespace sundial::web {

// Every hook runs on an io thread while its request waits, and must be thread-safe.
struct LifecycleHooks {
  bool enable_lifecycle = false;   // --web.enable-lifecycle: /-/reload and /-/quit work
  std::function<bool()> is_ready;  // null: always ready
  // POST|PUT /-/reload: 200 on OK, else 500 "failed to reload config: <message>".
  std::function<absl::Status()> reload;
  // POST|PUT /-/quit: answers, then calls this; it must not block on the server's shutdown.
  std::function<void()> quit;
  // GET /metrics: the text exposition; null: /metrics is not registered.
  std::function<std::string()> metrics;
};

// REQUIRES: called before Server::Start().
void RegisterLifecycleHandlers(Router* router, LifecycleHooks hooks);

// Wraps h so that it answers 503 "Service Unavailable" until is_ready() is true, like
// Prometheus' testReady around its API and UI handlers.
Handler RequireReady(std::function<bool()> is_ready, Handler h);

}  // namespace sundial::web

#endif  // SUNDIAL_WEB_LIFECYCLE_H_
