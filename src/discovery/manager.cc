#include "discovery/manager.h"

#include <utility>

#include "base/log.h"
#include "discovery/dns_provider.h"
#include "discovery/file_provider.h"
#include "discovery/http_provider.h"
#include "discovery/kubernetes/provider.h"
#include "discovery/static_provider.h"

namespace sundial::discovery {
namespace {

const Logger kLog("discovery");

std::vector<std::unique_ptr<Provider>> NewProviders(const std::string& set,
                                                    const config::ServiceDiscoveryConfigs& c,
                                                    net::IoPool* io_pool) {
  std::vector<std::unique_ptr<Provider>> providers;
  if (!c.static_configs.empty()) providers.push_back(NewStaticProvider(c.static_configs));
  for (const config::FileSdConfig& f : c.file_sd_configs) providers.push_back(NewFileProvider(f));
  for (const config::HttpSdConfig& h : c.http_sd_configs) {
    if (io_pool == nullptr) {
      kLog.Warn("http_sd needs an IoPool; ignored", {{"config", set}});
      continue;
    }
    absl::StatusOr<std::unique_ptr<Provider>> p = NewHttpProvider(h, io_pool);
    if (!p.ok()) {
      kLog.Error("Cannot create service discovery",
                 {{"config", set}, {"type", "http"}, {"err", p.status()}});
      continue;
    }
    providers.push_back(*std::move(p));
  }
  for (const config::DnsSdConfig& d : c.dns_sd_configs) providers.push_back(NewDnsProvider(d));
  for (const config::KubernetesSdConfig& k : c.kubernetes_sd_configs) {
    if (io_pool == nullptr) {
      kLog.Warn("kubernetes_sd needs an IoPool; ignored", {{"config", set}});
      continue;
    }
    absl::StatusOr<std::unique_ptr<Provider>> p = kubernetes::NewProvider(k, io_pool);
    if (!p.ok()) {
      kLog.Error("Cannot create service discovery",
                 {{"config", set}, {"type", "kubernetes"}, {"err", p.status()}});
      continue;
    }
    providers.push_back(*std::move(p));
  }
  return providers;
}

}  // namespace

struct Manager::Slot {
  std::string set;
  bool active = true;  // guarded by Manager::mu_
  std::vector<TargetGroup> groups{};
};

Manager::Manager(SyncFn sync, Options options) : sync_(std::move(sync)), options_(options) {
  thread_ = std::thread([this] { SyncLoop(); });
}

Manager::~Manager() { Stop(); }

void Manager::ApplyConfig(const std::map<std::string, config::ServiceDiscoveryConfigs>& sets) {
  std::lock_guard<std::mutex> apply_lock(apply_mu_);
  std::vector<std::unique_ptr<Provider>> to_stop;
  std::vector<std::pair<std::shared_ptr<Slot>, Provider*>> to_start;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    for (auto it = sets_.begin(); it != sets_.end();) {
      auto next = sets.find(it->first);
      if (next != sets.end() && next->second == it->second.config) {
        ++it;
        continue;
      }
      for (auto& slot : it->second.slots) slot->active = false;
      for (auto& p : it->second.providers) to_stop.push_back(std::move(p));
      dirty_.erase(it->first);
      it = sets_.erase(it);
    }
    for (const auto& [name, config] : sets) {
      if (sets_.contains(name)) continue;
      Set& s = sets_[name];
      s.config = config;
      s.providers = NewProviders(name, config, options_.io_pool);
      for (auto& p : s.providers) {
        s.slots.push_back(std::make_shared<Slot>(Slot{.set = name}));
        to_start.emplace_back(s.slots.back(), p.get());
      }
    }
  }
  for (auto& p : to_stop) p->Stop();
  // Providers are owned by sets_, which only this method and Stop change (under apply_mu_).
  for (auto& [slot, provider] : to_start) {
    provider->Start([this, slot = slot](std::vector<TargetGroup> groups) {
      OnUpdate(slot, std::move(groups));
    });
  }
}

void Manager::OnUpdate(const std::shared_ptr<Slot>& slot, std::vector<TargetGroup> groups) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!slot->active || stopping_) return;
    slot->groups = std::move(groups);
    dirty_.insert(slot->set);
  }
  cv_.notify_all();
}

void Manager::SyncLoop() {
  auto last_sync = std::chrono::steady_clock::time_point::min();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !dirty_.empty(); });
    if (stopping_) return;
    if (last_sync != std::chrono::steady_clock::time_point::min()) {
      cv_.wait_until(lock, last_sync + options_.update_interval, [this] { return stopping_; });
      if (stopping_) return;
    }
    std::vector<std::pair<std::string, std::vector<TargetGroup>>> updates;
    for (const std::string& name : dirty_) {
      auto it = sets_.find(name);
      if (it == sets_.end()) continue;
      std::vector<TargetGroup> all;
      for (const auto& slot : it->second.slots) {
        all.insert(all.end(), slot->groups.begin(), slot->groups.end());
      }
      updates.emplace_back(name, std::move(all));
    }
    dirty_.clear();
    last_sync = std::chrono::steady_clock::now();
    lock.unlock();
    for (auto& [name, groups] : updates) sync_(name, std::move(groups));
    lock.lock();
  }
}

void Manager::Stop() {
  std::lock_guard<std::mutex> apply_lock(apply_mu_);
  std::map<std::string, Set> sets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    sets.swap(sets_);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& [name, set] : sets) {
    for (auto& p : set.providers) p->Stop();
  }
}

}  // namespace sundial::discovery
