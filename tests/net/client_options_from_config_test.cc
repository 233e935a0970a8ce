#include "net/client_options_from_config.h"

#include <fstream>

#include "gtest/gtest.h"
#include "net/test_server.h"

namespace sundial::net {
namespace {

using namespace std::chrono_literals;

TEST(ClientOptionsFromConfigTest, MapsEveryField) {
  config::HttpClientConfig c;
  c.tls_config.ca_file = "/ca.pem";
  c.tls_config.cert_file = "/c.pem";
  c.tls_config.key_file = "/k.pem";
  c.tls_config.server_name = "sni";
  c.tls_config.insecure_skip_verify = true;
  c.tls_config.min_version = "TLS13";
  c.basic_auth.emplace();
  c.basic_auth->username = "u";
  c.basic_auth->password_file = "/pw";
  c.proxy.proxy_url = "http://proxy:3128";
  c.follow_redirects = false;
  absl::StatusOr<ClientOptions> o = ClientOptionsFromConfig(c, 7s);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->tls.ca_file, "/ca.pem");
  EXPECT_EQ(o->tls.cert_file, "/c.pem");
  EXPECT_EQ(o->tls.key_file, "/k.pem");
  EXPECT_EQ(o->tls.server_name, "sni");
  EXPECT_TRUE(o->tls.insecure_skip_verify);
  EXPECT_EQ(o->tls.min_version, "TLS13");
  EXPECT_EQ(o->basic_auth.username, "u");
  EXPECT_EQ(o->basic_auth.password_file, "/pw");
  EXPECT_EQ(o->proxy_url, "http://proxy:3128");
  EXPECT_FALSE(o->follow_redirects);
  EXPECT_EQ(o->request_timeout, 7s);
}

TEST(ClientOptionsFromConfigTest, AuthorizationAndBearerToken) {
  config::HttpClientConfig c;
  c.authorization.emplace();
  c.authorization->type = "Token";
  c.authorization->credentials_file = "/tok";
  absl::StatusOr<ClientOptions> o = ClientOptionsFromConfig(c, 0ms);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->authorization.type, "Token");
  EXPECT_EQ(o->authorization.credentials_file, "/tok");

  config::HttpClientConfig bearer;
  bearer.bearer_token = "secret";
  o = ClientOptionsFromConfig(bearer, 0ms);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->authorization.type, "Bearer");
  EXPECT_EQ(o->authorization.credentials, "secret");
}

TEST(ClientOptionsFromConfigTest, UsernameFileIsRead) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/user";
  std::ofstream(path) << "  alice\n";
  config::HttpClientConfig c;
  c.basic_auth.emplace();
  c.basic_auth->username_file = path;
  c.basic_auth->password = "p";
  absl::StatusOr<ClientOptions> o = ClientOptionsFromConfig(c, 0ms);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->basic_auth.username, "alice");
  c.basic_auth->username_file = dir.path() + "/missing";
  EXPECT_FALSE(ClientOptionsFromConfig(c, 0ms).ok());
}

TEST(ClientOptionsFromConfigTest, UnsupportedOptionsAreErrors) {
  config::HttpClientConfig c;
  c.oauth2.emplace();
  c.oauth2->client_id = "x";
  EXPECT_EQ(ClientOptionsFromConfig(c, 0ms).status().code(), absl::StatusCode::kUnimplemented);
  config::HttpClientConfig p;
  p.proxy.proxy_from_environment = true;
  EXPECT_EQ(ClientOptionsFromConfig(p, 0ms).status().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace sundial::net
