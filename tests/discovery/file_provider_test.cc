#include "discovery/file_provider.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "discovery/static_provider.h"
#include "discovery/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::discovery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::WriteFileAtomically;
using namespace std::chrono_literals;

// Collects provider updates and lets a test wait for a condition on the latest one.
class Collector {
 public:
  Provider::UpdateFn Fn() {
    return [this](std::vector<TargetGroup> groups) {
      std::lock_guard<std::mutex> lock(mu_);
      latest_ = std::move(groups);
      ++updates_;
      cv_.notify_all();
    };
  }
  // Waits up to 5s for pred(latest) to hold; returns the latest groups.
  template <typename Pred>
  std::vector<TargetGroup> WaitFor(Pred pred) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, 5s, [&] { return updates_ > 0 && pred(latest_); });
    return latest_;
  }
  int updates() {
    std::lock_guard<std::mutex> lock(mu_);
    return updates_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<TargetGroup> latest_;
  int updates_ = 0;
};

std::vector<std::string> Addresses(const std::vector<TargetGroup>& groups) {
  std::vector<std::string> out;
  for (const TargetGroup& g : groups) {
    for (const Labels& t : g.targets) out.emplace_back(t.Get("__address__"));
  }
  return out;
}

TEST(StaticGroupsTest, OneGroupPerConfigWithIndexSource) {
  std::vector<TargetGroup> groups =
      StaticGroups({{.targets = {"a:1", "b:2"}, .labels = {{"env", "prod"}}},
                    {.targets = {"c:3"}, .labels = {}}});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].source, "0");
  EXPECT_EQ(groups[1].source, "1");
  EXPECT_EQ(groups[0].labels, (Labels{{"env", "prod"}}));
  EXPECT_THAT(Addresses(groups), ElementsAre("a:1", "b:2", "c:3"));
}

TEST(ParseFileSdContentTest, JsonAndYaml) {
  auto json = ParseFileSdContent("/sd/a.json",
                                 R"([{"targets": ["h1:9100", "h2:9100"], "labels": {"env": "prod"}},
                       {"targets": ["h3:80"]}])");
  ASSERT_TRUE(json.ok()) << json.status();
  ASSERT_EQ(json->size(), 2u);
  EXPECT_EQ((*json)[0].source, "/sd/a.json:0");
  EXPECT_EQ((*json)[1].source, "/sd/a.json:1");
  EXPECT_EQ((*json)[0].labels, (Labels{{"__meta_filepath", "/sd/a.json"}, {"env", "prod"}}));
  EXPECT_EQ((*json)[1].labels, (Labels{{"__meta_filepath", "/sd/a.json"}}));
  EXPECT_THAT(Addresses(*json), ElementsAre("h1:9100", "h2:9100", "h3:80"));

  auto yaml = ParseFileSdContent("/sd/b.yml", "- targets: [x:1]\n  labels:\n    team: a\n");
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  ASSERT_EQ(yaml->size(), 1u);
  EXPECT_EQ((*yaml)[0].labels.Get("team"), "a");

  auto empty = ParseFileSdContent("/sd/c.yml", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParseFileSdContentTest, Errors) {
  EXPECT_THAT(ParseFileSdContent("a.json", "[{\"targets\": [\"h:1\"").status().message(),
              HasSubstr("error parsing a.json"));
  EXPECT_THAT(ParseFileSdContent("a.json", R"({"targets": []})").status().message(),
              HasSubstr("expected a list of target groups"));
  EXPECT_THAT(ParseFileSdContent("a.json", R"([{"targets": ["a/b"]}])").status().message(),
              HasSubstr("\"a/b\" is not a valid hostname"));
  EXPECT_THAT(ParseFileSdContent("a.json", R"([{"targets": ["h:1"], "labels": {"0x": "v"}}])")
                  .status()
                  .message(),
              HasSubstr("\"0x\" is not a valid label name"));
}

TEST(FileProviderTest, GlobRewriteAndBrokenFileKeepsLastGood) {
  TempDir dir;
  WriteFileAtomically(dir.File("a.json"), R"([{"targets": ["a1:1"]}])");
  WriteFileAtomically(dir.File("b.yml"), "- targets: ['b1:1']\n");
  WriteFileAtomically(dir.File("ignored.txt"), "not matched");
  // A long refresh interval: changes must arrive through inotify.
  std::unique_ptr<Provider> p =
      NewFileProvider({.files = {dir.File("*.json"), dir.File("*.yml")}, .refresh_interval = 1h});
  Collector c;
  p->Start(c.Fn());
  EXPECT_THAT(Addresses(c.WaitFor([](auto& g) { return g.size() == 2; })),
              ElementsAre("a1:1", "b1:1"));

  WriteFileAtomically(dir.File("a.json"), R"([{"targets": ["a1:1", "a2:1"]}])");
  EXPECT_THAT(Addresses(c.WaitFor([](auto& g) { return Addresses(g).size() == 3; })),
              ElementsAre("a1:1", "a2:1", "b1:1"));

  // Broken: the last good targets of a.json stay; b.yml still changes.
  const int before = c.updates();
  WriteFileAtomically(dir.File("a.json"), R"([{"targets": ["a3:1")");
  WriteFileAtomically(dir.File("b.yml"), "- targets: ['b2:1']\n");
  EXPECT_THAT(
      Addresses(c.WaitFor([](auto& g) { return !g.empty() && Addresses(g).back() == "b2:1"; })),
      ElementsAre("a1:1", "a2:1", "b2:1"));
  EXPECT_GT(c.updates(), before);

  // A deleted file takes its targets away.
  std::filesystem::remove(dir.File("b.yml"));
  EXPECT_THAT(Addresses(c.WaitFor([](auto& g) { return g.size() == 1; })),
              ElementsAre("a1:1", "a2:1"));
  p->Stop();
}

TEST(FileProviderTest, RefreshIntervalWithoutInotifyEvents) {
  TempDir dir;
  // The directory of the pattern does not exist yet, so there is no inotify watch.
  const std::string sub = dir.File("later");
  std::unique_ptr<Provider> p =
      NewFileProvider({.files = {sub + "/*.json"}, .refresh_interval = 50ms});
  Collector c;
  p->Start(c.Fn());
  EXPECT_TRUE(c.WaitFor([](auto& g) { return g.empty(); }).empty());
  std::filesystem::create_directory(sub);
  WriteFileAtomically(sub + "/x.json", R"([{"targets": ["x:1"]}])");
  EXPECT_THAT(Addresses(c.WaitFor([](auto& g) { return g.size() == 1; })), ElementsAre("x:1"));
  p->Stop();
  p->Stop();  // idempotent
}

}  // namespace
}  // namespace sundial::discovery
