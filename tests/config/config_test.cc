#include "config/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"
#include "testing/temp_dir.h"

namespace sundial::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr std::string_view kFullConfig = R"yaml(
global:
  scrape_interval: 15s
  scrape_timeout: 5s
  evaluation_interval: 30s
  query_log_file: query.log
  external_labels: {region: eu-west, replica: "1"}
  body_size_limit: 20MB
  sample_limit: 1000
  target_limit: 10
  label_limit: 30
  label_name_length_limit: 100
  label_value_length_limit: 200
  keep_dropped_targets: 5
rule_files: [rules/*.yaml, /etc/alerts.yml]
alerting:
  alert_relabel_configs:
  - action: labeldrop
    regex: replica
  alertmanagers:
  - scheme: https
    path_prefix: /am
    timeout: 7s
    api_version: v1
    basic_auth: {username: am, password_file: am.pass}
    relabel_configs:
    - source_labels: [__meta_x]
      target_label: x
    static_configs:
    - targets: [am1:9093, am2:9093]
    file_sd_configs:
    - files: [am/*.json]
      refresh_interval: 1m
scrape_configs:
- job_name: full
  honor_labels: true
  honor_timestamps: false
  track_timestamps_staleness: true
  params: {module: [http_2xx, tcp]}
  scrape_interval: 30s
  scrape_timeout: 20s
  scrape_protocols: [OpenMetricsText1.0.0, PrometheusText0.0.4]
  metrics_path: /probe
  scheme: https
  body_size_limit: 1KiB
  sample_limit: 7
  target_limit: 8
  label_limit: 9
  label_name_length_limit: 10
  label_value_length_limit: 11
  keep_dropped_targets: 12
  authorization: {type: Token, credentials_file: token.txt}
  tls_config:
    ca_file: ca.pem
    cert_file: client.pem
    key_file: client.key
    server_name: example.org
    insecure_skip_verify: true
    min_version: TLS12
    max_version: TLS13
  proxy_url: http://proxy:3128
  no_proxy: localhost
  proxy_connect_header: {X-Proxy: [a, b]}
  follow_redirects: false
  enable_http2: false
  relabel_configs:
  - source_labels: [__address__, job]
    separator: "/"
    regex: "(.+)/(.+)"
    target_label: __param_target
    replacement: "${1}"
  - action: hashmod
    source_labels: [__address__]
    modulus: 8
    target_label: __tmp_hash
  - action: keepequal
    source_labels: [a]
    target_label: b
  - action: labelmap
    regex: __meta_(.+)
  - action: uppercase
    source_labels: [job]
    target_label: JOB
  metric_relabel_configs:
  - action: drop
    source_labels: [__name__]
    regex: go_.*
  static_configs:
  - targets: [a:1, b:2]
    labels: {env: prod}
  file_sd_configs:
  - files: [targets/*.json]
  http_sd_configs:
  - url: https://sd.example/targets
    refresh_interval: 2m
    basic_auth: {username: sd, password: sdpass}
  dns_sd_configs:
  - names: [_prom._tcp.example.org]
  - names: [db.example.org]
    type: A
    port: 9100
    refresh_interval: 10s
  - names: [example.org]
    type: ns
    port: 9100
  kubernetes_sd_configs:
  - role: endpoints
    api_server: https://k8s:6443
    bearer_token_file: /var/run/token
    tls_config: {ca_file: k8s-ca.pem}
    namespaces: {names: [default, monitoring]}
    selectors:
    - {role: pod, label: "app=web", field: "status.phase=Running"}
    attach_metadata: {node: true}
  - role: pod
    namespaces: {own_namespace: true}
- job_name: minimal
  static_configs:
  - targets: [localhost:9090]
remote_write:
- url: https://rw.example/api/v1/write
  name: primary
  remote_timeout: 10s
  headers: {X-Scope-OrgID: team-a}
  send_exemplars: true
  send_native_histograms: true
  write_relabel_configs:
  - action: keep
    source_labels: [__name__]
    regex: "up|node_.*"
  oauth2:
    client_id: id
    client_secret: shh
    token_url: https://auth/token
    scopes: [write]
    endpoint_params: {audience: rw}
  queue_config:
    capacity: 10000
    max_shards: 50
    min_shards: 2
    max_samples_per_send: 2000
    batch_send_deadline: 10s
    min_backoff: 100ms
    max_backoff: 10s
    retry_on_http_429: true
  metadata_config: {send: false, send_interval: 2m, max_samples_per_send: 100}
remote_read:
- url: https://rr.example/api/v1/read
  name: archive
  remote_timeout: 2m
  headers: {X-A: b}
  read_recent: true
  required_matchers: {env: prod}
  filter_external_labels: false
  bearer_token: rrtoken
storage:
  tsdb: {out_of_order_time_window: 30m}
  exemplars: {max_exemplars: 5000}
tracing:
  client_type: http
  endpoint: otel:4318
  sampling_fraction: 0.25
  insecure: true
  headers: {X-T: v}
  compression: gzip
  timeout: 5s
otlp:
  promote_resource_attributes: [service.instance.id, k8s.pod.name]
  translation_strategy: NoUTF8EscapingWithSuffixes
)yaml";

Config MustParse(std::string_view yaml) {
  absl::StatusOr<Config> cfg = Parse(yaml, "test.yaml");
  EXPECT_TRUE(cfg.ok()) << cfg.status();
  return cfg.ok() ? *std::move(cfg) : Config{};
}

TEST(ConfigParseTest, GlobalAndTopLevelSections) {
  Config cfg = MustParse(kFullConfig);
  const GlobalConfig& g = cfg.global;
  EXPECT_EQ(g.scrape_interval, seconds(15));
  EXPECT_EQ(g.scrape_timeout, seconds(5));
  EXPECT_EQ(g.evaluation_interval, seconds(30));
  EXPECT_EQ(g.query_log_file, "query.log");
  EXPECT_THAT(g.external_labels, ElementsAre(Pair("region", "eu-west"), Pair("replica", "1")));
  EXPECT_EQ(g.limits.body_size_limit, 20 << 20);
  EXPECT_EQ(g.limits.sample_limit, 1000u);
  EXPECT_EQ(g.limits.target_limit, 10u);
  EXPECT_EQ(g.limits.label_limit, 30u);
  EXPECT_EQ(g.limits.label_name_length_limit, 100u);
  EXPECT_EQ(g.limits.label_value_length_limit, 200u);
  EXPECT_EQ(g.limits.keep_dropped_targets, 5u);
  EXPECT_THAT(cfg.rule_files, ElementsAre("rules/*.yaml", "/etc/alerts.yml"));
  ASSERT_TRUE(cfg.storage.tsdb.has_value());
  EXPECT_EQ(cfg.storage.tsdb->out_of_order_time_window, minutes(30));
  ASSERT_TRUE(cfg.storage.exemplars.has_value());
  EXPECT_EQ(cfg.storage.exemplars->max_exemplars, 5000);
  EXPECT_EQ(cfg.tracing.client_type, "http");
  EXPECT_EQ(cfg.tracing.endpoint, "otel:4318");
  EXPECT_EQ(cfg.tracing.sampling_fraction, 0.25);
  EXPECT_TRUE(cfg.tracing.insecure);
  EXPECT_EQ(cfg.tracing.compression, "gzip");
  EXPECT_EQ(cfg.tracing.timeout, seconds(5));
  EXPECT_THAT(cfg.otlp.promote_resource_attributes,
              ElementsAre("service.instance.id", "k8s.pod.name"));
  EXPECT_EQ(cfg.otlp.translation_strategy, "NoUTF8EscapingWithSuffixes");
}

TEST(ConfigParseTest, ScrapeConfigFields) {
  Config cfg = MustParse(kFullConfig);
  ASSERT_EQ(cfg.scrape_configs.size(), 2u);
  const ScrapeConfig& s = cfg.scrape_configs[0];
  EXPECT_EQ(s.job_name, "full");
  EXPECT_TRUE(s.honor_labels);
  EXPECT_FALSE(s.honor_timestamps);
  EXPECT_TRUE(s.track_timestamps_staleness);
  EXPECT_THAT(s.params, ElementsAre(Pair("module", ElementsAre("http_2xx", "tcp"))));
  EXPECT_EQ(s.scrape_interval, seconds(30));
  EXPECT_EQ(s.scrape_timeout, seconds(20));
  EXPECT_THAT(s.scrape_protocols, ElementsAre("OpenMetricsText1.0.0", "PrometheusText0.0.4"));
  EXPECT_EQ(s.metrics_path, "/probe");
  EXPECT_EQ(s.scheme, "https");
  EXPECT_EQ(s.limits.body_size_limit, 1024);
  EXPECT_EQ(s.limits.sample_limit, 7u);
  EXPECT_EQ(s.limits.target_limit, 8u);
  EXPECT_EQ(s.limits.label_limit, 9u);
  EXPECT_EQ(s.limits.label_name_length_limit, 10u);
  EXPECT_EQ(s.limits.label_value_length_limit, 11u);
  EXPECT_EQ(s.limits.keep_dropped_targets, 12u);

  const HttpClientConfig& h = s.http_client;
  ASSERT_TRUE(h.authorization.has_value());
  EXPECT_EQ(h.authorization->type, "Token");
  EXPECT_EQ(h.authorization->credentials_file, "token.txt");
  EXPECT_EQ(h.tls_config.ca_file, "ca.pem");
  EXPECT_EQ(h.tls_config.cert_file, "client.pem");
  EXPECT_EQ(h.tls_config.key_file, "client.key");
  EXPECT_EQ(h.tls_config.server_name, "example.org");
  EXPECT_TRUE(h.tls_config.insecure_skip_verify);
  EXPECT_EQ(h.tls_config.min_version, "TLS12");
  EXPECT_EQ(h.tls_config.max_version, "TLS13");
  EXPECT_EQ(h.proxy.proxy_url, "http://proxy:3128");
  EXPECT_EQ(h.proxy.no_proxy, "localhost");
  EXPECT_THAT(h.proxy.proxy_connect_header, ElementsAre(Pair("X-Proxy", ElementsAre("a", "b"))));
  EXPECT_FALSE(h.follow_redirects);
  EXPECT_FALSE(h.enable_http2);

  ASSERT_EQ(s.relabel_configs.size(), 5u);
  const RelabelConfig& r0 = s.relabel_configs[0];
  EXPECT_THAT(r0.source_labels, ElementsAre("__address__", "job"));
  EXPECT_EQ(r0.separator, "/");
  EXPECT_EQ(r0.regex.source(), "(.+)/(.+)");
  EXPECT_EQ(r0.target_label, "__param_target");
  EXPECT_EQ(r0.replacement, "${1}");
  EXPECT_EQ(r0.action, RelabelAction::kReplace);
  EXPECT_EQ(s.relabel_configs[1].action, RelabelAction::kHashMod);
  EXPECT_EQ(s.relabel_configs[1].modulus, 8u);
  EXPECT_EQ(s.relabel_configs[2].action, RelabelAction::kKeepEqual);
  EXPECT_EQ(s.relabel_configs[3].action, RelabelAction::kLabelMap);
  EXPECT_EQ(s.relabel_configs[4].action, RelabelAction::kUppercase);
  ASSERT_EQ(s.metric_relabel_configs.size(), 1u);
  EXPECT_EQ(s.metric_relabel_configs[0].action, RelabelAction::kDrop);

  const ServiceDiscoveryConfigs& sd = s.service_discovery;
  ASSERT_EQ(sd.static_configs.size(), 1u);
  EXPECT_THAT(sd.static_configs[0].targets, ElementsAre("a:1", "b:2"));
  EXPECT_THAT(sd.static_configs[0].labels, ElementsAre(Pair("env", "prod")));
  ASSERT_EQ(sd.file_sd_configs.size(), 1u);
  EXPECT_EQ(sd.file_sd_configs[0].refresh_interval, minutes(5));
  ASSERT_EQ(sd.http_sd_configs.size(), 1u);
  EXPECT_EQ(sd.http_sd_configs[0].url, "https://sd.example/targets");
  EXPECT_EQ(sd.http_sd_configs[0].refresh_interval, minutes(2));
  ASSERT_TRUE(sd.http_sd_configs[0].http_client.basic_auth.has_value());
  EXPECT_EQ(sd.http_sd_configs[0].http_client.basic_auth->password, "sdpass");
  ASSERT_EQ(sd.dns_sd_configs.size(), 3u);
  EXPECT_EQ(sd.dns_sd_configs[0].type, "SRV");
  EXPECT_EQ(sd.dns_sd_configs[0].refresh_interval, seconds(30));
  EXPECT_EQ(sd.dns_sd_configs[1].type, "A");
  EXPECT_EQ(sd.dns_sd_configs[1].port, 9100u);
  EXPECT_EQ(sd.dns_sd_configs[2].type, "ns");
  ASSERT_EQ(sd.kubernetes_sd_configs.size(), 2u);
  const KubernetesSdConfig& k = sd.kubernetes_sd_configs[0];
  EXPECT_EQ(k.role, "endpoints");
  EXPECT_EQ(k.api_server, "https://k8s:6443");
  ASSERT_TRUE(k.http_client.authorization.has_value());
  EXPECT_EQ(k.http_client.authorization->credentials_file, "/var/run/token");
  EXPECT_EQ(k.http_client.tls_config.ca_file, "k8s-ca.pem");
  EXPECT_THAT(k.namespaces.names, ElementsAre("default", "monitoring"));
  ASSERT_EQ(k.selectors.size(), 1u);
  EXPECT_EQ(k.selectors[0].role, "pod");
  EXPECT_EQ(k.selectors[0].label, "app=web");
  EXPECT_EQ(k.selectors[0].field, "status.phase=Running");
  EXPECT_TRUE(k.attach_metadata_node);
  EXPECT_TRUE(sd.kubernetes_sd_configs[1].namespaces.own_namespace);
}

TEST(ConfigParseTest, AlertingAndRemoteSections) {
  Config cfg = MustParse(kFullConfig);
  ASSERT_EQ(cfg.alerting.alert_relabel_configs.size(), 1u);
  EXPECT_EQ(cfg.alerting.alert_relabel_configs[0].action, RelabelAction::kLabelDrop);
  ASSERT_EQ(cfg.alerting.alertmanagers.size(), 1u);
  const AlertmanagerConfig& am = cfg.alerting.alertmanagers[0];
  EXPECT_EQ(am.scheme, "https");
  EXPECT_EQ(am.path_prefix, "/am");
  EXPECT_EQ(am.timeout, seconds(7));
  EXPECT_EQ(am.api_version, "v1");
  ASSERT_TRUE(am.http_client.basic_auth.has_value());
  EXPECT_EQ(am.http_client.basic_auth->password_file, "am.pass");
  EXPECT_EQ(am.relabel_configs.size(), 1u);
  EXPECT_THAT(am.service_discovery.static_configs[0].targets, ElementsAre("am1:9093", "am2:9093"));
  EXPECT_EQ(am.service_discovery.file_sd_configs[0].refresh_interval, minutes(1));

  ASSERT_EQ(cfg.remote_write.size(), 1u);
  const RemoteWriteConfig& rw = cfg.remote_write[0];
  EXPECT_EQ(rw.url, "https://rw.example/api/v1/write");
  EXPECT_EQ(rw.name, "primary");
  EXPECT_EQ(rw.remote_timeout, seconds(10));
  EXPECT_THAT(rw.headers, ElementsAre(Pair("X-Scope-OrgID", "team-a")));
  EXPECT_TRUE(rw.send_exemplars);
  EXPECT_TRUE(rw.send_native_histograms);
  ASSERT_EQ(rw.write_relabel_configs.size(), 1u);
  ASSERT_TRUE(rw.http_client.oauth2.has_value());
  EXPECT_EQ(rw.http_client.oauth2->client_id, "id");
  EXPECT_EQ(rw.http_client.oauth2->client_secret, "shh");
  EXPECT_EQ(rw.http_client.oauth2->token_url, "https://auth/token");
  EXPECT_THAT(rw.http_client.oauth2->scopes, ElementsAre("write"));
  EXPECT_THAT(rw.http_client.oauth2->endpoint_params, ElementsAre(Pair("audience", "rw")));
  const QueueConfig& q = rw.queue_config;
  EXPECT_EQ(q.capacity, 10000);
  EXPECT_EQ(q.max_shards, 50);
  EXPECT_EQ(q.min_shards, 2);
  EXPECT_EQ(q.max_samples_per_send, 2000);
  EXPECT_EQ(q.batch_send_deadline, seconds(10));
  EXPECT_EQ(q.min_backoff, milliseconds(100));
  EXPECT_EQ(q.max_backoff, seconds(10));
  EXPECT_TRUE(q.retry_on_http_429);
  EXPECT_FALSE(rw.metadata_config.send);
  EXPECT_EQ(rw.metadata_config.send_interval, minutes(2));
  EXPECT_EQ(rw.metadata_config.max_samples_per_send, 100);

  ASSERT_EQ(cfg.remote_read.size(), 1u);
  const RemoteReadConfig& rr = cfg.remote_read[0];
  EXPECT_EQ(rr.url, "https://rr.example/api/v1/read");
  EXPECT_EQ(rr.name, "archive");
  EXPECT_EQ(rr.remote_timeout, minutes(2));
  EXPECT_TRUE(rr.read_recent);
  EXPECT_FALSE(rr.filter_external_labels);
  EXPECT_THAT(rr.required_matchers, ElementsAre(Pair("env", "prod")));
  ASSERT_TRUE(rr.http_client.authorization.has_value());
  EXPECT_EQ(rr.http_client.authorization->type, "Bearer");
  EXPECT_EQ(rr.http_client.authorization->credentials, "rrtoken");
  EXPECT_TRUE(rr.http_client.bearer_token.empty());
}

TEST(ConfigDefaultsTest, EmptyConfigHasPrometheusDefaults) {
  Config cfg = MustParse("");
  EXPECT_EQ(cfg.global.scrape_interval, minutes(1));
  EXPECT_EQ(cfg.global.scrape_timeout, seconds(10));
  EXPECT_EQ(cfg.global.evaluation_interval, minutes(1));
  EXPECT_TRUE(cfg.scrape_configs.empty());
  EXPECT_EQ(ToYaml(cfg),
            "global:\n  scrape_interval: 1m\n  scrape_timeout: 10s\n  evaluation_interval: 1m\n");
}

TEST(ConfigDefaultsTest, ScrapeConfigInheritsFromGlobal) {
  Config cfg = MustParse(R"yaml(
global: {scrape_interval: 20s, sample_limit: 50, body_size_limit: 1MB}
scrape_configs:
- job_name: a
- job_name: b
  scrape_interval: 5s
  sample_limit: 3
- job_name: c
  scrape_interval: 1m
  scrape_timeout: 1m
)yaml");
  ASSERT_EQ(cfg.scrape_configs.size(), 3u);
  const ScrapeConfig& a = cfg.scrape_configs[0];
  EXPECT_EQ(a.scrape_interval, seconds(20));
  EXPECT_EQ(a.scrape_timeout, seconds(10));
  EXPECT_EQ(a.limits.sample_limit, 50u);
  EXPECT_EQ(a.limits.body_size_limit, 1 << 20);
  EXPECT_EQ(a.metrics_path, "/metrics");
  EXPECT_EQ(a.scheme, "http");
  EXPECT_TRUE(a.honor_timestamps);
  EXPECT_FALSE(a.honor_labels);
  EXPECT_TRUE(a.http_client.follow_redirects);
  EXPECT_TRUE(a.http_client.enable_http2);
  // The timeout is capped by the job's own interval.
  EXPECT_EQ(cfg.scrape_configs[1].scrape_interval, seconds(5));
  EXPECT_EQ(cfg.scrape_configs[1].scrape_timeout, seconds(5));
  EXPECT_EQ(cfg.scrape_configs[1].limits.sample_limit, 3u);
  EXPECT_EQ(cfg.scrape_configs[2].scrape_timeout, minutes(1));
}

TEST(ConfigDefaultsTest, GlobalTimeoutCappedByInterval) {
  Config cfg = MustParse("global: {scrape_interval: 4s}\n");
  EXPECT_EQ(cfg.global.scrape_timeout, seconds(4));
}

TEST(ConfigDefaultsTest, SectionDefaults) {
  Config cfg = MustParse(R"yaml(
alerting: {alertmanagers: [{static_configs: [{targets: [am:9093]}]}]}
remote_write: [{url: http://rw/}]
remote_read: [{url: http://rr/}]
scrape_configs:
- job_name: x
  relabel_configs: [{target_label: t}]
)yaml");
  const AlertmanagerConfig& am = cfg.alerting.alertmanagers[0];
  EXPECT_EQ(am.scheme, "http");
  EXPECT_EQ(am.timeout, seconds(10));
  EXPECT_EQ(am.api_version, "v2");
  const RemoteWriteConfig& rw = cfg.remote_write[0];
  EXPECT_EQ(rw.remote_timeout, seconds(30));
  EXPECT_EQ(rw.queue_config, QueueConfig{});
  EXPECT_EQ(rw.queue_config.capacity, 2500);
  EXPECT_TRUE(rw.metadata_config.send);
  EXPECT_EQ(cfg.remote_read[0].remote_timeout, minutes(1));
  EXPECT_TRUE(cfg.remote_read[0].filter_external_labels);
  const RelabelConfig& r = cfg.scrape_configs[0].relabel_configs[0];
  EXPECT_EQ(r.separator, ";");
  EXPECT_EQ(r.regex.source(), "(.*)");
  EXPECT_EQ(r.replacement, "$1");
  EXPECT_EQ(r.action, RelabelAction::kReplace);
}

TEST(RelabelRegexTest, AnchoredAndDotMatchesNewline) {
  absl::StatusOr<RelabelRegex> re = RelabelRegex::Create("a.c|x");
  ASSERT_TRUE(re.ok()) << re.status();
  EXPECT_TRUE(RE2::FullMatch("a\nc", re->re()));
  EXPECT_TRUE(RE2::PartialMatch("x", re->re()));
  EXPECT_FALSE(RE2::PartialMatch("xx", re->re()));
  EXPECT_FALSE(RE2::PartialMatch("zabc", re->re()));
  EXPECT_FALSE(RelabelRegex::Create("a(").ok());
}

TEST(ConfigToYamlTest, RoundTripsFullConfig) {
  Config cfg = MustParse(kFullConfig);
  std::string yaml = ToYaml(cfg, Secrets::kShow);
  absl::StatusOr<Config> again = Parse(yaml, "printed.yaml");
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << yaml;
  EXPECT_TRUE(*again == cfg) << yaml;
  EXPECT_EQ(ToYaml(*again, Secrets::kShow), yaml);
}

TEST(ConfigToYamlTest, HidesSecrets) {
  Config cfg = MustParse(kFullConfig);
  std::string yaml = ToYaml(cfg);
  EXPECT_THAT(yaml, ::testing::Not(HasSubstr("sdpass")));
  EXPECT_THAT(yaml, ::testing::Not(HasSubstr("shh")));
  EXPECT_THAT(yaml, ::testing::Not(HasSubstr("rrtoken")));
  EXPECT_THAT(yaml, HasSubstr("client_secret: <secret>"));
  EXPECT_THAT(yaml, HasSubstr("credentials: <secret>"));
}

TEST(ConfigToYamlTest, MatchesPrometheusLayoutForASimpleJob) {
  Config cfg = MustParse(R"yaml(
global: {scrape_interval: 15s}
scrape_configs:
- job_name: prometheus
  bearer_token: t
  static_configs: [{targets: ["localhost:9090"]}]
)yaml");
  EXPECT_EQ(ToYaml(cfg), R"yaml(global:
  scrape_interval: 15s
  scrape_timeout: 10s
  evaluation_interval: 1m
scrape_configs:
  - job_name: prometheus
    honor_timestamps: true
    scrape_interval: 15s
    scrape_timeout: 10s
    metrics_path: /metrics
    scheme: http
    authorization:
      type: Bearer
      credentials: <secret>
    follow_redirects: true
    enable_http2: true
    static_configs:
      - targets:
          - localhost:9090
)yaml");
}

using sundial::testing::TempDir;

TEST(ConfigLoadFileTest, ResolvesRelativePathsAgainstTheFilesDirectory) {
  TempDir dir;
  std::string file = dir.Write("prometheus.yaml", R"yaml(
global: {query_log_file: q.log}
rule_files: [rules/*.yaml, /abs/r.yaml]
scrape_configs:
- job_name: a
  basic_auth: {username: u, password_file: pass}
  tls_config: {ca_file: ca.pem, cert_file: /abs/c.pem, key_file: k.pem}
  file_sd_configs: [{files: [sd/*.json]}]
- job_name: b
  authorization: {credentials_file: cred}
- job_name: c
  bearer_token_file: tok
remote_write: [{url: http://rw/, oauth2: {client_id: i, client_secret_file: s, token_url: http://t/}}]
)yaml");
  absl::StatusOr<Config> cfg = LoadFile(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const std::string d = dir.path() + "/";
  EXPECT_EQ(cfg->global.query_log_file, d + "q.log");
  EXPECT_THAT(cfg->rule_files, ElementsAre(d + "rules/*.yaml", "/abs/r.yaml"));
  const ScrapeConfig& a = cfg->scrape_configs[0];
  EXPECT_EQ(a.http_client.basic_auth->password_file, d + "pass");
  EXPECT_EQ(a.http_client.tls_config.ca_file, d + "ca.pem");
  EXPECT_EQ(a.http_client.tls_config.cert_file, "/abs/c.pem");
  EXPECT_EQ(a.http_client.tls_config.key_file, d + "k.pem");
  EXPECT_THAT(a.service_discovery.file_sd_configs[0].files, ElementsAre(d + "sd/*.json"));
  EXPECT_EQ(cfg->scrape_configs[1].http_client.authorization->credentials_file, d + "cred");
  EXPECT_EQ(cfg->scrape_configs[2].http_client.authorization->credentials_file, d + "tok");
  EXPECT_EQ(cfg->remote_write[0].http_client.oauth2->client_secret_file, d + "s");
}

TEST(ConfigLoadFileTest, MissingFileIsAnError) {
  absl::StatusOr<Config> cfg = LoadFile("/nonexistent/prometheus.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_THAT(std::string(cfg.status().message()), HasSubstr("/nonexistent/prometheus.yaml"));
}

std::string SourceDir() {
  const char* dir = std::getenv("SUNDIAL_SOURCE_DIR");
  return dir ? dir : ".";
}

TEST(ConfigLoadFileTest, UserConfigLoads) {
  const std::string path = SourceDir() + "/../shared/user-configs/prometheus.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  absl::StatusOr<Config> cfg = LoadFile(path);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->global.scrape_interval, seconds(15));
  EXPECT_EQ(cfg->scrape_configs.size(), 8u);
  EXPECT_EQ(cfg->scrape_configs[1].job_name, "auth-server-rust");
  EXPECT_EQ(cfg->scrape_configs[1].service_discovery.static_configs[0].labels.at("lang"), "rust");
}

TEST(ConfigLoadFileTest, ExampleConfigLoads) {
  absl::StatusOr<Config> cfg = LoadFile(SourceDir() + "/examples/prometheus.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->global.scrape_interval, seconds(15));
  ASSERT_EQ(cfg->scrape_configs.size(), 2u);
  EXPECT_EQ(cfg->scrape_configs[0].job_name, "sundial");
  EXPECT_EQ(cfg->scrape_configs[1].job_name, "node");
  ASSERT_EQ(cfg->rule_files.size(), 1u);
  EXPECT_THAT(cfg->rule_files[0], ::testing::EndsWith("examples/rules/*.yaml"));
}

}  // namespace
}  // namespace sundial::config
