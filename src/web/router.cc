#include "web/router.h"

#include <algorithm>

#include "base/str_cat.h"

namespace sundial::web {
namespace {

// Splits "/a/b/c" into {"a","b","c"}; "/" gives {""}; a trailing '/' yields a final "" segment.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

void Router::Handle(std::string_view method, std::string_view pattern, Handler handler) {
  for (Route& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      route.handler = std::move(handler);
      return;
    }
  }
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  for (std::string_view seg : SplitPath(pattern)) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      route.segments.push_back({Segment::Kind::kParam, std::string(seg.substr(1, seg.size() - 2))});
    } else if (!seg.empty() && seg.front() == '*') {
      route.segments.push_back({Segment::Kind::kCatchAll, std::string(seg.substr(1))});
      route.catch_all = true;
    } else {
      route.segments.push_back({Segment::Kind::kLiteral, std::string(seg)});
      ++route.literals;
    }
  }
  if (route.literals == static_cast<int>(route.segments.size())) {
    literal_routes_[route.pattern].push_back(routes_.size());
  }
  routes_.push_back(std::move(route));
}

bool Router::MatchRoute(const Route& route, std::string_view path,
                        std::vector<std::pair<std::string, std::string>>* params) {
  params->clear();
  if (path.empty() || path.front() != '/') return false;
  std::string_view rest = path.substr(1);
  bool exhausted = false;  // every segment of the path was consumed
  for (const Segment& seg : route.segments) {
    if (exhausted) return false;
    if (seg.kind == Segment::Kind::kCatchAll) {
      params->emplace_back(seg.text, std::string(rest));
      return true;
    }
    size_t slash = rest.find('/');
    std::string_view piece = rest.substr(0, slash);
    if (seg.kind == Segment::Kind::kLiteral) {
      if (piece != seg.text) return false;
    } else {
      if (piece.empty()) return false;
      params->emplace_back(seg.text, std::string(piece));
    }
    exhausted = slash == std::string_view::npos;
    rest = exhausted ? std::string_view() : rest.substr(slash + 1);
  }
  return exhausted;
}

bool Router::Better(const Route& a, const Route& b) {
  if (a.catch_all != b.catch_all) return !a.catch_all;
  return a.literals > b.literals;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  if (auto it = literal_routes_.find(AsAbsl(path)); it != literal_routes_.end()) {
    for (size_t i : it->second) {
      if (routes_[i].method != method) continue;
      match.kind = Match::Kind::kFound;
      match.handler = &routes_[i].handler;
      match.pattern = routes_[i].pattern;
      return match;
    }
  }
  const Route* best = nullptr;
  const Route* best_get = nullptr;  // fallback for HEAD
  std::vector<std::string> allowed;
  std::vector<std::pair<std::string, std::string>> params;
  for (const Route& route : routes_) {
    if (!MatchRoute(route, path, &params)) continue;
    allowed.push_back(route.method);
    if (route.method == method) {
      if (best == nullptr || Better(route, *best)) best = &route;
    } else if (method == "HEAD" && route.method == "GET") {
      if (best_get == nullptr || Better(route, *best_get)) best_get = &route;
    }
  }
  if (best == nullptr) best = best_get;
  if (best != nullptr) {
    match.kind = Match::Kind::kFound;
    match.handler = &best->handler;
    match.pattern = best->pattern;
    MatchRoute(*best, path, &match.path_params);
    return match;
  }
  if (allowed.empty()) return match;
  if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
  allowed.push_back("OPTIONS");
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  match.kind = Match::Kind::kMethodNotAllowed;
  for (const std::string& m : allowed) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += m;
  }
  return match;
}

}  // namespace sundial::web
