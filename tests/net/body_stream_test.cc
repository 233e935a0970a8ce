// BodyStream: 2xx bodies arrive piece by piece while the response is still open; other statuses
// are read whole; Cancel closes a response that never ends.
#include "net/body_stream.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "net/http_client.h"
#include "net/test_server.h"

namespace sundial::net {
namespace {

using testing::ServerRequest;
using testing::ServerResponse;
using testing::TestServer;

// Collects streamed data; Wait blocks until the data contains `text`.
class Sink {
 public:
  void Add(std::string_view data) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      data_.append(data);
      ++calls_;
    }
    cv_.notify_all();
  }
  void WaitFor(std::string_view text) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return data_.find(text) != std::string::npos; });
  }
  std::string data() {
    std::lock_guard<std::mutex> lock(mu_);
    return data_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string data_;
  int calls_ = 0;
};

// One-connection raw server: answers with a chunked 200, sends `first`, then waits until the
// test calls Send (more chunks) or Finish; never ends the body on its own.
class ChunkedServer {
 public:
  ChunkedServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 4);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      fd_ = accept(listen_fd_, nullptr, nullptr);
      char buf[4096];
      std::string request;
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) return;
        request.append(buf, static_cast<size_t>(n));
      }
      Write(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          "Transfer-Encoding: chunked\r\n\r\n");
      accepted_.set_value();
    });
  }
  ~ChunkedServer() {
    thread_.join();
    if (fd_ >= 0) close(fd_);
    close(listen_fd_);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/watch"; }
  void WaitAccepted() { accepted_.get_future().wait(); }
  void Send(std::string_view data) {
    char size[32];
    snprintf(size, sizeof size, "%zx\r\n", data.size());
    Write(std::string(size) + std::string(data) + "\r\n");
  }
  void Finish() { Write("0\r\n\r\n"); }
  // True once the client closed its side (read returns 0 or an error).
  bool ClientClosed() {
    char c;
    return read(fd_, &c, 1) <= 0;
  }

 private:
  void Write(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
      const ssize_t n = write(fd_, s.data() + done, s.size() - done);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }
  int listen_fd_ = -1;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::promise<void> accepted_;
  std::thread thread_;
};

class BodyStreamTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpClient> MakeClient() {
    absl::StatusOr<std::unique_ptr<HttpClient>> c = HttpClient::Create(ClientOptions(), &pool_);
    EXPECT_TRUE(c.ok()) << c.status();
    return *std::move(c);
  }
  IoPool pool_{2};
};

TEST_F(BodyStreamTest, DeliversChunksBeforeTheResponseEnds) {
  ChunkedServer server;
  auto client = MakeClient();
  Sink sink;
  auto stream = std::make_shared<BodyStream>([&](std::string_view d) { sink.Add(d); });
  std::promise<absl::StatusOr<Response>> done;
  client->Do({.url = server.Url(), .stream = stream},
             [&](absl::StatusOr<Response> r) { done.set_value(std::move(r)); });
  server.WaitAccepted();
  server.Send("{\"type\":\"ADDED\"}\n");
  sink.WaitFor("ADDED");  // arrives while the response is still open
  server.Send("{\"type\":\"DELETED\"}\n");
  sink.WaitFor("DELETED");
  server.Finish();
  absl::StatusOr<Response> r = done.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(sink.data(), "{\"type\":\"ADDED\"}\n{\"type\":\"DELETED\"}\n");
}

TEST_F(BodyStreamTest, CancelClosesAnOpenResponse) {
  ChunkedServer server;
  auto client = MakeClient();
  Sink sink;
  auto stream = std::make_shared<BodyStream>([&](std::string_view d) { sink.Add(d); });
  std::promise<absl::StatusOr<Response>> done;
  client->Do({.url = server.Url(), .stream = stream},
             [&](absl::StatusOr<Response> r) { done.set_value(std::move(r)); });
  server.WaitAccepted();
  server.Send("line\n");
  sink.WaitFor("line");
  stream->Cancel();
  absl::StatusOr<Response> r = done.get_future().get();
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
  EXPECT_EQ(r.status().message(), "context canceled");
  EXPECT_TRUE(server.ClientClosed());
  stream->Cancel();  // idempotent
}

TEST_F(BodyStreamTest, CancelledBeforeStartFailsAtOnce) {
  TestServer server([](const ServerRequest&) { return ServerResponse{.body = "x"}; });
  auto client = MakeClient();
  auto stream = std::make_shared<BodyStream>([](std::string_view) {});
  stream->Cancel();
  absl::StatusOr<Response> r = client->DoSync({.url = server.Url("/"), .stream = stream});
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
  EXPECT_EQ(server.accepted(), 0);
}

TEST_F(BodyStreamTest, ErrorStatusBodyIsReadWholeAndNotStreamed) {
  TestServer server([](const ServerRequest& req) {
    return ServerResponse{
        .status = 410, .body = "gone ae=" + std::to_string(req.headers.count("accept-encoding"))};
  });
  auto client = MakeClient();
  Sink sink;
  auto stream = std::make_shared<BodyStream>([&](std::string_view d) { sink.Add(d); });
  absl::StatusOr<Response> r = client->DoSync({.url = server.Url("/"), .stream = stream});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status_code, 410);
  EXPECT_EQ(r->body, "gone ae=0");  // no gzip for streamed requests
  EXPECT_EQ(sink.data(), "");
}

TEST_F(BodyStreamTest, TruncatedBodyIsAnErrorAfterTheDataSeen) {
  TestServer server([](const ServerRequest&) {
    return ServerResponse{.body = "partial", .close_mid_body = true};
  });
  auto client = MakeClient();
  Sink sink;
  auto stream = std::make_shared<BodyStream>([&](std::string_view d) { sink.Add(d); });
  absl::StatusOr<Response> r = client->DoSync({.url = server.Url("/"), .stream = stream});
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("unexpected EOF"));
  EXPECT_EQ(sink.data(), "partial");
}

}  // namespace
}  // namespace sundial::net
