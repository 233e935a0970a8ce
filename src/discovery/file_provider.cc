#include "discovery/file_provider.h"

#include <glob.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "base/file_system.h"
#include "base/log.h"
#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "model/names.h"

namespace sundial::discovery {
namespace {

const Logger kLog("discovery.file");

metrics::Counter& ReadErrors() {
  static metrics::Counter& c = metrics::Registry::Default().NewCounter(
      "prometheus_sd_file_read_errors_total", "The number of File-SD read errors.");
  return c;
}

std::string Dir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The files matching the patterns, sorted and unique. Patterns that match nothing are fine.
std::set<std::string> ExpandGlobs(const std::vector<std::string>& patterns) {
  std::set<std::string> files;
  for (const std::string& pattern : patterns) {
    glob_t g{};
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) files.insert(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  return files;
}

absl::StatusOr<std::vector<TargetGroup>> DecodeGroups(std::string_view path,
                                                      const YAML::Node& root) {
  std::vector<TargetGroup> groups;
  if (!root || root.IsNull()) return groups;
  if (!root.IsSequence()) return absl::InvalidArgumentError("expected a list of target groups");
  for (size_t i = 0; i < root.size(); ++i) {
    const YAML::Node& node = root[i];
    if (!node.IsMap()) return absl::InvalidArgumentError("expected a target group object");
    TargetGroup g{.source = StrCat(path, ":", i)};
    LabelsBuilder labels;
    if (const YAML::Node l = node["labels"]; l && !l.IsNull()) {
      if (!l.IsMap()) return absl::InvalidArgumentError("labels must be a map");
      for (const auto& kv : l) {
        std::string name = kv.first.as<std::string>();
        if (!IsLegacyLabelName(name)) {
          return absl::InvalidArgumentError(StrCat(GoQuote(name), " is not a valid label name"));
        }
        labels.Set(name, kv.second.IsNull() ? std::string() : kv.second.as<std::string>());
      }
    }
    labels.Set("__meta_filepath", path);
    g.labels = labels.Build();
    if (const YAML::Node t = node["targets"]; t && !t.IsNull()) {
      if (!t.IsSequence()) return absl::InvalidArgumentError("targets must be a list");
      for (const auto& target : t) {
        std::string address = target.as<std::string>();
        if (address.find('/') != std::string::npos || address.empty()) {
          return absl::InvalidArgumentError(StrCat(GoQuote(address), " is not a valid hostname"));
        }
        g.targets.push_back(Labels{{"__address__", address}});
      }
    }
    groups.push_back(std::move(g));
  }
  return groups;
}

class FileProvider final : public Provider {
 public:
  explicit FileProvider(config::FileSdConfig config) : config_(std::move(config)) {}
  ~FileProvider() override { Stop(); }

  void Start(UpdateFn update) override {
    update_ = std::move(update);
    inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd_ >= 0) {
      std::set<std::string> dirs;
      for (const std::string& pattern : config_.files) dirs.insert(Dir(pattern));
      for (const std::string& dir : dirs) {
        // Best effort: without a watch the refresh interval still applies.
        inotify_add_watch(
            inotify_fd_, dir.c_str(),
            IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE);
      }
    }
    thread_ = std::thread([this] { Run(); });
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (inotify_fd_ >= 0) {
      close(inotify_fd_);
      inotify_fd_ = -1;
    }
  }

 private:
  void Run() {
    auto next_refresh = std::chrono::steady_clock::now();
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      if (std::chrono::steady_clock::now() >= next_refresh || DrainInotify()) {
        Refresh();
        next_refresh = std::chrono::steady_clock::now() + config_.refresh_interval;
      }
      // Wake at the next refresh, at Stop, or every 100ms to look at inotify events.
      std::unique_lock<std::mutex> lock(mu_);
      auto wake = next_refresh;
      if (inotify_fd_ >= 0) {
        wake = std::min(wake, std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
      }
      cv_.wait_until(lock, wake, [this] { return stopping_; });
    }
  }

  // True iff inotify reported any event since the last call.
  bool DrainInotify() {
    if (inotify_fd_ < 0) return false;
    bool any = false;
    alignas(inotify_event) char buf[4096];
    while (read(inotify_fd_, buf, sizeof buf) > 0) any = true;
    return any;
  }

  void Refresh() {
    std::map<std::string, std::vector<TargetGroup>> current;
    for (const std::string& path : ExpandGlobs(config_.files)) {
      absl::StatusOr<std::vector<TargetGroup>> groups = ReadFile(path);
      if (groups.ok()) {
        current[path] = *std::move(groups);
        continue;
      }
      ReadErrors().Inc();
      kLog.Error("Error reading file", {{"path", path}, {"err", groups.status()}});
      if (auto it = last_good_.find(path); it != last_good_.end()) {
        current[path] = it->second;
      }
    }
    last_good_ = current;
    std::vector<TargetGroup> all;
    for (auto& [path, groups] : current) {
      for (TargetGroup& g : groups) all.push_back(std::move(g));
    }
    if (sent_once_ && all == last_sent_) return;
    sent_once_ = true;
    last_sent_ = all;
    update_(std::move(all));
  }

  static absl::StatusOr<std::vector<TargetGroup>> ReadFile(const std::string& path) {
    absl::StatusOr<std::string> content = FileSystem::Default()->ReadFile(path);
    if (!content.ok()) return content.status();
    return ParseFileSdContent(path, *content);
  }

  const config::FileSdConfig config_;
  UpdateFn update_;
  int inotify_fd_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  // Owned by the provider thread.
  std::map<std::string, std::vector<TargetGroup>> last_good_;
  std::vector<TargetGroup> last_sent_;
  bool sent_once_ = false;
};

}  // namespace

absl::StatusOr<std::vector<TargetGroup>> ParseFileSdContent(std::string_view path,
                                                            std::string_view content) {
  YAML::Node root;
  try {
    // JSON is parsed as YAML flow syntax, which accepts every JSON document.
    root = YAML::Load(std::string(content));
    return DecodeGroups(path, root);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat("error parsing ", path, ": ", e.what()));
  }
}

std::unique_ptr<Provider> NewFileProvider(config::FileSdConfig config) {
  return std::make_unique<FileProvider>(std::move(config));
}

}  // namespace sundial::discovery
