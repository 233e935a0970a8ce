// Every validation error: the bad config, the expected message fragment and its line.
#include <string>

#include "config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::config {
namespace {

struct BadConfig {
  std::string yaml;
  std::string message;  // expected fragment
  int line;             // expected "bad.yaml:<line>: " prefix; 0 = no line
};

class ConfigErrorTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrorTest, RejectsWithMessageAndLine) {
  const BadConfig& bad = GetParam();
  absl::StatusOr<Config> cfg = Parse(bad.yaml, "bad.yaml");
  ASSERT_FALSE(cfg.ok()) << bad.yaml;
  const std::string message(cfg.status().message());
  EXPECT_THAT(message, ::testing::HasSubstr(bad.message));
  const std::string prefix =
      bad.line == 0 ? "bad.yaml: " : "bad.yaml:" + std::to_string(bad.line) + ": ";
  EXPECT_THAT(message, ::testing::StartsWith(prefix)) << bad.yaml;
}

// A scrape config list with one job whose body is `fields` (flow mapping entries), on line 2.
std::string Job(const std::string& fields) {
  return "scrape_configs:\n- {job_name: j, " + fields + "}\n";
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigErrorTest,
    ::testing::Values(
        // Syntax and types.
        BadConfig{"global:\n  scrape_interval: [1\n", "yaml:", 3},
        BadConfig{"foo: 1\n", "field foo not found in type config", 1},
        BadConfig{"global:\n  scrape_interval: 1m\n  scrape_intervall: 1m\n",
                  "field scrape_intervall not found in type global", 3},
        BadConfig{Job("foo: 1"), "field foo not found in type scrape_config", 2},
        BadConfig{"scrape_configs:\n- job_name: a\n  job_name: b\n",
                  "field job_name already set in type scrape_config", 3},
        BadConfig{"scrape_configs:\n- job_name: a\n  scrape_interval: 1x\n",
                  "scrape_interval: not a valid duration string: \"1x\"", 3},
        BadConfig{Job("sample_limit: abc"), "sample_limit: cannot unmarshal !!str `abc` into uint",
                  2},
        BadConfig{Job("honor_labels: maybe"), "cannot unmarshal !!str `maybe` into bool", 2},
        BadConfig{"scrape_configs: {a: 1}\n", "expected a list", 1},
        BadConfig{"global: 5\n", "cannot unmarshal !!str `5` into type global", 1},
        BadConfig{Job("body_size_limit: 10XB"), "units: unknown unit XB in 10XB", 2},
        BadConfig{Job("body_size_limit: 10"), "units: unknown unit  in 10", 2},
        BadConfig{Job("consul_sd_configs: [{}]"), "consul_sd_configs is not supported by Sundial",
                  2},
        // Global.
        BadConfig{"global:\n  external_labels: {a-b: x}\n", "\"a-b\" is not a valid label name", 2},
        BadConfig{"global: {scrape_interval: 5s, scrape_timeout: 6s}\n",
                  "global scrape timeout greater than scrape interval", 1},
        BadConfig{"rule_files: [a/*/b.yaml]\n", "invalid rule file path \"a/*/b.yaml\"", 1},
        // Scrape configs.
        BadConfig{"scrape_configs:\n- {scrape_interval: 1m}\n", "job_name is empty", 2},
        BadConfig{"scrape_configs:\n- null\n", "empty or null scrape config section", 2},
        BadConfig{"scrape_configs:\n- job_name: a\n- job_name: a\n",
                  "found multiple scrape configs with job name \"a\"", 3},
        BadConfig{"scrape_configs:\n- job_name: a\n  scrape_interval: 5s\n  scrape_timeout: 6s\n",
                  "scrape timeout greater than scrape interval for scrape config with job name "
                  "\"a\"",
                  2},
        BadConfig{Job("static_configs: [{targets: ['http://x']}]"),
                  "\"http://x\" is not a valid hostname", 2},
        BadConfig{Job("static_configs: [{targets: [x], labels: {a-b: c}}]"),
                  "\"a-b\" is not a valid label name", 2},
        BadConfig{Job("scrape_protocols: [Foo]"), "unknown scrape protocol Foo", 2},
        // HTTP client options.
        BadConfig{Job("bearer_token: a, bearer_token_file: b"),
                  "at most one of bearer_token & bearer_token_file must be configured", 2},
        BadConfig{Job("bearer_token: a, basic_auth: {username: u}"),
                  "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
                  "configured",
                  2},
        BadConfig{Job("basic_auth: {password: a, password_file: b}"),
                  "at most one of basic_auth password & password_file must be configured", 2},
        BadConfig{Job("basic_auth: {username: a, username_file: b}"),
                  "at most one of basic_auth username & username_file must be configured", 2},
        BadConfig{Job("authorization: {credentials: a}, basic_auth: {username: u}"),
                  "at most one of basic_auth, oauth2 & authorization must be configured", 2},
        BadConfig{Job("authorization: {credentials: a, credentials_file: b}"),
                  "at most one of authorization credentials & credentials_file must be configured",
                  2},
        BadConfig{Job("authorization: {type: Basic}"),
                  "authorization type cannot be set to \"basic\", use \"basic_auth\" instead", 2},
        BadConfig{Job("authorization: {credentials: a}, bearer_token: b"),
                  "authorization is not compatible with bearer_token & bearer_token_file", 2},
        BadConfig{Job("oauth2: {client_secret: s, token_url: 'http://t'}"),
                  "oauth2 client_id must be configured", 2},
        BadConfig{Job("oauth2: {client_id: i, token_url: 'http://t'}"),
                  "either oauth2 client_secret or client_secret_file must be configured", 2},
        BadConfig{Job("oauth2: {client_id: i, client_secret: s}"),
                  "oauth2 token_url must be configured", 2},
        BadConfig{Job("oauth2: {client_id: i, client_secret: s, token_url: t}, basic_auth: {}"),
                  "at most one of basic_auth, oauth2 & authorization must be configured", 2},
        BadConfig{Job("tls_config: {ca: x, ca_file: y}"),
                  "at most one of ca and ca_file must be configured", 2},
        BadConfig{Job("tls_config: {cert_file: x}"),
                  "exactly one of key or key_file must be configured when a client certificate "
                  "is configured",
                  2},
        BadConfig{Job("tls_config: {key: x}"),
                  "exactly one of cert or cert_file must be configured when a client key is "
                  "configured",
                  2},
        BadConfig{Job("tls_config: {min_version: TLS9}"), "unknown TLS version: TLS9", 2},
        BadConfig{Job("tls_config: {bogus: 1}"), "field bogus not found in type tls_config", 2},
        BadConfig{Job("no_proxy: x"),
                  "if no_proxy is configured, proxy_url must also be configured", 2},
        BadConfig{Job("proxy_from_environment: true, proxy_url: 'http://p'"),
                  "if proxy_from_environment is configured, proxy_url must not be configured", 2},
        // Relabeling.
        BadConfig{Job("relabel_configs: [{action: bogus}]"), "unknown relabel action \"bogus\"", 2},
        BadConfig{Job("relabel_configs: [{regex: 'a('}]"), "error parsing regexp", 2},
        BadConfig{Job("relabel_configs: [{action: hashmod, target_label: x}]"),
                  "relabel configuration for hashmod requires non-zero modulus", 2},
        BadConfig{Job("relabel_configs: [{source_labels: [a]}]"),
                  "relabel configuration for replace action requires 'target_label' value", 2},
        BadConfig{Job("relabel_configs: [{target_label: '1x'}]"),
                  "\"1x\" is invalid 'target_label' for replace action", 2},
        BadConfig{Job("relabel_configs: [{action: lowercase, target_label: x, replacement: y}]"),
                  "'replacement' can not be set for lowercase action", 2},
        BadConfig{Job("relabel_configs: [{action: labelmap, replacement: '-'}]"),
                  "\"-\" is invalid 'replacement' for labelmap action", 2},
        BadConfig{Job("relabel_configs: [{action: hashmod, modulus: 2, target_label: '${1}'}]"),
                  "\"${1}\" is invalid 'target_label' for hashmod action", 2},
        BadConfig{Job("relabel_configs: [{action: keepequal, target_label: x, regex: y}]"),
                  "keepequal action requires only 'source_labels' and `target_label`, and no "
                  "other fields",
                  2},
        BadConfig{Job("relabel_configs: [{action: labeldrop, source_labels: [a]}]"),
                  "labeldrop action requires only 'regex', and no other fields", 2},
        BadConfig{Job("relabel_configs: [{action: labelkeep, target_label: a}]"),
                  "labelkeep action requires only 'regex', and no other fields", 2},
        BadConfig{Job("relabel_configs: [{source_labels: [a-b], target_label: x}]"),
                  "\"a-b\" is not a valid label name", 2},
        BadConfig{Job("relabel_configs: [{action: ''}]"), "relabel action cannot be empty", 2},
        // Service discovery.
        BadConfig{Job("file_sd_configs: [{files: []}]"),
                  "file service discovery config must contain at least one path name", 2},
        BadConfig{Job("file_sd_configs: [{files: [a.txt]}]"),
                  "path name \"a.txt\" is not valid for file discovery", 2},
        BadConfig{Job("http_sd_configs: [{}]"), "URL is missing", 2},
        BadConfig{Job("http_sd_configs: [{url: 'ftp://x/'}]"),
                  "URL scheme must be 'http' or 'https'", 2},
        BadConfig{Job("http_sd_configs: [{url: 'http:///x'}]"), "host is missing in URL", 2},
        BadConfig{Job("dns_sd_configs: [{names: []}]"),
                  "DNS-SD config must contain at least one SRV record name", 2},
        BadConfig{Job("dns_sd_configs: [{names: [a], type: A}]"),
                  "a port is required in DNS-SD configs for all record types except SRV", 2},
        BadConfig{Job("dns_sd_configs: [{names: [a], type: NS}]"),
                  "a port is required in DNS-SD configs for all record types except SRV", 2},
        BadConfig{Job("dns_sd_configs: [{names: [a], type: TXT}]"),
                  "invalid DNS-SD records type TXT", 2},
        BadConfig{Job("kubernetes_sd_configs: [{}]"),
                  "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)",
                  2},
        BadConfig{Job("kubernetes_sd_configs: [{role: foo}]"), "unknown Kubernetes SD role \"foo\"",
                  2},
        BadConfig{Job("kubernetes_sd_configs: [{role: pod, api_server: 'https://k', "
                      "kubeconfig_file: k}]"),
                  "cannot use 'kubeconfig_file' and 'api_server' simultaneously", 2},
        BadConfig{Job("kubernetes_sd_configs: [{role: pod, bearer_token: t}]"),
                  "to use custom HTTP client configuration please provide the 'api_server' URL "
                  "explicitly",
                  2},
        BadConfig{Job("kubernetes_sd_configs: [{role: pod, api_server: 'https://k', "
                      "namespaces: {own_namespace: true}}]"),
                  "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously", 2},
        BadConfig{Job("kubernetes_sd_configs: [{role: node, selectors: [{role: pod}]}]"),
                  "node role supports only node selectors", 2},
        BadConfig{Job("kubernetes_sd_configs: [{role: endpoints, selectors: [{role: pod}, "
                      "{role: pod}]}]"),
                  "duplicated selector role: pod", 2},
        BadConfig{Job("kubernetes_sd_configs: [{role: pod, selectors: [{role: pod, "
                      "field: 'spec.nodeName=a,status.phase'}]}]"),
                  "invalid selector: 'spec.nodeName=a,status.phase'; can't understand "
                  "'status.phase'",
                  2},
        BadConfig{Job("kubernetes_sd_configs: [{role: pod, kubeconfig_file: k, "
                      "tls_config: {insecure_skip_verify: true}}]"),
                  "cannot use a custom HTTP client configuration together with 'kubeconfig_file'",
                  2},
        BadConfig{Job("kubernetes_sd_configs: [{role: pod, kubeconfig_file: k, "
                      "namespaces: {own_namespace: true}}]"),
                  "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously", 2},
        BadConfig{Job("kubernetes_sd_configs: [{role: pod, attach_metadata: {nod: true}}]"),
                  "field nod not found in type attach_metadata", 2},
        // Alerting.
        BadConfig{"alerting:\n  alertmanagers:\n  - api_version: v3\n",
                  "expected Alertmanager api version to be one of [v1 v2] but got v3", 3},
        BadConfig{"alerting:\n  alertmanagers:\n  - static_configs: [{targets: ['http://a']}]\n",
                  "\"http://a\" is not a valid hostname", 3},
        // Remote write / read.
        BadConfig{"remote_write:\n- name: x\n", "url for remote_write is empty", 2},
        BadConfig{"remote_read:\n- name: x\n", "url for remote_read is empty", 2},
        BadConfig{"remote_write:\n- url: http://a\n  headers: {Content-Type: x}\n",
                  "Content-Type is a reserved header. It must not be changed", 2},
        BadConfig{"remote_write:\n- url: http://a\n  headers: {authorization: x}\n",
                  "authorization header must be changed via the basic_auth, authorization, "
                  "oauth2, or sigv4 parameter",
                  2},
        BadConfig{"remote_write:\n- {url: 'http://a', name: x}\n- {url: 'http://b', name: x}\n",
                  "found multiple remote write configs with job name \"x\"", 3},
        BadConfig{"remote_read:\n- {url: 'http://a', name: x}\n- {url: 'http://b', name: x}\n",
                  "found multiple remote read configs with job name \"x\"", 3},
        BadConfig{"remote_write:\n- url: http://a\n  sigv4: {region: eu}\n",
                  "sigv4 authentication is not supported by Sundial", 3},
        BadConfig{"remote_write:\n- url: http://a\n  queue_config: {capacityy: 1}\n",
                  "field capacityy not found in type queue_config", 3},
        // Storage, tracing, otlp.
        BadConfig{"storage:\n  tsdb:\n    out_of_order_time_window: x\n",
                  "not a valid duration string: \"x\"", 3},
        BadConfig{"tracing: {client_type: udp}\n",
                  "expected tracing client type to be one of [grpc http] but got \"udp\"", 1},
        BadConfig{"tracing: {compression: zstd}\n", "invalid compression type zstd provided", 1},
        BadConfig{"otlp: {promote_resource_attributes: [a, a]}\n",
                  "duplicated promoted OTel resource attribute \"a\"", 1},
        BadConfig{"otlp: {translation_strategy: Foo}\n",
                  "unsupported OTLP translation strategy \"Foo\"", 1}));

}  // namespace
}  // namespace sundial::config
