// HttpClient against real sockets on 127.0.0.1: keep-alive, gzip, limits, timeouts, redirects,
// auth, proxying and concurrency. TLS lives in http_client_tls_test.cc.
#include "net/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "net/test_server.h"

namespace sundial::net {
namespace {

using testing::Gzip;
using ::testing::HasSubstr;
using testing::ServerRequest;
using testing::ServerResponse;
using testing::TempDir;
using testing::TestServer;
using namespace std::chrono_literals;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// Echoes method, target and selected headers; a few paths have special behaviour.
ServerResponse Echo(const ServerRequest& req) {
  ServerResponse r;
  auto header = [&](const char* n) {
    auto it = req.headers.find(n);
    return it == req.headers.end() ? std::string("-") : it->second;
  };
  r.body = req.method + " " + req.target + " auth=" + header("authorization") +
           " ua=" + header("user-agent") + " ae=" + header("accept-encoding") + " body=" + req.body;
  r.headers.push_back({"X-Test", "yes"});
  return r;
}

class HttpClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpClient> MakeClient(ClientOptions opts = {}) {
    absl::StatusOr<std::unique_ptr<HttpClient>> c = HttpClient::Create(std::move(opts), &pool_);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *std::move(c) : nullptr;
  }
  absl::StatusOr<Response> Get(HttpClient& client, const std::string& url) {
    return client.DoSync(Request{.url = url});
  }

  IoPool pool_{2};
};

TEST_F(HttpClientTest, GetReturnsStatusHeadersAndBody) {
  TestServer server(Echo);
  auto client = MakeClient();
  absl::StatusOr<Response> r = Get(*client, server.Url("/metrics?x=1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
  EXPECT_EQ(r->status, "200 OK");
  EXPECT_EQ(r->headers.Get("x-test"), "yes");
  EXPECT_EQ(r->body, "GET /metrics?x=1 auth=- ua=Sundial/0.1.0 ae=gzip body=");
  EXPECT_TRUE(CheckHttpStatus(*r).ok());
}

TEST_F(HttpClientTest, PostSendsBodyAndCustomHeaders) {
  TestServer server([](const ServerRequest& req) {
    ServerResponse r;
    r.status = 500;
    r.body = req.headers.at("content-type") + "|" + req.headers.at("content-length") + "|" +
             req.body + "|" + req.headers.at("user-agent");
    return r;
  });
  ClientOptions opts;
  opts.user_agent = "Prometheus/2.42.0";
  auto client = MakeClient(opts);
  Request req{.method = "POST", .url = server.Url("/write"), .body = "payload"};
  req.headers.Set("Content-Type", "application/x-protobuf");
  absl::StatusOr<Response> r = client->DoSync(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "application/x-protobuf|7|payload|Prometheus/2.42.0");
  EXPECT_EQ(Message(CheckHttpStatus(*r)), "server returned HTTP status 500 Internal Server Error");
}

TEST_F(HttpClientTest, KeepAliveReusesOneConnection) {
  TestServer server(Echo);
  auto client = MakeClient();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Get(*client, server.Url("/")).ok());
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(HttpClientTest, ConnectionCloseIsNotReused) {
  TestServer server(
      [](const ServerRequest&) { return ServerResponse{.body = "x", .close = true}; });
  auto client = MakeClient();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Get(*client, server.Url("/")).ok());
  EXPECT_EQ(server.accepted(), 3);
}

TEST_F(HttpClientTest, DecodesGzipBodies) {
  const std::string text(50000, 'g');
  TestServer server([&](const ServerRequest& req) {
    ServerResponse r;
    if (req.headers.count("accept-encoding")) {
      r.body = Gzip(text);
      r.headers.push_back({"Content-Encoding", "gzip"});
    } else {
      r.body = "plain";
    }
    return r;
  });
  auto client = MakeClient();
  absl::StatusOr<Response> r = Get(*client, server.Url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, text);
  EXPECT_FALSE(r->headers.Has("Content-Encoding"));

  ClientOptions no_gzip;
  no_gzip.accept_gzip = false;
  auto plain_client = MakeClient(no_gzip);
  r = Get(*plain_client, server.Url("/"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "plain");
}

TEST_F(HttpClientTest, BodySizeLimitEnforced) {
  TestServer server([](const ServerRequest& req) {
    ServerResponse r;
    if (req.target == "/big") r.body = std::string(100000, 'b');
    if (req.target == "/small") r.body = std::string(100, 's');
    if (req.target == "/bomb") {
      r.body = Gzip(std::string(100000, '0'));
      r.headers.push_back({"Content-Encoding", "gzip"});
    }
    return r;
  });
  ClientOptions opts;
  opts.max_response_bytes = 1000;
  auto client = MakeClient(opts);
  for (const char* path : {"/big", "/bomb"}) {
    absl::StatusOr<Response> r = Get(*client, server.Url(path));
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << r.status();
    EXPECT_THAT(Message(r.status()), HasSubstr("body size limit exceeded"));
    EXPECT_THAT(Message(r.status()), HasSubstr("1000 bytes"));
  }
  absl::StatusOr<Response> r = Get(*client, server.Url("/small"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body.size(), 100u);
}

TEST_F(HttpClientTest, ConnectionClosedMidBody) {
  TestServer server([](const ServerRequest& req) {
    if (req.target == "/cut") return ServerResponse{.body = "partial", .close_mid_body = true};
    return ServerResponse{.body = "fine"};
  });
  auto client = MakeClient();
  absl::StatusOr<Response> r = Get(*client, server.Url("/cut"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r.status()), "Get \"" + server.Url("/cut") + "\": unexpected EOF");
  r = Get(*client, server.Url("/ok"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "fine");
}

// The request's 200 ms timeout is the subject; the server's answer and the client's own timeout
// are a minute away (the server's wait ends when it stops), so a stalled host cannot blur them.
TEST_F(HttpClientTest, TimeoutCancelsAndClientStaysUsable) {
  TestServer server([](const ServerRequest& req) {
    ServerResponse r{.body = "done"};
    if (req.target == "/slow") r.delay = 60s;
    return r;
  });
  ClientOptions opts;
  opts.request_timeout = 60s;
  auto client = MakeClient(opts);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<Response> r =
      client->DoSync(Request{.url = server.Url("/slow"), .timeout = 200ms});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_EQ(Message(r.status()), "Get \"" + server.Url("/slow") + "\": context deadline exceeded");
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 10s);  // the request's timeout ended it, not the server or the client's
  r = Get(*client, server.Url("/fast"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "done");
}

TEST_F(HttpClientTest, ConnectionRefused) {
  uint16_t port;
  { port = TestServer(Echo).port(); }  // bound, then closed
  auto client = MakeClient();
  absl::StatusOr<Response> r = Get(*client, "http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
  EXPECT_THAT(Message(r.status()), HasSubstr("dial tcp 127.0.0.1:" + std::to_string(port)));
}

TEST_F(HttpClientTest, InvalidRequestsFailCleanly) {
  auto client = MakeClient();
  absl::StatusOr<Response> r = Get(*client, "ftp://x/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r.status()), "Get \"ftp://x/\": unsupported protocol scheme \"ftp\"");
  Request bad{.url = "http://127.0.0.1:1/"};
  bad.headers.Set("X-Evil", "a\r\nInjected: 1");
  r = client->DoSync(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
}

ServerResponse Redirector(const ServerRequest& req) {
  ServerResponse r;
  if (req.target == "/a") {
    r.status = 302;
    r.headers.push_back({"Location", "/b"});
  } else if (req.target == "/post") {
    r.status = 303;
    r.headers.push_back({"Location", "b"});
  } else if (req.target == "/keep") {
    r.status = 307;
    r.headers.push_back({"Location", "/b"});
  } else if (req.target.starts_with("/loop")) {
    r.status = 301;
    r.headers.push_back({"Location", "/loop" + std::to_string(req.target.size())});
  } else {
    r.body = "B " + req.method + " " + req.body;
  }
  return r;
}

TEST_F(HttpClientTest, FollowsRedirects) {
  TestServer server(Redirector);
  auto client = MakeClient();
  absl::StatusOr<Response> r = Get(*client, server.Url("/a"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "B GET ");
  r = client->DoSync(Request{.method = "POST", .url = server.Url("/post"), .body = "x"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "B GET ");
  r = client->DoSync(Request{.method = "POST", .url = server.Url("/keep"), .body = "x"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "B POST x");
  r = Get(*client, server.Url("/loop"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(Message(r.status()), HasSubstr("stopped after 10 redirects"));
}

TEST_F(HttpClientTest, RedirectsNotFollowedWhenDisabled) {
  TestServer server(Redirector);
  ClientOptions opts;
  opts.follow_redirects = false;
  auto client = MakeClient(opts);
  absl::StatusOr<Response> r = Get(*client, server.Url("/a"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 302);
  EXPECT_EQ(r->headers.Get("location"), "/b");
}

TEST_F(HttpClientTest, BasicAuth) {
  TestServer server([](const ServerRequest& req) {
    auto it = req.headers.find("authorization");
    // "user:pass" base64
    if (it != req.headers.end() && it->second == "Basic dXNlcjpwYXNz") return ServerResponse{};
    return ServerResponse{.status = 401};
  });
  ClientOptions opts;
  opts.basic_auth.username = "user";
  opts.basic_auth.password = "pass";
  absl::StatusOr<Response> r = Get(*MakeClient(opts), server.Url("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status_code, 200);
  r = Get(*MakeClient(), server.Url("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status_code, 401);

  TempDir dir;
  dir.Write("pw", "pass\n");
  ClientOptions file_opts;
  file_opts.basic_auth.username = "user";
  file_opts.basic_auth.password_file = dir.File("pw");
  r = Get(*MakeClient(file_opts), server.Url("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status_code, 200);
}

TEST_F(HttpClientTest, BearerCredentialsFileIsReread) {
  TestServer server(Echo);
  TempDir dir;
  dir.Write("token", "tok1\n");
  ClientOptions opts;
  opts.authorization.credentials_file = dir.File("token");
  auto client = MakeClient(opts);
  absl::StatusOr<Response> r = Get(*client, server.Url("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->body, HasSubstr("auth=Bearer tok1 "));
  dir.Write("token", "rotated-token-2");
  r = Get(*client, server.Url("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->body, HasSubstr("auth=Bearer rotated-token-2 "));

  ClientOptions custom;
  custom.authorization.type = "Token";
  custom.authorization.credentials = "abc";
  r = Get(*MakeClient(custom), server.Url("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->body, HasSubstr("auth=Token abc "));
}

TEST_F(HttpClientTest, CreateRejectsBadOptions) {
  auto error = [&](ClientOptions opts) {
    absl::StatusOr<std::unique_ptr<HttpClient>> c = HttpClient::Create(std::move(opts), &pool_);
    return c.ok() ? std::string("ok") : Message(c.status());
  };
  ClientOptions missing;
  missing.authorization.credentials_file = "/nonexistent/sundial-token";
  EXPECT_EQ(error(missing),
            "unable to read authorization credentials file \"/nonexistent/sundial-token\": No "
            "such file or directory");
  ClientOptions both;
  both.basic_auth.username = "u";
  both.authorization.credentials = "c";
  EXPECT_THAT(error(both), HasSubstr("at most one of basic_auth"));
  ClientOptions basic_type;
  basic_type.authorization.type = "Basic";
  basic_type.authorization.credentials = "c";
  EXPECT_THAT(error(basic_type), HasSubstr("use \"basic_auth\" instead"));
  ClientOptions bad_proxy;
  bad_proxy.proxy_url = "socks5://x:1080";
  EXPECT_THAT(error(bad_proxy), HasSubstr("invalid proxy_url"));
  ClientOptions bad_tls;
  bad_tls.tls.min_version = "TLS99";
  EXPECT_EQ(error(bad_tls), "unknown TLS version: TLS99");
}

TEST_F(HttpClientTest, HttpProxy) {
  TestServer target(Echo);
  TestServer proxy(nullptr, nullptr, TestServer::Mode::kForwardProxy);
  ClientOptions opts;
  opts.proxy_url = "http://pu:pp@127.0.0.1:" + std::to_string(proxy.port());
  auto client = MakeClient(opts);
  absl::StatusOr<Response> r = Get(*client, target.Url("/via?proxy=1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->body, HasSubstr("GET /via?proxy=1 "));
  ASSERT_EQ(proxy.proxied().size(), 1u);
  EXPECT_EQ(proxy.proxied()[0], target.Url("/via?proxy=1"));
  EXPECT_EQ(proxy.proxy_authorization(), "Basic cHU6cHA=");
}

TEST_F(HttpClientTest, ConcurrentRequestsFromManyThreads) {
  TestServer server(Echo);
  auto client = MakeClient();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        absl::StatusOr<Response> r = Get(*client, server.Url(path));
        if (r.ok() && r->body.starts_with("GET " + path + " ")) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_LE(server.accepted(), 8 + 8);  // connections were reused
}

TEST_F(HttpClientTest, AsyncDoCallsBackOnPoolThread) {
  TestServer server(Echo);
  auto client = MakeClient();
  constexpr int kRequests = 50;
  std::latch done(kRequests);
  std::atomic<int> ok{0};
  const auto caller = std::this_thread::get_id();
  for (int i = 0; i < kRequests; ++i) {
    client->Do(Request{.url = server.Url("/" + std::to_string(i))},
               [&, i](absl::StatusOr<Response> r) {
                 if (r.ok() && r->body.starts_with("GET /" + std::to_string(i) + " ") &&
                     std::this_thread::get_id() != caller) {
                   ++ok;
                 }
                 done.count_down();
               });
  }
  done.wait();
  EXPECT_EQ(ok.load(), kRequests);
}

}  // namespace
}  // namespace sundial::net
