#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <string>

#include "base/metrics_registry.h"
#include "base/str_cat.h"
#include "config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/test_server.h"
#include "scrape/manager.h"
#include "scrape/scrape_test_util.h"
#include "tsdb/exemplars/circular_storage.h"
#include "tsdb/value.h"

namespace sundial::scrape {
namespace {

using testing::FailuresAfterSuccess;
using ::testing::HasSubstr;
using testing::Query;
using testing::StoredSeries;
using testing::ValueAt;
using testing::WaitUntil;
using namespace std::chrono_literals;

// A /metrics endpoint whose body, status and delay a test changes while it is scraped.
class Endpoint {
 public:
  Endpoint()
      : server_([this](const net::testing::ServerRequest& req) {
          std::lock_guard<std::mutex> lock(mu_);
          ++requests_;
          accept_ = req.headers.count("accept") ? req.headers.at("accept") : "";
          net::testing::ServerResponse r = response_;
          return r;
        }) {}

  void Set(std::string body, int status = 200, std::chrono::milliseconds delay = 0ms,
           std::string content_type = "text/plain; version=0.0.4") {
    std::lock_guard<std::mutex> lock(mu_);
    response_ = {.status = status,
                 .headers = {{"Content-Type", std::move(content_type)}},
                 .body = std::move(body),
                 .delay = delay};
  }
  std::string address() const { return StrCat("127.0.0.1:", server_.port()); }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::string accept() {
    std::lock_guard<std::mutex> lock(mu_);
    return accept_;
  }

 private:
  std::mutex mu_;
  net::testing::ServerResponse response_;
  int requests_ = 0;
  std::string accept_;
  net::testing::TestServer server_;
};

class ScrapeManagerTest : public ::testing::Test {
 protected:
  // The timeout is the whole interval: under ASan on a loaded 2-core machine, scrapes of a local
  // endpoint have taken over 150 ms, and tests other than the timeout test need them to succeed.
  void Apply(const std::string& scrape_configs) {
    absl::StatusOr<config::Config> cfg = config::Parse(
        "global:\n  scrape_interval: 250ms\n  scrape_timeout: 250ms\nscrape_configs:\n" +
            scrape_configs,
        "test.yml");
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    ASSERT_TRUE(manager_.ApplyConfig(*cfg).ok());
  }
  static std::string StaticJob(const std::string& name, const std::string& address,
                               const std::string& extra = "") {
    return StrCat("  - job_name: ", name, "\n", extra, "    static_configs:\n      - targets: ['",
                  address, "']\n");
  }
  std::vector<StoredSeries> Series(std::vector<std::pair<std::string, std::string>> eq) {
    return Query(head_, std::move(eq));
  }
  // The values of `up` for job.
  std::vector<double> Up(const std::string& job) {
    std::vector<double> out;
    for (const StoredSeries& s : Series({{"__name__", "up"}, {"job", job}})) {
      for (auto [t, v] : s.samples) out.push_back(v);
    }
    return out;
  }
  // The timestamps of the job's successful scrapes (up 1).
  std::vector<int64_t> Good(const std::string& job) {
    std::vector<int64_t> out;
    for (const StoredSeries& s : Series({{"__name__", "up"}, {"job", job}})) {
      for (auto [t, v] : s.samples) {
        if (v == 1) out.push_back(t);
      }
    }
    return out;
  }
  // How many of the job's scrapes failed after a successful one (up 1 -> 0). Each marks the
  // series of the last successful scrape stale. On a loaded machine a scrape of a local endpoint
  // can time out; the tests allow for that where it changes what they count.
  int Failures(const std::string& job) { return FailuresAfterSuccess(Up(job)); }
  // The value of the job's series `name` at time t (a scrape's timestamp), or -1.
  double At(const std::string& name, const std::string& job, int64_t t) {
    std::vector<StoredSeries> s = Series({{"__name__", name}, {"job", job}});
    std::optional<double> v = s.size() == 1 ? ValueAt(s[0], t) : std::nullopt;
    return v.value_or(-1);
  }
  int StaleCount(const std::string& name, const std::string& job) {
    int n = 0;
    for (const StoredSeries& s : Series({{"__name__", name}, {"job", job}})) {
      for (auto [t, v] : s.samples) n += tsdb::IsStaleNaN(v);
    }
    return n;
  }
  // Whether the stale markers of the job's series `name` number the job's failures after a
  // successful scrape. While the job runs the two are read apart and a scrape may commit in
  // between, so they are compared until they agree; a wrong count never does.
  ::testing::AssertionResult StaleMarkersAreFailures(const std::string& name,
                                                     const std::string& job) {
    if (WaitUntil([&] { return StaleCount(name, job) == Failures(job); })) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << name << " has " << StaleCount(name, job) << " stale markers, " << job << " had "
           << Failures(job) << " failed scrapes after a successful one";
  }
  TargetStatus Target(const std::string& job) {
    for (TargetStatus& t : manager_.Targets().active) {
      if (t.scrape_pool == job) return t;
    }
    return {};
  }
  bool Scraped(const std::string& job, size_t n) {
    return WaitUntil([&] { return Up(job).size() >= n; });
  }
  // Waits for n successful scrapes: tests that read what scrapes stored wait for these, as any
  // scrape may time out on a loaded machine.
  bool ScrapedOk(const std::string& job, size_t n) {
    return WaitUntil([&] { return Good(job).size() >= n; });
  }
  // Waits for two successful scrapes in a row; returns the second one's timestamp, or -1.
  int64_t TwoOkInARow(const std::string& job) {
    int64_t second = -1;
    WaitUntil([&] {
      std::vector<StoredSeries> up = Series({{"__name__", "up"}, {"job", job}});
      if (up.size() != 1) return false;
      const auto& s = up[0].samples;
      for (size_t i = 1; i < s.size(); ++i) {
        if (s[i - 1].second == 1 && s[i].second == 1) second = s[i].first;
      }
      return second >= 0;
    });
    return second;
  }

  static tsdb::HeadOptions WithExemplars(tsdb::CircularExemplarStorage* exemplars) {
    tsdb::HeadOptions o;
    o.exemplars = exemplars;
    return o;
  }

  net::IoPool pool_{2};
  tsdb::CircularExemplarStorage exemplars_{100};
  tsdb::Head head_{WithExemplars(&exemplars_)};
  Manager manager_{{.appendable = &head_, .io_pool = &pool_, .discovery_update_interval = 10ms}};
};

TEST_F(ScrapeManagerTest, SamplesLandWithTargetLabelsTimestampsAndReport) {
  Endpoint ep;
  const int64_t explicit_ts = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() -
                              1000;
  ep.Set(StrCat("# TYPE a gauge\na{l=\"1\"} 5\nb 7 ", explicit_ts, "\n"));
  const auto applied = std::chrono::steady_clock::now();
  Apply(StaticJob("j", ep.address()));
  ASSERT_TRUE(ScrapedOk("j", 2));
  // Never more often than the 250ms interval: each scrape starts at its own tick after Apply.
  // (Stalls only make scrapes late, so there is no bound the other way.)
  const size_t scrapes = Up("j").size();
  const auto elapsed = std::chrono::steady_clock::now() - applied;
  EXPECT_LE(scrapes, static_cast<size_t>(elapsed / 250ms) + 1);
  const std::vector<int64_t> good = Good("j");

  std::vector<StoredSeries> a = Series({{"__name__", "a"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].labels,
            (Labels{{"__name__", "a"}, {"instance", ep.address()}, {"job", "j"}, {"l", "1"}}));
  // Stored at the scrape timestamps, from the first successful scrape on.
  ASSERT_GE(a[0].samples.size(), 2u);
  EXPECT_EQ(a[0].samples[0], std::make_pair(good[0], 5.0));
  EXPECT_EQ(ValueAt(a[0], good[1]), 5.0);
  EXPECT_GT(good[1], good[0]);

  std::vector<StoredSeries> b = Series({{"__name__", "b"}});
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(b[0].samples.size(), 1u);  // the same explicit timestamp every scrape
  EXPECT_EQ(b[0].samples[0], std::make_pair(explicit_ts, 7.0));

  // Report series at the scrape timestamps of a (the first successful scrape's).
  std::vector<StoredSeries> up = Series({{"__name__", "up"}});
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].labels, (Labels{{"__name__", "up"}, {"instance", ep.address()}, {"job", "j"}}));
  EXPECT_EQ(ValueAt(up[0], a[0].samples[0].first), 1.0);
  EXPECT_EQ(At("scrape_samples_scraped", "j", good[0]), 2);
  EXPECT_EQ(At("scrape_samples_post_metric_relabeling", "j", good[0]), 2);
  EXPECT_EQ(At("scrape_series_added", "j", good[0]), 2);
  // In seconds: more than nothing, less than the whole test so far (not milliseconds).
  EXPECT_GT(At("scrape_duration_seconds", "j", good[0]), 0);
  EXPECT_LT(At("scrape_duration_seconds", "j", good[0]),
            std::chrono::duration<double>(elapsed).count());
  // A scrape right after a successful one of the same body adds no series.
  const int64_t second_in_a_row = TwoOkInARow("j");
  ASSERT_GE(second_in_a_row, 0);
  EXPECT_EQ(At("scrape_series_added", "j", second_in_a_row), 0);

  // The status of a successful scrape (the last one may have timed out: wait for one).
  TargetStatus t;
  ASSERT_TRUE(WaitUntil([&] {
    t = Target("j");
    return t.health == TargetHealth::kUp;
  }));
  EXPECT_EQ(t.last_error, "");
  EXPECT_EQ(t.scrape_url, StrCat("http://", ep.address(), "/metrics"));
  EXPECT_EQ(t.labels, (Labels{{"instance", ep.address()}, {"job", "j"}}));
  EXPECT_EQ(t.discovered_labels.Get("__address__"), ep.address());
  EXPECT_GT(t.last_scrape_ms, 0);
  EXPECT_EQ(t.interval, 250ms);
  EXPECT_EQ(t.timeout, 250ms);
  EXPECT_THAT(ep.accept(), HasSubstr("application/openmetrics-text;version=1.0.0;q=0.5"));
}

TEST_F(ScrapeManagerTest, FailuresReportDownWithoutAffectingOtherTargets) {
  Endpoint good, error500, slow, bad, big;
  good.Set("m 1\nn 2\n");
  error500.Set("m 1\n", 500);
  slow.Set("m 1\n", 200, 1000ms);
  bad.Set("m{ 1\n");
  big.Set(std::string(2000, '#') + "\nm 1\n");
  // The good target's scrapes must all succeed, so its timeout is generous (a second, not 250ms:
  // on a host that steals CPU a local scrape has taken longer than 250ms).
  Apply(StaticJob("good", good.address(), "    scrape_interval: 1s\n    scrape_timeout: 1s\n") +
        StaticJob("e500", error500.address()) + StaticJob("slow", slow.address()) +
        StaticJob("bad", bad.address()) +
        StaticJob("big", big.address(), "    body_size_limit: 1KB\n") +
        StaticJob("limited", good.address(), "    sample_limit: 1\n") +
        StaticJob("labels", good.address(), "    label_limit: 2\n"));
  for (const char* job : {"good", "e500", "slow", "bad", "big", "limited", "labels"}) {
    ASSERT_TRUE(Scraped(job, 2)) << job;
  }
  // Every scrape of these fails. Each one's last error, once its last scrape failed for its own
  // reason: on a loaded machine one of them may also have timed out, which later scrapes replace.
  auto last_error = [&](const std::string& job, const std::string& want, bool substring = false) {
    for (double v : Up(job)) EXPECT_EQ(v, 0) << job;
    TargetStatus t;
    const bool ok = WaitUntil([&] {
      t = Target(job);
      return substring ? t.last_error.find(want) != std::string::npos : t.last_error == want;
    });
    EXPECT_TRUE(ok) << job << ": " << t.last_error;
    EXPECT_EQ(t.health, TargetHealth::kDown) << job;
  };
  last_error("e500", "server returned HTTP status 500 Internal Server Error");
  last_error("slow",
             StrCat("Get \"http://", slow.address(), "/metrics\": context deadline exceeded"));
  last_error("bad", "expected", /*substring=*/true);
  last_error("big", "body size limit exceeded");
  last_error("limited", "sample limit exceeded");
  last_error("labels", "label_limit exceeded (metric: m, number of labels: 3, limit: 2)");
  EXPECT_TRUE(Series({{"__name__", "m"}, {"job", "limited"}}).empty());

  EXPECT_EQ(Target("good").health, TargetHealth::kUp);
  for (double v : Up("good")) EXPECT_EQ(v, 1);
  EXPECT_EQ(Series({{"__name__", "m"}, {"job", "good"}}).size(), 1u);
}

// As in Prometheus, failed scrapes leave the scrape cache alone: when the target comes back after
// several of them, its series are still cached and none counts as added.
TEST_F(ScrapeManagerTest, SeriesStayCachedThroughFailedScrapes) {
  Endpoint ep;
  ep.Set("m 1\nn 2\n");
  Apply(StaticJob("j", ep.address()));
  ASSERT_TRUE(ScrapedOk("j", 1));
  ep.Set("m 1\nn 2\n", 500);
  // Three failed scrapes in a row: more than the two after which the cache used to drop them.
  int64_t last_failure = -1;
  ASSERT_TRUE(WaitUntil([&] {
    std::vector<StoredSeries> up = Series({{"__name__", "up"}, {"job", "j"}});
    if (up.size() != 1) return false;
    int run = 0;
    for (auto [t, v] : up[0].samples) {
      run = v == 0 ? run + 1 : 0;
      if (v == 0) last_failure = t;
    }
    return run >= 3;
  }));
  ep.Set("m 1\nn 2\n");
  int64_t back = -1;
  ASSERT_TRUE(WaitUntil([&] {
    for (int64_t t : Good("j")) {
      if (t > last_failure) {
        back = t;
        return true;
      }
    }
    return false;
  }));
  EXPECT_EQ(At("scrape_samples_scraped", "j", back), 2);
  EXPECT_EQ(At("scrape_series_added", "j", back), 0);
}

TEST_F(ScrapeManagerTest, StaleMarkersForVanishedSeriesFailuresAndRemovedTargets) {
  Endpoint ep, other;
  ep.Set("a 1\nb 2\n");
  other.Set("o 1\n");
  Apply(StaticJob("j", ep.address()));
  // b is stored (a scrape that timed out would not have stored it).
  ASSERT_TRUE(ScrapedOk("j", 1));
  ep.Set("a 1\n");
  // b vanished: stale, and not again in the scrapes after.
  ASSERT_TRUE(WaitUntil([&] { return StaleCount("b", "j") >= 1; }));
  const int b_stale = StaleCount("b", "j");
  const size_t up_before = Up("j").size();
  ASSERT_TRUE(Scraped("j", up_before + 2));
  EXPECT_EQ(StaleCount("b", "j"), b_stale);
  EXPECT_TRUE(StaleMarkersAreFailures("a", "j"));

  // Adding a job leaves the unchanged one running without staleness.
  Apply(StaticJob("j", ep.address()) + StaticJob("k", other.address()));
  ASSERT_TRUE(Scraped("k", 1));
  ASSERT_TRUE(Scraped("j", Up("j").size() + 2));
  EXPECT_TRUE(StaleMarkersAreFailures("a", "j"));
  EXPECT_EQ(StaleCount("up", "j"), 0);

  // A failing scrape marks every series stale (this one, or the one before it that timed out on
  // a loaded machine and so already did).
  ep.Set("a 1\n", 503);
  ASSERT_TRUE(WaitUntil(
      [&] { return Target("j").last_error.find("HTTP status 503") != std::string::npos; }));
  std::vector<StoredSeries> a = Series({{"__name__", "a"}, {"job", "j"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(tsdb::IsStaleNaN(a[0].samples.back().second));
  EXPECT_TRUE(StaleMarkersAreFailures("a", "j"));
  ep.Set("a 1\n");
  ASSERT_TRUE(WaitUntil([&] { return Up("j").back() == 1; }));
  EXPECT_TRUE(StaleMarkersAreFailures("a", "j"));

  // Removing the job by reload marks its series and report series stale at once: a once more,
  // unless the last scrape failed (and so already marked it).
  Apply(StaticJob("k", other.address()));
  const std::vector<double> up = Up("j");
  ASSERT_FALSE(up.empty());
  EXPECT_TRUE(tsdb::IsStaleNaN(up.back()));
  const bool last_ok = up.size() >= 2 && up[up.size() - 2] == 1;
  EXPECT_EQ(StaleCount("a", "j"), Failures("j") + (last_ok ? 1 : 0));
  EXPECT_EQ(StaleCount("up", "j"), 1);
  EXPECT_EQ(StaleCount("scrape_duration_seconds", "j"), 1);
  const int requests = ep.requests();
  std::this_thread::sleep_for(500ms);
  EXPECT_LE(ep.requests(), requests + 1);  // at most one scrape was in flight
  // k kept running: its series went stale only where one of its scrapes failed, never because j
  // was removed.
  EXPECT_TRUE(StaleMarkersAreFailures("o", "k"));
  ASSERT_EQ(manager_.Targets().active.size(), 1u);
}

// The scrape cache predicts each line from the previous body's order; bodies that reorder,
// grow, shrink and repeat lines must still land every value on its own series, keep each
// series' relabeling outcome, and mark only vanished series stale.
TEST_F(ScrapeManagerTest, ReorderedAndChangingBodiesKeepSeriesApart) {
  Endpoint ep;
  Apply(StaticJob("j", ep.address(),
                  "    metric_relabel_configs:\n"
                  "      - {source_labels: [__name__], regex: dropped, action: drop}\n"));
  const std::vector<std::string> bodies = {
      "a 1\nb 2\ndropped 0\nc 3\n",
      "c 13\nb 12\na 11\ndropped 0\n",  // reversed
      "a 21\nx 24\nb 22\n",             // c vanishes, x appears in the middle
      "a 31\nb 32\nx 34\nc 33\n",       // c is back
      "dropped 0\n",
      "a 41\nb 42\nc 43\nx 44\n",
  };
  for (const std::string& body : bodies) {
    const size_t good = Good("j").size();
    ep.Set(body);
    // Two successful scrapes of each body (after one that may have been in flight with the last
    // body): the second one is predicted from the first.
    ASSERT_TRUE(ScrapedOk("j", good + 3));
  }
  // Each series' distinct values in order, stale markers as -1 (consecutive repeats folded).
  auto history = [&](const char* name) {
    std::vector<double> out;
    for (const StoredSeries& s : Series({{"__name__", name}, {"job", "j"}})) {
      for (auto [t, v] : s.samples) {
        const double x = tsdb::IsStaleNaN(v) ? -1 : v;
        if (out.empty() || out.back() != x) out.push_back(x);
      }
    }
    return out;
  };
  using ::testing::Contains;
  using ::testing::ElementsAre;
  using ::testing::IsSupersetOf;
  using ::testing::Not;
  EXPECT_THAT(history("a"), IsSupersetOf({11.0, 21.0, 31.0, -1.0, 41.0}));
  EXPECT_THAT(history("b"), IsSupersetOf({12.0, 22.0, 32.0, -1.0, 42.0}));
  EXPECT_THAT(history("c"), IsSupersetOf({3.0, 13.0, -1.0, 33.0, 43.0}));
  EXPECT_THAT(history("x"), IsSupersetOf({24.0, 34.0, -1.0, 44.0}));
  for (const char* name : {"a", "b", "c", "x"}) {
    const std::vector<double> h = history(name);
    EXPECT_TRUE(std::is_sorted(h.begin(), h.end(), [](double l, double r) {
      return l >= 0 && r >= 0 && l < r;  // non-stale values only ever grow
    })) << name;
  }
  EXPECT_TRUE(Series({{"__name__", "dropped"}}).empty());
  // up was never stale. (A scrape that timed out on a loaded machine makes it 0 for a while, and
  // the other series stale in between, which the supersets above allow.)
  const std::vector<double> up = Up("j");
  if (std::find(up.begin(), up.end(), 0.0) == up.end()) {
    EXPECT_THAT(history("up"), ElementsAre(1.0));
  } else {
    EXPECT_THAT(history("up"), Not(Contains(-1.0)));
  }
}

TEST_F(ScrapeManagerTest, CachedSeriesStayPinnedUntilTheTargetDropsThem) {
  Endpoint ep;
  ep.Set("kept 1\ngone 2\n");
  Apply(StaticJob("j", ep.address()));
  ASSERT_TRUE(ScrapedOk("j", 2));
  const size_t scrapes = Up("j").size();
  ep.Set("kept 3\n");
  // "gone" leaves the scrape cache two scrapes after its last one (one may have been in flight),
  // which unpins its series. So does "kept" after two scrapes that failed (which a loaded machine
  // can time out), so the last scrape must be a successful one.
  ASSERT_TRUE(WaitUntil([&] {
    const std::vector<double> up = Up("j");
    return up.size() >= scrapes + 3 && up.back() == 1;
  }));
  // Truncating past every sample empties all series. Only "kept", pinned by the cache, stays;
  // the rest is collected (scrapes from now on are out of bounds and create no series; one
  // in flight may, so truncate until the head settles).
  const int64_t future =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          (std::chrono::system_clock::now() + std::chrono::hours(1)).time_since_epoch())
          .count();
  EXPECT_TRUE(WaitUntil([&] {
    head_.Truncate(future);
    return head_.NumSeries() == 1;
  }));
  auto q = head_.NewQuerier(INT64_MIN, INT64_MAX);
  ASSERT_TRUE(q.ok());
  EXPECT_THAT(*(*q)->LabelValues("__name__", {}), ::testing::ElementsAre("kept"));
  // Once the target is gone its cache is too, and so is the pin.
  Apply("");
  EXPECT_TRUE(WaitUntil([&] {
    head_.Truncate(future);
    return head_.NumSeries() == 0;
  }));
}

TEST_F(ScrapeManagerTest, HonorLabelsAndMetricRelabeling) {
  Endpoint ep;
  ep.Set("m{job=\"exp\",instance=\"x\",exported_job=\"e\"} 1\ndrop_me 2\nkeep_me 3\n");
  Apply(StaticJob("plain", ep.address()) +
        StaticJob("honor", ep.address(), "    honor_labels: true\n") +
        StaticJob("relabel", ep.address(),
                  "    metric_relabel_configs:\n      - source_labels: [__name__]\n"
                  "        regex: drop_.*\n        action: drop\n"));
  for (const char* job : {"plain", "honor", "relabel"}) ASSERT_TRUE(ScrapedOk(job, 1));

  std::vector<StoredSeries> plain = Series({{"__name__", "m"}, {"job", "plain"}});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].labels, (Labels{{"__name__", "m"},
                                     {"exported_exported_job", "exp"},
                                     {"exported_instance", "x"},
                                     {"exported_job", "e"},
                                     {"instance", ep.address()},
                                     {"job", "plain"}}));
  std::vector<StoredSeries> honor = Series({{"__name__", "m"}, {"job", "exp"}});
  ASSERT_EQ(honor.size(), 1u);
  EXPECT_EQ(honor[0].labels,
            (Labels{{"__name__", "m"}, {"exported_job", "e"}, {"instance", "x"}, {"job", "exp"}}));

  EXPECT_TRUE(Series({{"__name__", "drop_me"}, {"job", "relabel"}}).empty());
  EXPECT_EQ(Series({{"__name__", "keep_me"}, {"job", "relabel"}}).size(), 1u);
  const int64_t good = Good("relabel")[0];
  EXPECT_EQ(At("scrape_samples_scraped", "relabel", good), 3);
  EXPECT_EQ(At("scrape_samples_post_metric_relabeling", "relabel", good), 2);
}

// The value of an unlabelled self-metric, or -1.
double SelfMetric(const std::string& name) {
  const std::string text = metrics::Registry::Default().Expose();
  const std::string prefix = "\n" + name + " ";
  size_t pos = text.find(prefix);
  return pos == std::string::npos ? -1 : std::stod(text.substr(pos + prefix.size()));
}

TEST_F(ScrapeManagerTest, OutOfOrderSamplesAreCountedNotFatal) {
  Endpoint ep;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  ep.Set(StrCat("m 1 ", now_ms, "\nn 1\n"));
  const double before = SelfMetric("prometheus_target_scrapes_sample_out_of_order_total");
  Apply(StaticJob("j", ep.address()));
  ASSERT_TRUE(ScrapedOk("j", 1));  // m's sample at now_ms is stored
  ep.Set(StrCat("m 2 ", now_ms - 1000, "\nn 2\n"));
  ASSERT_TRUE(WaitUntil(
      [&] { return SelfMetric("prometheus_target_scrapes_sample_out_of_order_total") > before; }));
  // The rest of each such scrape was stored, and the scrape succeeded. (Every scrape of this body
  // has an out-of-order m; a scrape that timed out on a loaded machine stores nothing.)
  std::vector<StoredSeries> n;
  ASSERT_TRUE(WaitUntil([&] {
    n = Series({{"__name__", "n"}});
    return n.size() == 1 && !n[0].samples.empty() && n[0].samples.back().second == 2;
  }));
  for (auto [t, v] : n[0].samples) {
    if (v == 2) {
      EXPECT_EQ(At("up", "j", t), 1) << t;
    }
  }
  TargetStatus t;
  ASSERT_TRUE(WaitUntil([&] {
    t = Target("j");
    return t.health == TargetHealth::kUp;
  }));
  EXPECT_EQ(t.last_error, "");
}

// The metadata of the job's one target as "name type help unit" lines.
std::vector<std::string> MetadataLines(const Manager& manager, const std::string& job) {
  std::vector<std::string> out;
  for (const TargetMetadata& t : manager.TargetsMetadata()) {
    if (t.scrape_pool != job) continue;
    for (const MetricMetadata& m : *t.metadata) {
      out.push_back(StrCat(m.metric, " ", MetricTypeName(m.type), " ", m.help, " ", m.unit));
    }
  }
  return out;
}

TEST_F(ScrapeManagerTest, MetadataOfTheLastScrapesPerTarget) {
  Endpoint text, om;
  text.Set(
      "# HELP a Help of a.\n# TYPE a gauge\na 1\n# TYPE b untyped\nb 2\n"
      "# HELP c Only help, \\\\ escaped.\nc 3\n");
  om.Set(
      "# TYPE d_seconds counter\n# UNIT d_seconds seconds\n# HELP d_seconds Help of d.\n"
      "d_seconds_total 1\n# EOF\n",
      200, 0ms, "application/openmetrics-text; version=1.0.0");
  Apply(StaticJob("text", text.address()) + StaticJob("om", om.address()));
  // Metadata comes from successful scrapes only.
  ASSERT_TRUE(ScrapedOk("text", 1));
  ASSERT_TRUE(ScrapedOk("om", 1));
  EXPECT_THAT(MetadataLines(manager_, "text"),
              ::testing::ElementsAre("a gauge Help of a. ", "b unknown  ",
                                     "c unknown Only help, \\ escaped. "));
  EXPECT_THAT(MetadataLines(manager_, "om"),
              ::testing::ElementsAre("d_seconds counter Help of d. seconds"));
  std::vector<TargetMetadata> all = manager_.TargetsMetadata();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].scrape_pool, "om");  // sorted by pool
  EXPECT_EQ(all[1].labels, (Labels{{"instance", text.address()}, {"job", "text"}}));

  // A changed help replaces the old one; a family no longer exposed stays for 10 scrapes.
  text.Set("# HELP a New help.\n# TYPE a gauge\na 1\n");
  std::vector<std::string> lines;
  ASSERT_TRUE(WaitUntil([&] {
    lines = MetadataLines(manager_, "text");
    return !lines.empty() && lines[0] == "a gauge New help. ";
  }));
  EXPECT_EQ(lines.size(), 3u);
  ASSERT_TRUE(WaitUntil([&] { return MetadataLines(manager_, "text").size() == 1u; }));
  // b and c were last mentioned by the last successful scrape that stored b (the old body; a
  // scrape that timed out mentions nothing). The scrape that dropped them (and published that)
  // came 11 or more scrapes after it, so at least 10 scrapes after it have committed by now.
  std::vector<StoredSeries> b = Series({{"__name__", "b"}, {"job", "text"}});
  ASSERT_EQ(b.size(), 1u);
  int64_t last_b = -1;
  for (auto [t, v] : b[0].samples) {
    if (!tsdb::IsStaleNaN(v)) last_b = t;
  }
  std::vector<StoredSeries> up = Series({{"__name__", "up"}, {"job", "text"}});
  ASSERT_EQ(up.size(), 1u);
  EXPECT_GE(std::count_if(up[0].samples.begin(), up[0].samples.end(),
                          [&](const std::pair<int64_t, double>& s) { return s.first > last_b; }),
            10);

  // A removed job's targets are gone.
  Apply(StaticJob("om", om.address()));
  EXPECT_TRUE(MetadataLines(manager_, "text").empty());
}

TEST_F(ScrapeManagerTest, OpenMetricsExemplarsAreStored) {
  Endpoint ep;
  ep.Set(
      "# TYPE c counter\nc_total 5 # {trace_id=\"abc\"} 1.5 1700000000.123\n"
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2 # {trace_id=\"def\"} 0.5\n"
      "h_bucket{le=\"+Inf\"} 3\nh_count 3\nh_sum 2.5\n# EOF\n",
      200, 0ms, "application/openmetrics-text; version=1.0.0");
  Apply(StaticJob("j", ep.address()));
  ASSERT_TRUE(ScrapedOk("j", 2));
  std::vector<std::vector<Matcher>> all = {
      {*Matcher::Create(MatchType::kRegexp, "__name__", ".+")}};
  std::vector<tsdb::ExemplarQueryResult> got = exemplars_.Select(0, INT64_MAX, all);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].series_labels,
            (Labels{{"__name__", "c_total"}, {"instance", ep.address()}, {"job", "j"}}));
  ASSERT_EQ(got[0].exemplars.size(), 1u);  // the same exemplar every scrape
  EXPECT_EQ(got[0].exemplars[0].labels, (Labels{{"trace_id", "abc"}}));
  EXPECT_EQ(got[0].exemplars[0].value, 1.5);
  EXPECT_EQ(got[0].exemplars[0].ts, 1700000000123);
  EXPECT_EQ(got[1].series_labels.Get("le"), "1");
  ASSERT_GE(got[1].exemplars.size(), 1u);
  EXPECT_EQ(got[1].exemplars[0].labels, (Labels{{"trace_id", "def"}}));
  // Without a timestamp it takes the scrape's (the first successful one's).
  EXPECT_EQ(got[1].exemplars[0].ts, Good("j")[0]);
}

}  // namespace
}  // namespace sundial::scrape
