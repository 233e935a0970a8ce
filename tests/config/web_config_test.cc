#include "config/web_config.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(WebConfigTest, ParsesEveryField) {
  absl::StatusOr<WebConfig> web = ParseWebConfig(R"yaml(
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  client_allowed_sans: [client.example]
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_AES_128_GCM_SHA256]
  prefer_server_cipher_suites: false
  curve_preferences: [X25519]
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: $2y$10$abcdefghijklmnopqrstuv
)yaml",
                                                 "web.yaml");
  ASSERT_TRUE(web.ok()) << web.status();
  ASSERT_TRUE(web->tls_server_config.has_value());
  const TlsServerConfig& tls = *web->tls_server_config;
  EXPECT_EQ(tls.cert_file, "server.crt");
  EXPECT_EQ(tls.key_file, "server.key");
  EXPECT_EQ(tls.client_auth_type, "RequireAndVerifyClientCert");
  EXPECT_EQ(tls.client_ca_file, "ca.crt");
  EXPECT_THAT(tls.client_allowed_sans, ElementsAre("client.example"));
  EXPECT_EQ(tls.min_version, "TLS13");
  EXPECT_EQ(tls.max_version, "TLS13");
  EXPECT_THAT(tls.cipher_suites, ElementsAre("TLS_AES_128_GCM_SHA256"));
  EXPECT_FALSE(tls.prefer_server_cipher_suites);
  EXPECT_THAT(tls.curve_preferences, ElementsAre("X25519"));
  EXPECT_FALSE(web->http_server_config.http2);
  EXPECT_THAT(web->http_server_config.headers,
              ElementsAre(Pair("Strict-Transport-Security", "max-age=31536000"),
                          Pair("X-Frame-Options", "deny")));
  EXPECT_THAT(web->basic_auth_users, ElementsAre(Pair("alice", "$2y$10$abcdefghijklmnopqrstuv")));
}

TEST(WebConfigTest, EmptyFileMeansPlainHttpWithDefaults) {
  absl::StatusOr<WebConfig> web = ParseWebConfig("", "web.yaml");
  ASSERT_TRUE(web.ok()) << web.status();
  EXPECT_FALSE(web->tls_server_config.has_value());
  EXPECT_TRUE(web->http_server_config.http2);
  EXPECT_TRUE(web->basic_auth_users.empty());
}

TEST(WebConfigTest, TlsDefaults) {
  absl::StatusOr<WebConfig> web =
      ParseWebConfig("tls_server_config: {cert_file: a, key_file: b}\n", "web.yaml");
  ASSERT_TRUE(web.ok()) << web.status();
  EXPECT_EQ(web->tls_server_config->client_auth_type, "NoClientCert");
  EXPECT_EQ(web->tls_server_config->min_version, "TLS12");
}

TEST(WebConfigTest, RejectsBadConfigs) {
  const struct {
    const char* yaml;
    const char* message;
  } kCases[] = {
      {"tls_server_config: {key_file: b}\n", "web.yaml:1: missing cert_file"},
      {"tls_server_config: {cert_file: a}\n", "web.yaml:1: missing key_file"},
      {"tls_server_config: {cert_file: a, key_file: b, client_auth_type: Maybe}\n",
       "invalid ClientAuth: Maybe"},
      {"tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}\n",
       "Client CA's have been configured without a Client Auth Policy"},
      {"tls_server_config: {cert_file: a, key_file: b, min_version: SSL3}\n",
       "unknown TLS version: SSL3"},
      {"http_server_config: {headers: {Server: x}}\n",
       "HTTP header \"Server\" can not be configured"},
      {"http_server_config: {headers: {X-Frame-Options: allow}}\n",
       "invalid value for X-Frame-Options"},
      {"basic_auth_users: [a]\n", "cannot unmarshal !!seq into map[string]string"},
      {"\nbogus: 1\n", "web.yaml:2: field bogus not found in type web_config"},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<WebConfig> web = ParseWebConfig(c.yaml, "web.yaml");
    ASSERT_FALSE(web.ok()) << c.yaml;
    EXPECT_THAT(std::string(web.status().message()), HasSubstr(c.message)) << c.yaml;
  }
}

TEST(WebConfigTest, LoadFileResolvesRelativePaths) {
  std::string pattern = (std::filesystem::temp_directory_path() / "sundial_web_XXXXXX").string();
  const std::string dir = mkdtemp(pattern.data());
  const std::string file = dir + "/web.yml";
  std::ofstream(file) << "tls_server_config: {cert_file: c.crt, key_file: /abs/k.key}\n";
  absl::StatusOr<WebConfig> web = LoadWebConfigFile(file);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(web.ok()) << web.status();
  EXPECT_EQ(web->tls_server_config->cert_file, dir + "/c.crt");
  EXPECT_EQ(web->tls_server_config->key_file, "/abs/k.key");
  EXPECT_FALSE(LoadWebConfigFile(dir + "/missing.yml").ok());
}

}  // namespace
}  // namespace sundial::config
