#include "discovery/manager.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "discovery/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::discovery {
namespace {

using ::testing::ElementsAre;
using testing::TempDir;
using testing::WriteFileAtomically;
using namespace std::chrono_literals;

class Sink {
 public:
  Manager::SyncFn Fn() {
    return [this](const std::string& set, std::vector<TargetGroup> groups) {
      std::lock_guard<std::mutex> lock(mu_);
      latest_[set] = std::move(groups);
      ++syncs_[set];
      cv_.notify_all();
    };
  }
  // The addresses of the latest sync of set once pred holds on them (or after 30s).
  template <typename Pred>
  std::vector<std::string> WaitFor(const std::string& set, Pred pred) {
    std::unique_lock<std::mutex> lock(mu_);
    std::vector<std::string> out;
    cv_.wait_for(lock, 30s, [&] {
      out.clear();
      auto it = latest_.find(set);
      if (it == latest_.end()) return false;
      for (const TargetGroup& g : it->second) {
        for (const Labels& t : g.targets) out.emplace_back(t.Get("__address__"));
      }
      return pred(out);
    });
    return out;
  }
  int syncs(const std::string& set) {
    std::lock_guard<std::mutex> lock(mu_);
    return syncs_[set];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<TargetGroup>> latest_;
  std::map<std::string, int> syncs_;
};

config::ServiceDiscoveryConfigs Static(std::vector<std::string> targets) {
  config::ServiceDiscoveryConfigs c;
  c.static_configs.push_back({.targets = std::move(targets), .labels = {}});
  return c;
}

TEST(DiscoveryManagerTest, MergesProvidersPerSetAndKeepsUnchangedOnes) {
  TempDir dir;
  WriteFileAtomically(dir.File("f.json"), R"([{"targets": ["f1:1"]}])");
  Sink sink;
  Manager m(sink.Fn(), {.update_interval = 20ms});
  config::ServiceDiscoveryConfigs node = Static({"s1:1"});
  node.file_sd_configs.push_back({.files = {dir.File("*.json")}, .refresh_interval = 1h});
  m.ApplyConfig({{"node", node}, {"other", Static({"o:1"})}});
  EXPECT_THAT(sink.WaitFor("node", [](auto& a) { return a.size() == 2; }),
              ElementsAre("s1:1", "f1:1"));
  EXPECT_THAT(sink.WaitFor("other", [](auto& a) { return a.size() == 1; }), ElementsAre("o:1"));

  // Reload: "node" unchanged (not re-synced), "other" changed.
  const int node_syncs = sink.syncs("node");
  m.ApplyConfig({{"node", node}, {"other", Static({"o:2"})}});
  EXPECT_THAT(sink.WaitFor("other", [](auto& a) { return a == std::vector<std::string>{"o:2"}; }),
              ElementsAre("o:2"));
  EXPECT_EQ(sink.syncs("node"), node_syncs);

  // The file provider of the unchanged set still runs.
  WriteFileAtomically(dir.File("f.json"), R"([{"targets": ["f2:1"]}])");
  EXPECT_THAT(sink.WaitFor("node", [](auto& a) { return a.size() == 2 && a[1] == "f2:1"; }),
              ElementsAre("s1:1", "f2:1"));
  m.Stop();
  m.Stop();
}

TEST(DiscoveryManagerTest, ThrottlesUpdates) {
  TempDir dir;
  const std::string path = dir.File("f.json");
  WriteFileAtomically(path, R"([{"targets": ["t0:1"]}])");
  Sink sink;
  Manager m(sink.Fn(), {.update_interval = 300ms});
  config::ServiceDiscoveryConfigs c;
  c.file_sd_configs.push_back({.files = {path}, .refresh_interval = 1h});
  m.ApplyConfig({{"job", c}});
  sink.WaitFor("job", [](auto& a) { return a.size() == 1; });
  const int syncs_before = sink.syncs("job");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= 5; ++i) {
    WriteFileAtomically(path, "[{\"targets\": [\"t" + std::to_string(i) + ":1\"]}]");
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_THAT(sink.WaitFor("job", [](auto& a) { return a.size() == 1 && a[0] == "t5:1"; }),
              ElementsAre("t5:1"));
  // Syncs start at least 300 ms apart, so k syncs span (k - 1) * 300 ms: over the writes (50 ms
  // on an idle host, more on a stalled one) and the wait for t5, at most elapsed / 300 ms + 1 of
  // them, plus one that the first sync may have left pending. Unthrottled, the five writes would
  // make up to five syncs within ~50 ms.
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LE(sink.syncs("job") - syncs_before, elapsed / 300ms + 2);
}

}  // namespace
}  // namespace sundial::discovery
