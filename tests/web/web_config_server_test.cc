// The web server under --web.config.file: HTTPS, client certificates, basic auth, response
// headers and reloading, exercised with Sundial's own HTTP client (a real TLS stack on both ends)
// and certificates made by the openssl CLI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "net/http_client.h"
#include "net/test_pki.h"
#include "net/test_server.h"
#include "web/internal/basic_auth.h"
#include "web/server_fixture.h"

namespace sundial::web {
namespace {

using net::testing::TempDir;
using ::testing::HasSubstr;

// bcrypt (cost 10) of "secret" and of "hunter2".
constexpr char kSecretHash[] = "$2y$10$7KgV/LBiDNw4UDvEdOEu1epoOqGsXFfNkeiQTFPl0b/PQu.K34L0G";
constexpr char kHunter2Hash[] = "$2y$10$U3.tKGYoyDQ1pQcmH0W80.0TCVNpeg9EEg0vKqr.rYApycdC14E6u";

std::string Message(const absl::Status& s) { return std::string(s.message()); }

class WebConfigServerTest : public testing::ServerFixture {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir();
    ASSERT_TRUE(net::testing::MakeTestPki(*pki_));
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    router_.Handle("GET", "/hello", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
      resp->Send("hello\n");
    });
  }

  std::string TlsConfig(std::string_view extra = "") {
    return "tls_server_config:\n  cert_file: " + pki_->File("server.crt") +
           "\n  key_file: " + pki_->File("server.key") + "\n" + std::string(extra);
  }

  // Starts the server with the given web config file contents.
  void StartWithWebConfig(const std::string& yaml) {
    dir_.Write("web.yml", yaml);
    ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.web_config_file = dir_.File("web.yml");
    StartServer(std::move(options));
  }

  absl::StatusOr<net::Response> Get(const std::string& scheme, net::ClientOptions opts = {},
                                    const std::string& path = "/hello") {
    opts.max_idle_conns_per_host = 0;  // every request on a new connection
    absl::StatusOr<std::unique_ptr<net::HttpClient>> c =
        net::HttpClient::Create(std::move(opts), &client_pool_);
    if (!c.ok()) return c.status();
    return (*c)->DoSync(net::Request{.url = scheme + "://127.0.0.1:" + std::to_string(port_) + path,
                                     .timeout = std::chrono::seconds(10)});
  }

  net::ClientOptions TrustingCa() {
    net::ClientOptions opts;
    opts.tls.ca_file = pki_->File("ca.crt");
    return opts;
  }
  net::ClientOptions WithClientCert() {
    net::ClientOptions opts = TrustingCa();
    opts.tls.cert_file = pki_->File("client.crt");
    opts.tls.key_file = pki_->File("client.key");
    return opts;
  }
  net::ClientOptions WithBasicAuth(std::string user, std::string password) {
    net::ClientOptions opts;
    opts.basic_auth.username = std::move(user);
    opts.basic_auth.password = std::move(password);
    return opts;
  }

  static TempDir* pki_;
  TempDir dir_;
  net::IoPool client_pool_{1};
};

TempDir* WebConfigServerTest::pki_ = nullptr;

TEST_F(WebConfigServerTest, ServesHttpsAndOnlyHttps) {
  StartWithWebConfig(TlsConfig());
  absl::StatusOr<net::Response> r = Get("https", TrustingCa());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
  EXPECT_EQ(r->body, "hello\n");

  // Plain HTTP to the TLS port gets no HTTP answer, and the server carries on.
  EXPECT_FALSE(Get("http").ok());
  // A client that does not trust our CA refuses the certificate.
  absl::StatusOr<net::Response> untrusted = Get("https");
  ASSERT_FALSE(untrusted.ok());
  EXPECT_THAT(Message(untrusted.status()), HasSubstr("certificate"));
  r = Get("https", TrustingCa());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
}

TEST_F(WebConfigServerTest, RequireAndVerifyClientCert) {
  StartWithWebConfig(
      TlsConfig("  client_auth_type: RequireAndVerifyClientCert\n"
                "  client_ca_file: " +
                pki_->File("ca.crt") + "\n"));
  EXPECT_FALSE(Get("https", TrustingCa()).ok());
  absl::StatusOr<net::Response> r = Get("https", WithClientCert());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
}

TEST_F(WebConfigServerTest, ClientAllowedSansAcceptsAListedNameOnly) {
  std::string base =
      "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " + pki_->File("ca.crt") +
      "\n  client_allowed_sans:\n";
  StartWithWebConfig(TlsConfig(base + "    - other.example\n"));
  EXPECT_FALSE(Get("https", WithClientCert()).ok());

  // Reloaded on the next connection: now the client's SAN is allowed.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a distinct mtime
  dir_.Write("web.yml", TlsConfig(base + "    - other.example\n    - client.example\n"));
  absl::StatusOr<net::Response> r = Get("https", WithClientCert());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
}

TEST_F(WebConfigServerTest, BasicAuthGuardsEveryPath) {
  StartWithWebConfig(std::string("basic_auth_users:\n  alice: ") + kSecretHash + "\n");
  for (const char* path : {"/hello", "/no-such-page"}) {
    absl::StatusOr<net::Response> r = Get("http", {}, path);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status_code, 401) << path;
    EXPECT_EQ(r->headers.Get("WWW-Authenticate"), "Basic");
    EXPECT_EQ(r->body, "Unauthorized\n");
  }
  for (auto [user, password] : {std::pair{"alice", "wrong"}, std::pair{"bob", "secret"},
                                std::pair{"alice", "Secret"}, std::pair{"", ""}}) {
    absl::StatusOr<net::Response> r = Get("http", WithBasicAuth(user, password));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status_code, 401) << user << ":" << password;
  }
  absl::StatusOr<net::Response> r = Get("http", WithBasicAuth("alice", "secret"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
  EXPECT_EQ(r->body, "hello\n");
  // Cached: the same credentials again.
  r = Get("http", WithBasicAuth("alice", "secret"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
}

TEST_F(WebConfigServerTest, ChangedUsersApplyWithoutRestartAndBadReloadsKeepTheOldOnes) {
  StartWithWebConfig(std::string("basic_auth_users:\n  alice: ") + kSecretHash + "\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir_.Write("web.yml", std::string("basic_auth_users:\n  alice: ") + kHunter2Hash + "\n");
  absl::StatusOr<net::Response> r = Get("http", WithBasicAuth("alice", "secret"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 401);
  r = Get("http", WithBasicAuth("alice", "hunter2"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  dir_.Write("web.yml", "basic_auth_users: [not, a, map\n");
  r = Get("http", WithBasicAuth("alice", "hunter2"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
}

TEST_F(WebConfigServerTest, ConfiguredHeadersOnEveryResponse) {
  StartWithWebConfig(
      "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
      "    Strict-Transport-Security: max-age=31536000\n");
  for (const char* path : {"/hello", "/missing"}) {
    absl::StatusOr<net::Response> r = Get("http", {}, path);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->headers.Get("X-Frame-Options"), "deny") << path;
    EXPECT_EQ(r->headers.Get("Strict-Transport-Security"), "max-age=31536000") << path;
  }
}

TEST_F(WebConfigServerTest, BadFilesFailCreateNamingTheProblem) {
  struct Case {
    std::string yaml;
    std::string want;
  };
  std::vector<Case> cases = {
      {"tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: " +
           pki_->File("server.key") + "\n",
       "/nonexistent.crt"},
      {"tls_server_config:\n  cert_file: " + pki_->File("server.crt") +
           "\n  key_file: " + pki_->File("client.key") + "\n",
       "does not match"},
      {TlsConfig("  cipher_suites: [TLS_NOT_A_CIPHER]\n"), "unknown cipher: TLS_NOT_A_CIPHER"},
      {TlsConfig("  curve_preferences: [CurveP999]\n"), "unknown curve: CurveP999"},
  };
  for (const Case& c : cases) {
    dir_.Write("bad.yml", c.yaml);
    ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.web_config_file = dir_.File("bad.yml");
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::Create(std::move(options), &pool_, &router_);
    ASSERT_FALSE(server.ok()) << c.yaml;
    EXPECT_THAT(Message(server.status()), HasSubstr(c.want));
  }
}

TEST_F(WebConfigServerTest, CipherSuitesAndCurvesByGoName) {
  StartWithWebConfig(
      TlsConfig("  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
                "  curve_preferences: [CurveP256, X25519]\n"));
  absl::StatusOr<net::Response> r = Get("https", TrustingCa());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
}

TEST(BcryptMatches, ComparesAgainstTheHash) {
  EXPECT_TRUE(internal::BcryptMatches("secret", kSecretHash));
  EXPECT_FALSE(internal::BcryptMatches("secret ", kSecretHash));
  EXPECT_FALSE(internal::BcryptMatches("secret", "not-a-hash"));
  EXPECT_FALSE(internal::BcryptMatches("secret", ""));
}

}  // namespace
}  // namespace sundial::web
