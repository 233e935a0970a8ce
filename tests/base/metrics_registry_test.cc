#include "base/metrics_registry.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "base/metrics_build_info.h"
#include "base/process_metrics.h"

namespace sundial::metrics {
namespace {

class ShardCollector final : public Collector {
 public:
  explicit ShardCollector(int* calls) : calls_(calls) {}
  void Collect(std::vector<FamilySnapshot>* out) const override {
    ++*calls_;
    FamilySnapshot& f = out->emplace_back();
    f.name = "test_collected";
    f.help = "Collected.";
    f.type = MetricType::kGauge;
    f.label_names = {"shard"};
    for (int shard : {1, 0}) {
      MetricSnapshot& m = f.metrics.emplace_back();
      m.label_values = {std::to_string(shard)};
      m.value = 7 + (1 - shard);
    }
    FamilySnapshot& clash = out->emplace_back();  // already registered: left out
    clash.name = "test_answer";
    clash.type = MetricType::kCounter;
    clash.metrics.emplace_back().value = -1;
  }

 private:
  int* calls_;
};

TEST(Registry, ExposesSmallRegistryAsClientGolangDoes) {
  Registry r;
  CounterFamily& requests =
      r.NewCounterFamily("test_requests_total", "Requests served.", {"handler", "code"});
  requests.WithLabelValues({"/b", "200"}).Inc();
  requests.WithLabelValues({"/a", "500"}).Add(3);
  requests.WithLabelValues({"/a", "200"}).Add(1.5);
  r.NewGauge("test_temperature_celsius", "Temperature.").Set(-4.5);
  Histogram& h = r.NewHistogram("test_duration_seconds", "Durations.", {0.1, 1});
  for (double v : {0.0625, 0.5, 3.0}) h.Observe(v);
  r.NewGaugeFunc("test_answer", "The answer.", [] { return 42; });
  r.NewCounterFunc("test_ticks_total", "Ticks.", [] { return 1e6; });
  r.NewGaugeFamily("test_unused", "No children, not exposed.", {"x"});
  int calls = 0;
  r.AddCollector(std::make_unique<ShardCollector>(&calls));

  EXPECT_EQ(r.Expose(),
            "# HELP test_answer The answer.\n"
            "# TYPE test_answer gauge\n"
            "test_answer 42\n"
            "# HELP test_collected Collected.\n"
            "# TYPE test_collected gauge\n"
            "test_collected{shard=\"0\"} 8\n"
            "test_collected{shard=\"1\"} 7\n"
            "# HELP test_duration_seconds Durations.\n"
            "# TYPE test_duration_seconds histogram\n"
            "test_duration_seconds_bucket{le=\"0.1\"} 1\n"
            "test_duration_seconds_bucket{le=\"1\"} 2\n"
            "test_duration_seconds_bucket{le=\"+Inf\"} 3\n"
            "test_duration_seconds_sum 3.5625\n"
            "test_duration_seconds_count 3\n"
            "# HELP test_requests_total Requests served.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{code=\"200\",handler=\"/a\"} 1.5\n"
            "test_requests_total{code=\"200\",handler=\"/b\"} 1\n"
            "test_requests_total{code=\"500\",handler=\"/a\"} 3\n"
            "# HELP test_temperature_celsius Temperature.\n"
            "# TYPE test_temperature_celsius gauge\n"
            "test_temperature_celsius -4.5\n"
            "# HELP test_ticks_total Ticks.\n"
            "# TYPE test_ticks_total counter\n"
            "test_ticks_total 1e+06\n");
  EXPECT_EQ(calls, 1);
}

TEST(Registry, WithLabelValuesReturnsTheSameChild) {
  Registry r;
  HistogramFamily& f = r.NewHistogramFamily("test_size_bytes", "Sizes.", {"kind"});
  Histogram& a = f.WithLabelValues({"wal"});
  EXPECT_EQ(&a, &f.WithLabelValues({"wal"}));
  EXPECT_NE(&a, &f.WithLabelValues({"chunks"}));
  EXPECT_EQ(a.upper_bounds(), DefaultBuckets());
  // Values are length-prefixed in the key: ("ab", "") and ("a", "b") are different children.
  CounterFamily& two = r.NewCounterFamily("test_pairs_total", "Pairs.", {"x", "y"});
  EXPECT_NE(&two.WithLabelValues({"ab", ""}), &two.WithLabelValues({"a", "b"}));
}

TEST(Registry, RemoveCollectorStopsCollecting) {
  Registry r;
  int calls = 0;
  Collector* c = r.AddCollector(std::make_unique<ShardCollector>(&calls));
  EXPECT_NE(r.Expose().find("test_collected"), std::string::npos);
  r.RemoveCollector(c);
  EXPECT_EQ(r.Expose(), "");
  EXPECT_EQ(calls, 1);
}

TEST(Registry, ConcurrentRegistrationIncrementsAndScrapes) {
  Registry r;
  CounterFamily& f = r.NewCounterFamily("test_ops_total", "Ops.", {"worker"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::string worker = std::to_string(t % 2);
      for (int i = 0; i < 20000; ++i) f.WithLabelValues({worker}).Inc();
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) r.Expose();
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(f.WithLabelValues({"0"}).Value(), 80000);
  EXPECT_EQ(f.WithLabelValues({"1"}).Value(), 80000);
}

TEST(RegistryDeathTest, ProgrammerErrorsAbortWithAMessage) {
  Registry r;
  r.NewCounter("test_total", "A.");
  EXPECT_DEATH(r.NewGauge("test_total", "Same name."), "duplicate metric family \"test_total\"");
  EXPECT_DEATH(r.NewGaugeFunc("test_total", "Same name.", [] { return 1.0; }), "duplicate");
  EXPECT_DEATH(r.NewCounter("0bad", "A."), "invalid metric name");
  EXPECT_DEATH(r.NewCounter("bad-name", "A."), "invalid metric name");
  EXPECT_DEATH(r.NewCounterFamily("x_total", "A.", {"__reserved"}), "invalid label name");
  EXPECT_DEATH(r.NewCounterFamily("x_total", "A.", {"a-b"}), "invalid label name");
  EXPECT_DEATH(r.NewHistogramFamily("x_seconds", "A.", {"le"}), "reserved");
  EXPECT_DEATH(r.NewCounterFamily("x_total", "A.", {"a", "a"}), "duplicate label name");
  CounterFamily& f = r.NewCounterFamily("test_labelled_total", "A.", {"a", "b"});
  EXPECT_DEATH(f.WithLabelValues({"only one"}), "got 1 label values for 2 label names");
  EXPECT_DEATH(r.RemoveCollector(nullptr), "unknown collector");
}

TEST(Registry, DefaultIsOneInstance) { EXPECT_EQ(&Registry::Default(), &Registry::Default()); }

// Runs `promtool check metrics` on text. promtool exits 1 on a parse error and 3 on lint
// problems (naming conventions), 0 when clean.
int PromtoolCheckMetrics(const std::string& text, std::string* output) {
  char path[] = "/tmp/metrics_registry_test_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!written) return -1;
  std::string cmd = std::string("/usr/bin/promtool check metrics < ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  int status = pclose(p);
  unlink(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Registry, PromtoolParsesExposition) {
  if (access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/promtool";
  Registry r;
  CounterFamily& f =
      r.NewCounterFamily("test_requests_total", "Requests \\ with\nnewline.", {"handler", "code"});
  f.WithLabelValues({"/a\"quoted\"\\\n", "200"}).Add(1e21);
  f.WithLabelValues({"", "500"}).Add(1e-7);
  r.NewGauge("test_nan", "NaN gauge.").Set(std::nan(""));
  r.NewGauge("test_neg_inf", "-Inf gauge.").Set(-INFINITY);
  r.NewHistogramFamily("test_duration_seconds", "Durations.", {"op"})
      .WithLabelValues({"read"})
      .Observe(0.3);
  RegisterProcessMetrics(&r);
  BuildInfo info;
  info.version = "0.1.0";
  RegisterBuildInfo(&r, "prometheus", info);
  std::string output;
  int rc = PromtoolCheckMetrics(r.Expose(), &output);
  EXPECT_EQ(rc, 0) << output << "\n" << r.Expose();
}

}  // namespace
}  // namespace sundial::metrics
