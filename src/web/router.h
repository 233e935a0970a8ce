// Router: maps method + path to a handler, like Prometheus' common/route over httprouter.
//
//   web::Router router;
//   router.Get("/api/v1/label/{name}/values", LabelValues);
//   router.Handle("POST", "/api/v1/query", Query);
//   router.Get("/static/*filepath", ServeStatic);
//
// Patterns are '/'-separated segments. A literal segment matches itself, "{name}" matches one
// non-empty segment, and a final "*name" matches the rest of the path (possibly empty, without
// the leading '/'). When several patterns match, the one without "*" wins, then the one with more
// literal segments, then the one registered first. HEAD uses the GET handler unless a HEAD handler
// is registered. Paths are matched after the server strips the route prefix.
//
// Thread-safety: register every route before Server::Start(); Find() is const and may then run
// concurrently. The router must outlive the server.
#ifndef SUNDIAL_WEB_ROUTER_H_
#define SUNDIAL_WEB_ROUTER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "web/http_request.h"
#include "web/http_response.h"

namespace sundial::web {

// Runs on an io thread for every request routed to it. `request` is valid only until the handler
// returns; `responder` lives as long as the handler keeps a reference. An exception that escapes
// becomes a 500 (if nothing was sent yet) and the connection stays usable; a handler must not
// throw after handing its responder to another thread.
using Handler = std::function<void(const HttpRequest& request, std::shared_ptr<Responder>)>;

class Router {
 public:
  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    const Handler* handler = nullptr;  // kFound only; owned by the router
    std::string pattern;               // kFound only: the registered pattern, e.g. for metrics
    std::vector<std::pair<std::string, std::string>> path_params;  // kFound only
    // kMethodNotAllowed: the methods registered for this path, e.g. "GET, HEAD, OPTIONS, POST".
    std::string allow;
  };

  // Registers handler for method (upper case) and pattern; registering the same pair again
  // replaces the handler. REQUIRES: pattern starts with '/', "*name" only as the last segment.
  void Handle(std::string_view method, std::string_view pattern, Handler handler);
  void Get(std::string_view pattern, Handler handler) {
    Handle("GET", pattern, std::move(handler));
  }
  void Post(std::string_view pattern, Handler handler) {
    Handle("POST", pattern, std::move(handler));
  }
  void Put(std::string_view pattern, Handler handler) {
    Handle("PUT", pattern, std::move(handler));
  }
  void Delete(std::string_view pattern, Handler handler) {
    Handle("DELETE", pattern, std::move(handler));
  }

  // path is decoded and prefix-stripped. kMethodNotAllowed when the path matches a pattern only
  // under other methods.
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    enum class Kind { kLiteral, kParam, kCatchAll };
    Kind kind;
    std::string text;  // literal text or parameter name
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    int literals = 0;
    bool catch_all = false;
    Handler handler;
  };

  static bool MatchRoute(const Route& route, std::string_view path,
                         std::vector<std::pair<std::string, std::string>>* params);
  // True iff a is preferred over b (both match the same path).
  static bool Better(const Route& a, const Route& b);

  std::vector<Route> routes_;
  // The routes whose segments are all literal, by their pattern: indexes into routes_. Such a
  // route is the best match of its method for its path (no other pattern has more literals).
  absl::flat_hash_map<std::string, std::vector<size_t>> literal_routes_;
};

}  // namespace sundial::web

#endif  // SUNDIAL_WEB_ROUTER_H_
