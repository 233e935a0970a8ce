// Differential test: our verdict on a config (valid or not) matches `promtool check config`.
// Only fields Prometheus 2.42 knows are used, and no rule_files (promtool would also load them).
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"
#include "gtest/gtest.h"

namespace sundial::config {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

struct Case {
  const char* name;
  const char* yaml;
};

constexpr Case kCases[] = {
    {"minimal", "scrape_configs: [{job_name: a, static_configs: [{targets: ['h:1']}]}]\n"},
    {"empty", ""},
    {"relabel", R"yaml(
scrape_configs:
- job_name: a
  relabel_configs:
  - {source_labels: [__address__], target_label: instance, regex: '(.*):\d+'}
  - {action: hashmod, source_labels: [a], modulus: 3, target_label: h}
  - {action: labeldrop, regex: tmp_.*}
  - {action: keepequal, source_labels: [a], target_label: b}
)yaml"},
    {"remote", R"yaml(
remote_write: [{url: 'http://rw/', queue_config: {capacity: 100}, name: a}]
remote_read: [{url: 'http://rr/', read_recent: true}]
)yaml"},
    {"alerting", R"yaml(
alerting:
  alertmanagers: [{api_version: v1, path_prefix: /x, static_configs: [{targets: ['a:1']}]}]
)yaml"},
    {"auth", R"yaml(
scrape_configs:
- {job_name: a, basic_auth: {username: u, password: p}, tls_config: {insecure_skip_verify: true}}
- {job_name: b, authorization: {credentials: c}}
- {job_name: c, oauth2: {client_id: i, client_secret: s, token_url: 'http://t/'}}
)yaml"},
    {"unknown_field", "scrape_configs: [{job_name: a, bogus: 1}]\n"},
    {"bad_duration", "global: {scrape_interval: 10x}\n"},
    {"duplicate_job", "scrape_configs: [{job_name: a}, {job_name: a}]\n"},
    {"timeout_over_interval",
     "scrape_configs: [{job_name: a, scrape_interval: 1s, scrape_timeout: 2s}]\n"},
    {"no_job_name", "scrape_configs: [{metrics_path: /x}]\n"},
    {"hashmod_no_modulus",
     "scrape_configs: [{job_name: a, relabel_configs: [{action: hashmod, target_label: x}]}]\n"},
    {"two_auths", "scrape_configs: [{job_name: a, bearer_token: x, basic_auth: {username: u}}]\n"},
    {"bad_label", "global: {external_labels: {'0a': b}}\n"},
    {"bad_api_version", "alerting: {alertmanagers: [{api_version: v9}]}\n"},
    {"reserved_header", "remote_write: [{url: 'http://a/', headers: {User-Agent: x}}]\n"},
    {"url_target", "scrape_configs: [{job_name: a, static_configs: [{targets: ['http://a']}]}]\n"},
    {"bad_body_size", "scrape_configs: [{job_name: a, body_size_limit: 12}]\n"},
    {"bad_regex",
     "scrape_configs: [{job_name: a, relabel_configs: [{regex: '(', target_label: "
     "x}]}]\n"},
};

TEST(PromtoolDiffTest, SameVerdictAsPromtool) {
  if (!std::filesystem::exists(kPromtool)) GTEST_SKIP() << "promtool not installed";
  std::string dir_pattern =
      (std::filesystem::temp_directory_path() / "sundial_promtool_XXXXXX").string();
  const std::string dir = mkdtemp(dir_pattern.data());
  for (const Case& c : kCases) {
    const std::string file = dir + "/" + c.name + ".yaml";
    std::ofstream(file) << c.yaml;
    const std::string command =
        std::string(kPromtool) + " check config " + file + " >/dev/null 2>&1";
    const int status = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(status)) << c.name;
    const bool promtool_ok = WEXITSTATUS(status) == 0;
    absl::StatusOr<Config> ours = LoadFile(file);
    EXPECT_EQ(ours.ok(), promtool_ok)
        << c.name << ": promtool " << (promtool_ok ? "accepts" : "rejects") << ", we say "
        << ours.status();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sundial::config
