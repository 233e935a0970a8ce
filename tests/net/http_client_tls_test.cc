// HttpClient over TLS against an in-test HTTPS server whose CA, server and client certificates
// are made at test time with the openssl CLI (net/test_pki.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "net/http_client.h"
#include "net/test_pki.h"
#include "net/test_server.h"

namespace sundial::net {
namespace {

using ::testing::HasSubstr;
using testing::ServerRequest;
using testing::ServerResponse;
using testing::ServerTls;
using testing::TempDir;
using testing::TestServer;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ServerResponse WhoAmI(const ServerRequest& req) {
  return ServerResponse{.body = req.has_client_cert ? "client-cert" : "anonymous"};
}

class HttpClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_TRUE(testing::MakeTestPki(*dir_));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string File(const char* name) { return dir_->File(name); }

  absl::StatusOr<Response> Get(ClientOptions opts, const std::string& url) {
    absl::StatusOr<std::unique_ptr<HttpClient>> c = HttpClient::Create(std::move(opts), &pool_);
    if (!c.ok()) return c.status();
    return (*c)->DoSync(Request{.url = url, .timeout = std::chrono::seconds(10)});
  }
  ServerTls ServerConfig(bool require_client_cert = false) {
    return ServerTls{.cert_file = File("server.crt"),
                     .key_file = File("server.key"),
                     .client_ca_file = require_client_cert ? File("ca.crt") : ""};
  }

  static TempDir* dir_;
  IoPool pool_{2};
};

TempDir* HttpClientTlsTest::dir_ = nullptr;

TEST_F(HttpClientTlsTest, VerifiesWithCaFileAndInlineCa) {
  ServerTls tls = ServerConfig();
  TestServer server(WhoAmI, &tls);
  ClientOptions opts;
  opts.tls.ca_file = File("ca.crt");
  absl::StatusOr<Response> r = Get(opts, server.Url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "anonymous");

  ClientOptions inline_ca;
  inline_ca.tls.ca = ReadAll(File("ca.crt"));
  r = Get(inline_ca, "https://localhost:" + std::to_string(server.port()) + "/");
  ASSERT_TRUE(r.ok()) << r.status();
}

TEST_F(HttpClientTlsTest, FailsWithoutTrustedCa) {
  ServerTls tls = ServerConfig();
  TestServer server(WhoAmI, &tls);
  absl::StatusOr<Response> r = Get(ClientOptions{}, server.Url("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(Message(r.status()),
              HasSubstr("Get \"" + server.Url("/") + "\": tls: failed to verify certificate"));
}

TEST_F(HttpClientTlsTest, InsecureSkipVerify) {
  ServerTls tls = ServerConfig();
  TestServer server(WhoAmI, &tls);
  ClientOptions opts;
  opts.tls.insecure_skip_verify = true;
  absl::StatusOr<Response> r = Get(opts, server.Url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
}

TEST_F(HttpClientTlsTest, ServerNameIsVerified) {
  ServerTls tls = ServerConfig();
  TestServer server(WhoAmI, &tls);
  ClientOptions opts;
  opts.tls.ca_file = File("ca.crt");
  opts.tls.server_name = "other.example";
  absl::StatusOr<Response> r = Get(opts, server.Url("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(Message(r.status()), HasSubstr("tls: failed to verify certificate: hostname"));
  opts.tls.server_name = "localhost";
  r = Get(opts, server.Url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
}

TEST_F(HttpClientTlsTest, ClientCertificate) {
  ServerTls tls = ServerConfig(/*require_client_cert=*/true);
  TestServer server(WhoAmI, &tls);
  ClientOptions opts;
  opts.tls.ca_file = File("ca.crt");
  EXPECT_FALSE(Get(opts, server.Url("/")).ok());
  opts.tls.cert_file = File("client.crt");
  opts.tls.key_file = File("client.key");
  absl::StatusOr<Response> r = Get(opts, server.Url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "client-cert");
}

TEST_F(HttpClientTlsTest, BadTlsFilesFailAtCreate) {
  ClientOptions missing;
  missing.tls.ca_file = "/nonexistent/ca.crt";
  absl::StatusOr<std::unique_ptr<HttpClient>> c = HttpClient::Create(missing, &pool_);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(Message(c.status()), HasSubstr("unable to read CA file \"/nonexistent/ca.crt\""));
  ClientOptions cert_only;
  cert_only.tls.cert_file = File("client.crt");
  EXPECT_FALSE(HttpClient::Create(cert_only, &pool_).ok());
  ClientOptions garbage;
  garbage.tls.ca = "not a certificate";
  EXPECT_FALSE(HttpClient::Create(garbage, &pool_).ok());
}

TEST_F(HttpClientTlsTest, HttpsThroughConnectProxy) {
  ServerTls tls = ServerConfig();
  TestServer server(WhoAmI, &tls);
  TestServer proxy(nullptr, nullptr, TestServer::Mode::kForwardProxy);
  ClientOptions opts;
  opts.tls.ca_file = File("ca.crt");
  opts.proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  absl::StatusOr<Response> r = Get(opts, server.Url("/tunnel"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "anonymous");
  ASSERT_EQ(proxy.proxied().size(), 1u);
  EXPECT_EQ(proxy.proxied()[0], "CONNECT 127.0.0.1:" + std::to_string(server.port()));
}

}  // namespace
}  // namespace sundial::net
