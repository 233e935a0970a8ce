#include "scrape/target_labels.h"

#include <gtest/gtest.h>

namespace sundial::scrape {
namespace {

config::ScrapeConfig Job() {
  config::ScrapeConfig job;
  job.job_name = "node";
  job.scrape_interval = Duration(60000);
  job.scrape_timeout = Duration(10000);
  return job;
}

TEST(PopulateTarget, DefaultsAndMetaLabels) {
  Labels discovered{{"__address__", "host:9100"}, {"__meta_x", "y"}, {"env", "prod"}};
  auto t = PopulateTarget(discovered, Job());
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE(t->has_value());
  EXPECT_EQ((*t)->labels.ToString(),
            R"({__address__="host:9100", __metrics_path__="/metrics", __scheme__="http", )"
            R"(__scrape_interval__="1m", __scrape_timeout__="10s", env="prod", )"
            R"(instance="host:9100", job="node"})");
  EXPECT_EQ((*t)->url, "http://host:9100/metrics");
}

TEST(PopulateTarget, ParamsRelabelAndUrl) {
  config::ScrapeConfig job = Job();
  job.scheme = "https";
  job.metrics_path = "/probe";
  job.params = {{"module", {"http_2xx", "other"}}, {"target", {"a b"}}};
  config::RelabelConfig r;
  r.source_labels = {"__address__"};
  r.target_label = "__param_target";
  job.relabel_configs.push_back(r);
  auto t = PopulateTarget(Labels{{"__address__", "example.com"}, {"instance", "i"}}, job);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->labels.Get("instance"), "i");
  EXPECT_EQ((*t)->labels.Get("__address__"), "example.com");  // no default port (3.x)
  EXPECT_EQ((*t)->url, "https://example.com/probe?module=http_2xx&module=other&target=example.com");
  EXPECT_EQ(TargetUrl(Labels{{"__scheme__", "http"},
                             {"__address__", "h:1"},
                             {"__metrics_path__", "a b?"},
                             {"__param_q", "x&y=z é"}},
                      {}),
            "http://h:1/a%20b%3F?q=x%26y%3Dz+%C3%A9");
}

TEST(PopulateTarget, DroppedAndErrors) {
  config::ScrapeConfig job = Job();
  config::RelabelConfig drop;
  drop.action = config::RelabelAction::kDrop;
  drop.source_labels = {"env"};
  drop.regex = config::RelabelRegex::Create("dev").value();
  job.relabel_configs.push_back(drop);
  auto dropped = PopulateTarget(Labels{{"__address__", "h:1"}, {"env", "dev"}}, job);
  ASSERT_TRUE(dropped.ok());
  EXPECT_FALSE(dropped->has_value());

  auto error = [&](const Labels& l) {
    auto r = PopulateTarget(l, Job());
    return r.ok() ? std::string("ok") : std::string(r.status().message());
  };
  EXPECT_EQ(error(Labels{{"env", "x"}}), "no address");
  EXPECT_EQ(error(Labels{{"__address__", "h:1/x"}}), "\"h:1/x\" is not a valid hostname");
  EXPECT_EQ(error(Labels{{"__address__", "h:1"}, {"__scrape_interval__", "1x"}}),
            "error parsing scrape interval: not a valid duration string: \"1x\"");
  EXPECT_EQ(error(Labels{{"__address__", "h:1"}, {"__scrape_timeout__", "0s"}}),
            "scrape timeout cannot be 0");
  EXPECT_EQ(error(Labels{{"__address__", "h:1"}, {"__scrape_timeout__", "2m"}}),
            "scrape timeout cannot be greater than scrape interval (\"2m\" > \"1m\")");
  EXPECT_EQ(error(Labels{{"__address__", "h:1"}, {"x", "\xff"}}),
            "invalid label value for \"x\": \"\\xff\"");
}

}  // namespace
}  // namespace sundial::scrape
