#include "cli/server_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sundial::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Parses args into fresh options and finalizes them.
absl::StatusOr<ServerOptions> Load(std::vector<std::string> args,
                                   std::vector<std::string>* unknown = nullptr) {
  ServerOptions opts;
  FlagSet flags("sundial", "test");
  RegisterServerFlags(&flags, &opts);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  auto pos = flags.Parse(argv.data(), argv.data() + argv.size());
  if (!pos.ok()) return pos.status();
  auto u = FinalizeServerOptions(flags, &opts);
  if (!u.ok()) return u.status();
  if (unknown) *unknown = *u;
  return opts;
}

TEST(ServerOptions, DefaultsMatchPrometheus) {
  auto o = Load({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->config_file, "prometheus.yml");
  EXPECT_EQ(o->web_listen_address, "0.0.0.0:9090");
  EXPECT_EQ(o->storage_tsdb_path, "data/");
  EXPECT_EQ(o->storage_tsdb_retention_time, std::chrono::hours(24 * 15));
  EXPECT_EQ(o->storage_tsdb_max_block_duration, std::chrono::hours(36));  // 10% of 15d
  EXPECT_EQ(o->storage_tsdb_min_block_duration, std::chrono::hours(2));
  EXPECT_TRUE(o->storage_tsdb_wal_compression);
  EXPECT_EQ(o->query_timeout, std::chrono::minutes(2));
  EXPECT_EQ(o->query_lookback_delta, std::chrono::minutes(5));
  EXPECT_EQ(o->query_max_concurrency, 20);
  EXPECT_EQ(o->query_max_samples, 50000000);
  EXPECT_EQ(o->rules_alert_for_outage_tolerance, std::chrono::hours(1));
  EXPECT_EQ(o->web_route_prefix, "/");
  EXPECT_FALSE(o->web_enable_lifecycle);
  EXPECT_FALSE(o->web_enable_admin_api);
  EXPECT_EQ(o->log_level, LogLevel::kInfo);
  EXPECT_EQ(o->log_format, LogFormat::kLogfmt);
}

TEST(ServerOptions, RetentionSizeAloneMeansNoTimeLimit) {
  auto o = Load({"--storage.tsdb.retention.size=512MB"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->storage_tsdb_retention_size, 512LL << 20);
  EXPECT_EQ(o->storage_tsdb_retention_time.count(), 0);
  EXPECT_EQ(o->storage_tsdb_max_block_duration, std::chrono::hours(24 * 31));
}

TEST(ServerOptions, MaxBlockDurationFollowsRetentionWithCaps) {
  EXPECT_EQ(Load({"--storage.tsdb.retention.time=1y"})->storage_tsdb_max_block_duration,
            std::chrono::hours(24 * 31));
  EXPECT_EQ(Load({"--storage.tsdb.retention.time=10h"})->storage_tsdb_max_block_duration,
            std::chrono::hours(2));  // never below the min block duration
  auto thanos =
      Load({"--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h"});
  EXPECT_EQ(thanos->storage_tsdb_max_block_duration, thanos->storage_tsdb_min_block_duration);
}

TEST(ServerOptions, RoutePrefixFromExternalUrl) {
  EXPECT_EQ(Load({"--web.external-url=http://example.com/prom/"})->web_route_prefix, "/prom");
  EXPECT_EQ(Load({"--web.external-url=http://example.com"})->web_route_prefix, "/");
  EXPECT_EQ(Load({"--web.external-url=http://x/a", "--web.route-prefix=b/"})->web_route_prefix,
            "/b");
  EXPECT_FALSE(Load({"--web.external-url=example.com/x"}).ok());
}

TEST(ServerOptions, FeaturesAndLogFlags) {
  std::vector<std::string> unknown;
  auto o = Load({"--enable-feature=promql-experimental-functions,bogus", "--log.level=debug",
                 "--log.format=json", "--no-storage.tsdb.wal-compression"},
                &unknown);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->enable_feature, ElementsAre("promql-experimental-functions", "bogus"));
  EXPECT_THAT(unknown, ElementsAre("bogus"));
  EXPECT_EQ(o->log_level, LogLevel::kDebug);
  EXPECT_EQ(o->log_format, LogFormat::kJson);
  EXPECT_FALSE(o->storage_tsdb_wal_compression);
  ASSERT_TRUE(Load({"--enable-feature=exemplar-storage"}, &unknown).ok());
  EXPECT_THAT(unknown, IsEmpty());
}

TEST(ServerOptions, BadValuesAreErrorsNamingTheFlag) {
  EXPECT_EQ(Load({"--log.level=verbose"}).status().message(),
            "invalid value \"verbose\" for flag '--log.level': unrecognized log level verbose");
  EXPECT_EQ(Load({"--storage.tsdb.retention.size=12"}).status().message(),
            "invalid value \"12\" for flag '--storage.tsdb.retention.size': units: unknown unit  "
            "in 12");
  EXPECT_FALSE(Load({"--query.max-concurrency=0"}).ok());
  EXPECT_FALSE(Load({"--query.timeout=0s"}).ok());
  EXPECT_FALSE(Load({"--query.max-samples=many"}).ok());
}

}  // namespace
}  // namespace sundial::cli
