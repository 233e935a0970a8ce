// target_limit, keep_dropped_targets and the dropped targets of the snapshot.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/test_server.h"
#include "scrape/manager.h"
#include "scrape/scrape_test_util.h"
#include "tsdb/value.h"

namespace sundial::scrape {
namespace {

using testing::Query;
using testing::StoredSeries;
using testing::WaitUntil;
using namespace std::chrono_literals;

// A /metrics endpoint that counts its requests.
class Endpoint {
 public:
  Endpoint()
      : server_([this](const net::testing::ServerRequest&) {
          std::lock_guard<std::mutex> lock(mu_);
          ++requests_;
          return net::testing::ServerResponse{
              .status = 200, .headers = {{"Content-Type", "text/plain"}}, .body = "m 1\n"};
        }) {}
  std::string address() const { return StrCat("127.0.0.1:", server_.port()); }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  int requests_ = 0;
  net::testing::TestServer server_;
};

double LimitHits() {
  const std::string text = metrics::Registry::Default().Expose();
  constexpr std::string_view kName = "prometheus_target_scrape_pool_exceeded_target_limit_total ";
  size_t at = text.find(StrCat("\n", kName));
  return at == std::string::npos ? -1 : std::stod(text.substr(at + 1 + kName.size()));
}

class TargetLimitTest : public ::testing::Test {
 protected:
  void Apply(const std::string& job_extra, const std::vector<std::string>& targets) {
    std::string list;
    for (const std::string& t : targets) StrAppend(&list, list.empty() ? "" : ", ", "'", t, "'");
    absl::StatusOr<config::Config> cfg = config::Parse(
        StrCat("global:\n  scrape_interval: 100ms\n  scrape_timeout: 80ms\nscrape_configs:\n"
               "  - job_name: j\n",
               job_extra, "    static_configs:\n      - targets: [", list, "]\n"),
        "test.yml");
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    ASSERT_TRUE(manager_.ApplyConfig(*cfg).ok());
  }
  // Waits until each of `targets` targets of job j had n successful scrapes (up 1): on a loaded
  // machine any scrape of a local endpoint can time out and store nothing.
  bool EachScrapedOk(size_t targets, size_t n) {
    return WaitUntil([&] {
      std::vector<StoredSeries> up = Query(head_, {{"__name__", "up"}, {"job", "j"}});
      if (up.size() < targets) return false;
      for (const StoredSeries& s : up) {
        if (std::count_if(s.samples.begin(), s.samples.end(),
                          [](const std::pair<int64_t, double>& x) { return x.second == 1; }) <
            static_cast<ptrdiff_t>(n)) {
          return false;
        }
      }
      return true;
    });
  }

  net::IoPool pool_{2};
  tsdb::Head head_;
  Manager manager_{{.appendable = &head_, .io_pool = &pool_, .discovery_update_interval = 10ms}};
};

TEST_F(TargetLimitTest, ExceededLimitFailsEveryTargetWithoutScrapingThenRecovers) {
  Endpoint a, b, c, d;
  // Within the limit first, so that the series exist and go stale when the limit is hit.
  Apply("    target_limit: 3\n", {a.address(), b.address(), c.address()});
  ASSERT_TRUE(EachScrapedOk(3, 1));
  ASSERT_EQ(Query(head_, {{"__name__", "m"}}).size(), 3u);

  const double hits = LimitHits();
  Apply("    target_limit: 3\n", {a.address(), b.address(), c.address(), d.address()});
  // Every target's last scrape failed with error (any error: ""). Not only down: a scrape that
  // timed out on a loaded machine before the limit was hit left its target down too.
  auto all = [&](TargetHealth health, size_t n, const std::string& error) {
    return WaitUntil([&] {
      TargetsSnapshot s = manager_.Targets();
      if (s.active.size() != n) return false;
      for (const TargetStatus& t : s.active) {
        if (t.health != health || (!error.empty() && t.last_error != error)) return false;
      }
      return true;
    });
  };
  ASSERT_TRUE(
      all(TargetHealth::kDown, 4, "target_limit exceeded (number of targets: 4, limit: 3)"));
  // Counted at every sync or reload that finds the pool over its limit.
  EXPECT_GE(LimitHits() - hits, 1);
  // The series of the last good scrapes are stale and up is 0; the new target was never
  // contacted.
  for (const StoredSeries& s : Query(head_, {{"__name__", "m"}})) {
    ASSERT_FALSE(s.samples.empty());
    EXPECT_TRUE(tsdb::IsStaleNaN(s.samples.back().second)) << s.labels.ToString();
  }
  for (const StoredSeries& s : Query(head_, {{"__name__", "up"}})) {
    EXPECT_EQ(s.samples.back().second, 0) << s.labels.ToString();
  }
  EXPECT_EQ(d.requests(), 0);

  // One target fewer: within the limit again.
  Apply("    target_limit: 3\n", {a.address(), b.address(), d.address()});
  ASSERT_TRUE(all(TargetHealth::kUp, 3, ""));
  EXPECT_GT(d.requests(), 0);
}

TEST_F(TargetLimitTest, DroppedTargetsKeepDiscoveredLabelsUpToKeepDroppedTargets) {
  Endpoint a;
  Apply(
      "    keep_dropped_targets: 2\n"
      "    relabel_configs:\n"
      "      - source_labels: [__address__]\n"
      "        regex: 'drop.*'\n"
      "        action: drop\n",
      {a.address(), "drop1:1", "drop2:2", "drop3:3"});
  ASSERT_TRUE(EachScrapedOk(1, 1));
  TargetsSnapshot s = manager_.Targets();
  ASSERT_EQ(s.active.size(), 1u);
  EXPECT_EQ(s.active[0].discovered_labels, (Labels{{"__address__", a.address()},
                                                   {"__metrics_path__", "/metrics"},
                                                   {"__scheme__", "http"},
                                                   {"__scrape_interval__", "100ms"},
                                                   {"__scrape_timeout__", "80ms"},
                                                   {"job", "j"}}));
  ASSERT_EQ(s.dropped.size(), 2u);
  EXPECT_EQ(s.dropped[0].scrape_pool, "j");
  EXPECT_EQ(s.dropped[0].discovered_labels.Get("__address__"), "drop1:1");
  EXPECT_EQ(s.dropped[0].discovered_labels.Get("job"), "j");
  EXPECT_EQ(s.dropped[1].discovered_labels.Get("__address__"), "drop2:2");
  EXPECT_EQ(s.dropped_counts.at("j"), 3u);
}

TEST_F(TargetLimitTest, KeepDroppedTargetsZeroKeepsAll) {
  Endpoint a;
  Apply(
      "    relabel_configs:\n"
      "      - source_labels: [__address__]\n"
      "        regex: 'drop.*'\n"
      "        action: drop\n",
      {a.address(), "drop1:1", "drop2:2", "drop3:3"});
  ASSERT_TRUE(WaitUntil([&] { return manager_.Targets().dropped.size() == 3; }));
  EXPECT_EQ(manager_.Targets().dropped_counts.at("j"), 3u);
}

}  // namespace
}  // namespace sundial::scrape
