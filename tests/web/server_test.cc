#include "web/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "base/str_cat.h"
#include "testing/wait_until.h"
#include "web/server_fixture.h"

namespace sundial::web::testing {
namespace {

using sundial::testing::WaitUntil;

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;

class ServerTest : public ServerFixture {};

std::string Get(std::string_view target, std::string_view extra = "") {
  return StrCat("GET ", target, " HTTP/1.1\r\nHost: t\r\n", extra, "\r\n");
}

TEST_F(ServerTest, RoutesWithPathParams404And405) {
  router_.Get("/api/v1/label/{name}/values",
              [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
                resp->SendText(200, std::string(req.PathParam("name")));
              });
  StartServer();

  std::optional<TestResponse> r = Fetch(port_, "GET", "/api/v1/label/job/values");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "job");
  EXPECT_EQ(r->Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(r->Header("date").empty());

  r = Fetch(port_, "GET", "/api/v1/label/a%20b%2Fc/values");  // the path is decoded
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);

  r = Fetch(port_, "GET", "/api/v1/label/a%20b/values");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "a b");

  r = Fetch(port_, "GET", "/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "404 page not found\n");

  r = Fetch(port_, "POST", "/api/v1/label/job/values");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("allow"), "GET, HEAD, OPTIONS");

  r = Fetch(port_, "OPTIONS", "/api/v1/label/job/values", "Origin: http://x\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(r->Header("access-control-allow-origin"), "*");

  r = Fetch(port_, "HEAD", "/api/v1/label/job/values");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-length"), "3");
  EXPECT_EQ(r->body, "");

  r = Fetch(port_, "GET", "/bad%zz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerTest, RoutePrefixAndRootRedirects) {
  router_.Get("/api/v1/x", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    resp->SendText(200, req.path);
  });
  ServerOptions opts;
  opts.route_prefix = "/prom/";
  StartServer(opts);

  std::optional<TestResponse> r = Fetch(port_, "GET", "/prom/api/v1/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "/api/v1/x");

  r = Fetch(port_, "GET", "/api/v1/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = Fetch(port_, "GET", "/promx/api/v1/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);

  r = Fetch(port_, "GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->Header("location"), "/prom");

  r = Fetch(port_, "GET", "/prom/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->Header("location"), "/prom/graph");
}

TEST_F(ServerTest, RootRedirectFollowsExternalUrl) {
  ServerOptions opts;
  opts.external_url = "http://example.com:9090/monitoring/";
  StartServer(opts);
  std::optional<TestResponse> r = Fetch(port_, "GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->Header("location"), "/monitoring/graph");
}

TEST_F(ServerTest, QueryAndFormParameters) {
  router_.Handle("POST", "/p", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    std::string out;
    for (const std::string& m : req.Params("match[]")) StrAppend(&out, m, "|");
    StrAppend(&out, "q=", req.Param("q"), " raw=", req.raw_query);
    resp->SendText(200, out);
  });
  router_.Get("/p", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    std::string out;
    for (const std::string& m : req.Params("match[]")) StrAppend(&out, m, "|");
    StrAppend(&out, "q=", req.Param("q"), " has_x=", req.HasParam("x") ? "1" : "0");
    resp->SendText(200, out);
  });
  StartServer();

  std::optional<TestResponse> r =
      Fetch(port_, "GET", "/p?match[]=up&match%5B%5D=a%2Bb&match[]=x+y&q=%7Bjob%3D%22a%22%7D&x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "up|a+b|x y|q={job=\"a\"} has_x=1");

  r = Fetch(port_, "POST", "/p?match[]=fromquery",
            "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n",
            "match[]=frombody&q=rate(x%5B5m%5D)");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "frombody|fromquery|q=rate(x[5m]) raw=match[]=fromquery");

  r = Fetch(port_, "POST", "/p", "Content-Type: application/json\r\n", "q=notaform");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "q= raw=");
}

// A request is parsed from what has arrived when it is all there, and read on when it is not:
// a header cut in two, a body that follows its header later, and a whole request in one write
// behind them on the same connection.
TEST_F(ServerTest, RequestsArrivingInPiecesOrWholeAreReadAlike) {
  router_.Handle("POST", "/echo", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    resp->SendText(200, StrCat(req.method, " ", req.body));
  });
  router_.Get("/echo", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    resp->SendText(200, StrCat(req.method, " ", req.Param("q")));
  });
  StartServer();
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send("GET /echo?q=split HTTP/1.1\r\nHo"));
  std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(conn.Send("st: t\r\n\r\n"));
  std::optional<TestResponse> r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET split");

  ASSERT_TRUE(conn.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\nbody"));
  std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(conn.Send(" late"));
  r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST body late");

  ASSERT_TRUE(conn.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nwhole"));
  r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST whole");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::atomic<int> hits{0};
  router_.Get("/n", [&](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    resp->SendText(200, StrCat(++hits, " ", req.remote_address.substr(0, 10)));
  });
  StartServer();
  TestConnection conn(port_);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(conn.Send(Get("/n")));
    std::optional<TestResponse> r = conn.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, StrCat(i, " 127.0.0.1:"));
    EXPECT_EQ(r->Header("connection"), "");
  }
  ASSERT_TRUE(conn.Send(Get("/n", "Connection: close\r\n")));
  std::optional<TestResponse> r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(conn.WaitClosed(30000));
}

// Bytes the client sent after its "Connection: close" request are drained, not answered with a
// reset that could destroy the response in flight.
TEST_F(ServerTest, InputAfterAClosingRequestDoesNotCutItsResponse) {
  // Larger than the socket buffers: much of it is still in the server's send buffer when the
  // response is done, and a reset would drop it.
  const std::string big(16 << 20, 'x');
  router_.Get("/big", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, big);
  });
  StartServer();
  for (int i = 0; i < 3; ++i) {
    TestConnection conn(port_);
    ASSERT_TRUE(conn.Send(Get("/big", "Connection: close\r\n")));
    // More input once the server has read the request, then the client reads late.
    std::this_thread::sleep_for(milliseconds(50));
    ASSERT_TRUE(conn.Send(Get("/big")));
    std::this_thread::sleep_for(milliseconds(200));
    std::optional<TestResponse> r = conn.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body.size(), big.size());
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(conn.WaitClosed(30000));
  }
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  router_.Get("/echo", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    if (req.Param("i") == "1") std::this_thread::sleep_for(milliseconds(50));
    resp->SendText(200, std::string(req.Param("i")));
  });
  router_.Handle("POST", "/echo", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    resp->SendText(200, req.body);
  });
  StartServer();
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send(Get("/echo?i=1") +
                        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc" +
                        Get("/echo?i=3")));
  for (std::string want : {"1", "abc", "3"}) {
    std::optional<TestResponse> r = conn.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, want);
  }
}

TEST_F(ServerTest, GzipWhenAcceptedAndAllowed) {
  std::string big;
  for (int i = 0; i < 20000; ++i) StrAppend(&big, "{\"metric\":", i, "},");
  router_.Get("/big", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SetContentType("application/json");
    resp->Send(big);
  });
  router_.Get("/raw", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->DisableCompression();
    resp->Send(big);
  });
  StartServer();

  std::optional<TestResponse> r = Fetch(port_, "GET", "/big", "Accept-Encoding: gzip, br\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-encoding"), "gzip");
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_LT(r->body.size(), big.size() / 4);
  EXPECT_EQ(Gunzip(r->body), big);

  r = Fetch(port_, "GET", "/big");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-encoding"), "");
  EXPECT_EQ(r->body, big);

  r = Fetch(port_, "GET", "/big", "Accept-Encoding: gzip;q=0\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, big);

  r = Fetch(port_, "GET", "/raw", "Accept-Encoding: gzip\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-encoding"), "");
  EXPECT_EQ(r->body, big);
}

TEST_F(ServerTest, BodyOverLimitIs413AndHeadersOverLimitAre431) {
  router_.Handle("POST", "/up", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    resp->SendText(200, StrCat(req.body.size()));
  });
  ServerOptions opts;
  opts.max_body_bytes = 1000;
  opts.max_header_bytes = 2000;
  StartServer(opts);

  std::optional<TestResponse> r = Fetch(port_, "POST", "/up", "", std::string(1000, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1000");

  r = Fetch(port_, "POST", "/up", "", std::string(5000, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);

  TestConnection chunked(port_);
  ASSERT_TRUE(
      chunked.Send("POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "3e8\r\n" +
                   std::string(1000, 'y') + "\r\n10\r\n" + std::string(16, 'z') + "\r\n0\r\n\r\n"));
  r = chunked.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);

  r = Fetch(port_, "GET", "/up", StrCat("X-Big: ", std::string(3000, 'h'), "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);

  TestConnection garbage(port_);
  ASSERT_TRUE(garbage.Send("NOT HTTP AT ALL\r\n\r\n"));
  r = garbage.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  router_.Handle("POST", "/up", [](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    resp->SendText(200, StrCat(req.body.size()));
  });
  StartServer();
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send(
      "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  std::optional<TestResponse> r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 100);
  ASSERT_TRUE(conn.Send("hello"));
  r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "5");
}

TEST_F(ServerTest, SlowlorisIsDroppedWithoutDelayingOthers) {
  router_.Get("/ok", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "ok");
  });
  constexpr auto kReadTimeout = milliseconds(1000);
  ServerOptions opts;
  opts.read_timeout = kReadTimeout;
  StartServer(opts);

  // Each slow connection's read timeout starts after `start`, when the server accepts it.
  auto start = steady_clock::now();
  std::vector<std::unique_ptr<TestConnection>> slow;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(std::make_unique<TestConnection>(port_));
    ASSERT_TRUE(slow.back()->Send("GET /ok HTTP/1.1\r\nHost: t\r\nX-Slow:"));
  }
  std::optional<TestResponse> r = Fetch(port_, "GET", "/ok");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
  // Answered before any slow connection could time out: it did not wait behind them.
  EXPECT_LT(steady_clock::now() - start, kReadTimeout);

  for (auto& conn : slow) EXPECT_TRUE(conn->WaitClosed(30000));
  EXPECT_GE(steady_clock::now() - start, kReadTimeout);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  router_.Get("/ok", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "ok");
  });
  ServerOptions opts;
  opts.idle_timeout = milliseconds(300);
  StartServer(opts);
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send(Get("/ok")));
  ASSERT_TRUE(conn.Read());
  EXPECT_TRUE(conn.WaitClosed(30000));
}

TEST_F(ServerTest, ManyConcurrentConnections) {
  std::atomic<int> hits{0};
  router_.Get("/n", [&](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    ++hits;
    resp->SendText(200, std::string(req.Param("c")));
  });
  StartServer();
  constexpr int kClients = 64;
  constexpr int kRequests = 10;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      TestConnection conn(port_);
      for (int i = 0; i < kRequests; ++i) {
        if (!conn.Send(Get(StrCat("/n?c=", c)))) return;
        std::optional<TestResponse> r = conn.Read();
        if (r && r->body == StrCat(c)) ++good;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(good, kClients * kRequests);
  EXPECT_EQ(hits, kClients * kRequests);
}

TEST_F(ServerTest, MaxConnectionsQueuesFurtherConnections) {
  router_.Get("/ok", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "ok");
  });
  ServerOptions opts;
  opts.max_connections = 2;
  StartServer(opts);
  auto first = std::make_unique<TestConnection>(port_);
  TestConnection second(port_);
  ASSERT_TRUE(second.Send(Get("/ok")));
  ASSERT_TRUE(second.Read());  // both accepted

  TestConnection third(port_);  // sits in the backlog
  ASSERT_TRUE(third.Send(Get("/ok")));
  EXPECT_FALSE(third.WaitClosed(300));  // no answer (and no close) yet
  first.reset();
  std::optional<TestResponse> r = third.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");
}

TEST_F(ServerTest, HandlerExceptionIs500AndConnectionSurvives) {
  router_.Get("/throw", [](const HttpRequest&, std::shared_ptr<Responder>) {
    throw std::runtime_error("boom");
  });
  router_.Get("/forget", [](const HttpRequest&, std::shared_ptr<Responder>) {});
  router_.Get("/ok", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "ok");
  });
  StartServer();
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send(Get("/throw")));
  std::optional<TestResponse> r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  ASSERT_TRUE(conn.Send(Get("/forget")));
  r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  ASSERT_TRUE(conn.Send(Get("/ok")));
  r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, AsyncCompletionFromAnotherThread) {
  std::mutex mu;
  std::vector<std::thread> workers;
  router_.Get("/later", [&](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    std::string who(req.Param("who"));
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([resp, who] {
      std::this_thread::sleep_for(milliseconds(50));
      resp->SetHeader("X-Worker", "yes");
      resp->SendText(201, "hello " + who);
    });
  });
  StartServer();
  TestConnection conn(port_);
  for (std::string who : {"a", "b"}) {
    ASSERT_TRUE(conn.Send(Get("/later?who=" + who)));
    std::optional<TestResponse> r = conn.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->Header("x-worker"), "yes");
    EXPECT_EQ(r->body, "hello " + who);
  }
  std::lock_guard<std::mutex> lock(mu);
  for (std::thread& t : workers) t.join();
}

// A closing response written whole from a worker thread ends there: the client sees EOF even
// while every io thread is busy, instead of waiting for one to close the connection.
TEST_F(ServerTest, ClosingResponseFromAnotherThreadEndsWithoutAnIoThread) {
  std::promise<void> handled;
  std::atomic<bool> io_busy{false}, release{false};
  std::atomic<int> blocked{0};
  std::thread worker;
  auto wait_for = [](const std::atomic<bool>& flag) {
    while (!flag.load()) std::this_thread::sleep_for(milliseconds(1));
  };
  router_.Get("/x", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    worker = std::thread([&, resp] {
      wait_for(io_busy);
      resp->SendText(200, "done");
    });
    handled.set_value();
  });
  StartServer();
  // Whatever fails below, the worker and the io threads are let go.
  struct LetGo {
    std::atomic<bool>& io_busy;
    std::atomic<bool>& release;
    std::atomic<int>& blocked;
    std::thread& worker;
    ~LetGo() {
      io_busy = true;
      release = true;
      while (blocked.load() > 0) std::this_thread::sleep_for(milliseconds(1));
      if (worker.joinable()) worker.join();
    }
  } let_go{io_busy, release, blocked, worker};
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send(Get("/x", "Connection: close\r\n")));
  ASSERT_EQ(handled.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  for (int i = 0; i < pool_.threads(); ++i) {
    boost::asio::post(pool_.context(), [&] {
      ++blocked;
      wait_for(release);
      --blocked;
    });
  }
  while (blocked.load() < pool_.threads()) std::this_thread::sleep_for(milliseconds(1));
  io_busy = true;
  std::optional<TestResponse> r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "done");
  EXPECT_TRUE(conn.WaitClosed(30000));
}

// Responses written from a worker thread (sent there when the socket takes them) keep the
// order of pipelined requests, are observed before the client has them, and the connection
// still closes after "Connection: close".
TEST_F(ServerTest, PipelinedResponsesFromAnotherThreadThenClose) {
  std::mutex mu;
  std::vector<std::thread> workers;
  std::atomic<int> observed{0};
  ServerOptions opts;
  opts.observer = [&](std::string_view, int, std::chrono::nanoseconds) { ++observed; };
  router_.Get("/later", [&](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    std::string i(req.Param("i"));
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([resp, i] {
      std::this_thread::sleep_for(milliseconds(i == "1" ? 50 : 0));
      if (i == "2") {  // streamed: header, body and end written separately
        resp->Write("part one, ");
        resp->Write("part two");
        resp->Finish();
      } else {
        resp->SendText(200, "answer " + i);
      }
    });
  });
  StartServer(opts);
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send(Get("/later?i=1") + Get("/later?i=2") +
                        Get("/later?i=3", "Connection: close\r\n")));
  int responses = 0;
  for (std::string want : {"answer 1", "part one, part two", "answer 3"}) {
    std::optional<TestResponse> r = conn.Read();
    ASSERT_TRUE(r) << want;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, want);
    EXPECT_GE(observed.load(), ++responses);
  }
  EXPECT_TRUE(conn.WaitClosed(30000));
  std::lock_guard<std::mutex> lock(mu);
  for (std::thread& t : workers) t.join();
}

TEST_F(ServerTest, CorsOnApiResponses) {
  router_.Get("/api/v1/q", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "{}");
  });
  router_.Get("/graph", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "ui");
  });
  ServerOptions opts;
  opts.cors_origin = R"(https?://good\.example)";
  StartServer(opts);

  std::optional<TestResponse> r =
      Fetch(port_, "GET", "/api/v1/q", "Origin: https://good.example\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("access-control-allow-origin"), "https://good.example");
  EXPECT_EQ(r->Header("vary"), "Origin");
  EXPECT_EQ(r->Header("access-control-allow-methods"), "GET, POST, OPTIONS");

  r = Fetch(port_, "GET", "/api/v1/q", "Origin: https://good.example.evil\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("access-control-allow-origin"), "");
  EXPECT_EQ(r->Header("vary"), "Origin");

  r = Fetch(port_, "GET", "/graph", "Origin: https://good.example\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("access-control-allow-origin"), "");
}

TEST_F(ServerTest, ObserverSeesHandlerCodeAndDuration) {
  struct Seen {
    std::string handler;
    int code;
    std::chrono::nanoseconds duration;
  };
  std::mutex mu;
  std::vector<Seen> seen;
  router_.Get("/api/v1/label/{name}/values", [](const HttpRequest&, std::shared_ptr<Responder> r) {
    std::this_thread::sleep_for(milliseconds(20));
    r->SendText(422, "x");
  });
  ServerOptions opts;
  opts.route_prefix = "/prom";
  opts.observer = [&](std::string_view handler, int code, std::chrono::nanoseconds d) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back({std::string(handler), code, d});
  };
  StartServer(opts);
  ASSERT_TRUE(Fetch(port_, "GET", "/prom/api/v1/label/job/values"));
  ASSERT_TRUE(Fetch(port_, "GET", "/prom/nothing"));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].handler, "/prom/api/v1/label/{name}/values");
  EXPECT_EQ(seen[0].code, 422);
  EXPECT_GE(seen[0].duration, milliseconds(20));
}

TEST_F(ServerTest, BindErrorReadsLikeGo) {
  StartServer();
  ServerOptions opts;
  opts.listen_address = StrCat("127.0.0.1:", port_);
  absl::StatusOr<std::unique_ptr<Server>> other = Server::Create(opts, &pool_, &router_);
  ASSERT_TRUE(other.ok());
  absl::Status status = (*other)->Start();
  EXPECT_EQ(std::string(AsStd(status.message())),
            StrCat("listen tcp 127.0.0.1:", port_, ": bind: address already in use"));

  opts.listen_address = "9090";
  EXPECT_FALSE(Server::Create(opts, &pool_, &router_).ok());
  opts.listen_address = "127.0.0.1:http";
  EXPECT_FALSE(Server::Create(opts, &pool_, &router_).ok());
  opts.listen_address = "127.0.0.1:0";
  opts.cors_origin = "(";
  EXPECT_FALSE(Server::Create(opts, &pool_, &router_).ok());
}

TEST_F(ServerTest, ListensOnAllInterfacesAndIpv6Loopback) {
  ServerOptions opts;
  opts.listen_address = ":0";
  StartServer(opts);  // the test client dials 127.0.0.1
  std::optional<TestResponse> r = Fetch(port_, "GET", "/missing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

// The request is held in its handler until the test has seen the listener closed and the idle
// connection dropped, so what is checked while it is in flight does not depend on timing.
TEST_F(ServerTest, GracefulShutdownFinishesInFlightAndRefusesNew) {
  constexpr auto kGrace = std::chrono::seconds(60);
  std::promise<void> in_handler;
  std::promise<void> answer;
  std::shared_future<void> answer_now = answer.get_future().share();
  std::mutex mu;
  std::thread worker;
  router_.Get("/slow", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    std::lock_guard<std::mutex> lock(mu);
    worker = std::thread([resp, answer_now] {
      answer_now.wait();
      resp->SendText(200, "done");
    });
    in_handler.set_value();
  });
  router_.Get("/ok", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "ok");
  });
  StartServer();
  std::thread stopper;
  // Whatever fails below, the request is answered and the threads are joined.
  struct Release {
    std::promise<void>& answer;
    bool answered = false;
    std::thread& stopper;
    std::mutex& mu;
    std::thread& worker;
    void Answer() {
      if (!answered) answer.set_value();
      answered = true;
    }
    ~Release() {
      Answer();
      if (stopper.joinable()) stopper.join();
      std::lock_guard<std::mutex> lock(mu);
      if (worker.joinable()) worker.join();
    }
  } release{answer, false, stopper, mu, worker};

  TestConnection idle(port_);
  ASSERT_TRUE(idle.Send(Get("/ok")));
  ASSERT_TRUE(idle.Read());
  TestConnection busy(port_);
  ASSERT_TRUE(busy.Send(Get("/slow")));
  ASSERT_EQ(in_handler.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);

  stopper = std::thread([&] { server_->Shutdown(kGrace); });
  // While the request is in flight: new connections are refused, the idle one is closed.
  EXPECT_TRUE(WaitUntil([&] { return ConnectionRefused(port_); }));
  EXPECT_TRUE(idle.WaitClosed(30000));

  auto answered = steady_clock::now();
  release.Answer();
  std::optional<TestResponse> r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(r->Header("connection"), "close");
  stopper.join();
  // Shutdown returned once the last request was done, long before the grace ran out.
  EXPECT_LT(steady_clock::now() - answered, kGrace / 2);
}

TEST_F(ServerTest, ShutdownGraceExpiresForStuckRequests) {
  constexpr auto kGrace = milliseconds(200);
  std::promise<std::shared_ptr<Responder>> parked_promise;
  router_.Get("/stuck", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    parked_promise.set_value(resp);  // never answered
  });
  StartServer();
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send(Get("/stuck")));
  std::future<std::shared_ptr<Responder>> parked_future = parked_promise.get_future();
  ASSERT_EQ(parked_future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  std::shared_ptr<Responder> parked = parked_future.get();

  auto start = steady_clock::now();
  server_->Shutdown(kGrace);
  auto took = steady_clock::now() - start;
  EXPECT_GE(took, kGrace);
  // Less than the grace plus the 2 s Shutdown waits after force-closing: force-closing the stuck
  // connection ended it.
  EXPECT_LT(took, kGrace + std::chrono::seconds(2));
  EXPECT_TRUE(conn.WaitClosed(30000));
  EXPECT_FALSE(parked->Write("late"));
}

}  // namespace
}  // namespace sundial::web::testing
