#include "discovery/kubernetes/informer.h"

#include <condition_variable>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/str_cat.h"
#include "discovery/kubernetes/objects.h"
#include "discovery/stoppable_fetch.h"
#include "net/body_stream.h"

#ifndef SUNDIAL_VERSION_STRING
#define SUNDIAL_VERSION_STRING "unknown"
#endif

namespace sundial::discovery::kubernetes {
namespace {

const Logger kLog("discovery");

// Go's url.QueryEscape.
std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

net::Request ApiRequest(std::string url) {
  net::Request r{.url = std::move(url)};
  r.headers.Set("Accept", "application/json");
  r.headers.Set("User-Agent", StrCat("Prometheus/", SUNDIAL_VERSION_STRING));
  return r;
}

absl::Status StatusError(const net::Response& r) {
  // The body is a metav1.Status; its message is what client-go reports.
  absl::StatusOr<Json> status = Json::Parse(r.body);
  std::string message = status.ok() ? (*status)["message"].str() : "";
  if (message.empty()) message = StrCat("server returned HTTP status ", r.status);
  if (r.status_code == 410) return absl::OutOfRangeError(message);
  return absl::UnavailableError(message);
}

// Watch events are concatenated JSON objects (the API server puts a newline after each, but
// json.Decoder framing does not need it). Returns the end of the first complete object at or
// after `from`, or npos when the data holds no complete object yet.
size_t EndOfValue(std::string_view data, size_t from) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = from; i < data.size(); ++i) {
    const char c = data[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

struct Informer::WatchState {
  std::mutex mu;
  std::condition_variable_any cv;
  std::string data;                                     // guarded by mu
  std::optional<absl::StatusOr<net::Response>> result;  // guarded by mu
};

Informer::Informer(ResourceOptions options, std::shared_ptr<net::HttpClient> client, std::mutex* mu,
                   ChangeFn on_change, BatchFn on_batch)
    : options_(std::move(options)),
      client_(std::move(client)),
      mu_(mu),
      on_change_(std::move(on_change)),
      on_batch_(std::move(on_batch)) {}

Informer::~Informer() { Stop(); }

void Informer::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void Informer::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    if (stream_ != nullptr) stream_->Cancel();
  }
  thread_.join();
}

const Json* Informer::Get(std::string_view key) const {
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : &it->second;
}

std::string Informer::ListUrl(std::string_view continue_token) const {
  std::string url = StrCat(options_.server, options_.api_prefix);
  if (!options_.namespace_.empty()) StrAppend(&url, "/namespaces/", options_.namespace_);
  StrAppend(&url, "/", options_.resource);
  std::string query;
  auto param = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    StrAppend(&query, query.empty() ? "?" : "&", name, "=", QueryEscape(value));
  };
  param("continue", continue_token);
  param("fieldSelector", options_.field_selector);
  param("labelSelector", options_.label_selector);
  if (options_.list_page_size > 0) param("limit", StrCat(options_.list_page_size));
  return StrCat(url, query);
}

std::string Informer::WatchUrl(std::string_view resource_version, int timeout_seconds) const {
  std::string url = StrCat(options_.server, options_.api_prefix);
  if (!options_.namespace_.empty()) StrAppend(&url, "/namespaces/", options_.namespace_);
  StrAppend(&url, "/", options_.resource, "?allowWatchBookmarks=true");
  if (!options_.field_selector.empty()) {
    StrAppend(&url, "&fieldSelector=", QueryEscape(options_.field_selector));
  }
  if (!options_.label_selector.empty()) {
    StrAppend(&url, "&labelSelector=", QueryEscape(options_.label_selector));
  }
  StrAppend(&url, "&resourceVersion=", QueryEscape(resource_version),
            "&timeoutSeconds=", timeout_seconds, "&watch=true");
  return url;
}

bool Informer::Sleep(std::stop_token stop, std::chrono::milliseconds d) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(m);
  cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

absl::StatusOr<std::string> Informer::List(std::stop_token stop) {
  std::map<std::string, Json, std::less<>> fresh;
  std::string continue_token;
  std::string resource_version;
  do {
    net::Request request = ApiRequest(ListUrl(continue_token));
    request.timeout = std::chrono::seconds(60);
    absl::StatusOr<net::Response> r = StoppableFetch(*client_, std::move(request), stop);
    if (!r.ok()) return r.status();
    if (r->status_code != 200) return StatusError(*r);
    absl::StatusOr<Json> list = Json::Parse(r->body);
    if (!list.ok()) return list.status();
    for (const Json& item : (*list)["items"].items()) {
      std::string key = ObjectKey(item);
      fresh.insert_or_assign(std::move(key), item);
    }
    continue_token = (*list)["metadata"]["continue"].str();
    resource_version = (*list)["metadata"]["resourceVersion"].str();
  } while (!continue_token.empty() && !stop.stop_requested());

  std::lock_guard<std::mutex> lock(*mu_);
  for (auto it = objects_.begin(); it != objects_.end();) {
    if (fresh.contains(it->first)) {
      ++it;
      continue;
    }
    const Json old = std::move(it->second);
    const std::string key = it->first;
    it = objects_.erase(it);
    on_change_(key, &old, nullptr);
  }
  for (auto& [key, object] : fresh) {
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      const Json& cur = objects_.emplace(key, std::move(object)).first->second;
      on_change_(key, nullptr, &cur);
    } else if (it->second["metadata"]["resourceVersion"].str() !=
               object["metadata"]["resourceVersion"].str()) {
      const Json old = std::exchange(it->second, std::move(object));
      on_change_(key, &old, &it->second);
    }
  }
  synced_ = true;
  on_batch_();
  return resource_version;
}

Informer::WatchEnd Informer::ApplyEvent(std::string_view line, std::string* resource_version) {
  absl::StatusOr<Json> event = Json::Parse(line);
  if (!event.ok()) {
    kLog.Warn("Cannot decode Kubernetes watch event",
              {{"resource", options_.resource}, {"err", event.status()}});
    return WatchEnd::kRelist;
  }
  const std::string& type = (*event)["type"].str();
  const Json& object = (*event)["object"];
  if (type == "ERROR") {
    if (object["code"].integer() == 410) return WatchEnd::kRelist;
    kLog.Warn("Kubernetes watch error",
              {{"resource", options_.resource}, {"err", object["message"].str()}});
    return WatchEnd::kRelist;
  }
  const std::string& rv = object["metadata"]["resourceVersion"].str();
  if (!rv.empty()) *resource_version = rv;
  if (type == "BOOKMARK") return WatchEnd::kResume;
  const std::string key = ObjectKey(object);
  if (type == "ADDED" || type == "MODIFIED") {
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      const Json& cur = objects_.emplace(key, object).first->second;
      on_change_(key, nullptr, &cur);
    } else {
      const Json old = std::exchange(it->second, object);
      on_change_(key, &old, &it->second);
    }
  } else if (type == "DELETED") {
    auto it = objects_.find(key);
    if (it != objects_.end()) {
      const Json old = std::move(it->second);
      objects_.erase(it);
      on_change_(key, &old, nullptr);
    }
  }
  return WatchEnd::kResume;
}

Informer::WatchEnd Informer::Watch(std::stop_token stop, std::string* resource_version) {
  auto state = std::make_shared<WatchState>();
  auto stream = std::make_shared<net::BodyStream>([state](std::string_view data) {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->data.append(data);
    }
    state->cv.notify_all();
  });
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    if (stop.stop_requested()) return WatchEnd::kStopped;
    stream_ = stream;
  }
  // As client-go: the server ends the watch after 5 to 10 minutes.
  thread_local std::mt19937 rng(std::random_device{}());
  const int timeout_seconds = 300 + static_cast<int>(rng() % 300);
  net::Request request = ApiRequest(WatchUrl(*resource_version, timeout_seconds));
  request.timeout = std::chrono::seconds(timeout_seconds + 30);
  request.stream = stream;
  client_->Do(std::move(request), [state](absl::StatusOr<net::Response> r) {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->result = std::move(r);
    }
    state->cv.notify_all();
  });

  WatchEnd end = WatchEnd::kResume;
  std::string pending;
  for (;;) {
    std::string data;
    std::optional<absl::StatusOr<net::Response>> result;
    {
      std::unique_lock<std::mutex> lock(state->mu);
      if (!state->cv.wait(lock, stop,
                          [&] { return !state->data.empty() || state->result.has_value(); })) {
        end = WatchEnd::kStopped;
        break;
      }
      data.swap(state->data);
      if (state->result.has_value()) result = std::move(state->result);
    }
    pending.append(data);
    bool relist = false;
    {
      std::lock_guard<std::mutex> lock(*mu_);
      size_t start = 0;
      for (size_t end; !relist && (end = EndOfValue(pending, start)) != std::string::npos;
           start = end) {
        relist = ApplyEvent(std::string_view(pending).substr(start, end - start),
                            resource_version) == WatchEnd::kRelist;
      }
      pending.erase(0, start);
      on_batch_();
    }
    if (relist) {
      end = WatchEnd::kRelist;
      break;
    }
    if (result.has_value()) {
      if (!result->ok()) {
        if (stop.stop_requested()) return WatchEnd::kStopped;
        kLog.Warn("Kubernetes watch failed",
                  {{"resource", options_.resource}, {"err", result->status()}});
        end = WatchEnd::kResume;
      } else if ((*result)->status_code == 410) {
        end = WatchEnd::kRelist;
      } else if ((*result)->status_code != 200) {
        // Forbidden, a server error, ...: try the watch again after a backoff.
        kLog.Warn("Kubernetes watch failed",
                  {{"resource", options_.resource}, {"err", StatusError(**result)}});
        end = WatchEnd::kResume;
      }
      break;
    }
  }
  stream->Cancel();
  {
    std::lock_guard<std::mutex> lock(stream_mu_);
    stream_ = nullptr;
  }
  return end;
}

void Informer::Run(std::stop_token stop) {
  std::chrono::milliseconds backoff = options_.initial_backoff;
  auto next_backoff = [&] {
    const std::chrono::milliseconds d = backoff;
    backoff = std::min(backoff * 2, options_.max_backoff);
    return d;
  };
  while (!stop.stop_requested()) {
    absl::StatusOr<std::string> rv = List(stop);
    if (!rv.ok()) {
      if (stop.stop_requested()) return;
      kLog.Error("Failed to list Kubernetes objects",
                 {{"resource", options_.resource}, {"err", rv.status()}});
      if (!Sleep(stop, next_backoff())) return;
      continue;
    }
    backoff = options_.initial_backoff;
    std::string resource_version = *rv;
    for (;;) {
      const auto started = std::chrono::steady_clock::now();
      const WatchEnd end = Watch(stop, &resource_version);
      if (end == WatchEnd::kStopped || stop.stop_requested()) return;
      if (end == WatchEnd::kRelist) break;
      // A watch that ended early (a broken connection) is resumed after a pause.
      if (std::chrono::steady_clock::now() - started < std::chrono::seconds(1)) {
        if (!Sleep(stop, next_backoff())) return;
      } else {
        backoff = options_.initial_backoff;
      }
    }
  }
}

}  // namespace sundial::discovery::kubernetes
