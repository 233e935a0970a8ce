// Streaming responses: chunked encoding, order, gzip, and Write() flow control.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "base/str_cat.h"
#include "testing/wait_until.h"
#include "web/server_fixture.h"

namespace sundial::web::testing {
namespace {

using sundial::testing::WaitUntil;

using std::chrono::milliseconds;

constexpr size_t kChunk = 64 * 1024;
constexpr size_t kChunks = 800;  // 50 MiB

std::string ChunkData(size_t i) {
  std::string data(kChunk, static_cast<char>('a' + i % 26));
  std::string tag = StrCat("#", i, "#");
  data.replace(0, tag.size(), tag);
  return data;
}

class StreamingTest : public ServerFixture {
 protected:
  void SetUp() override {
    router_.Get("/stream", [this](const HttpRequest&, std::shared_ptr<Responder> resp) {
      std::lock_guard<std::mutex> lock(producer_mu_);  // set on an io thread, joined on main
      producer_ = std::thread([this, resp] {
        resp->SetContentType("application/json");
        for (size_t i = 0; i < kChunks; ++i) {
          if (!resp->Write(ChunkData(i))) {
            client_gone_ = true;
            return;
          }
          written_ += kChunk;
        }
        resp->Finish();
      });
    });
  }
  void TearDown() override {
    std::thread producer;
    {
      std::lock_guard<std::mutex> lock(producer_mu_);
      producer = std::move(producer_);
    }
    if (producer.joinable()) producer.join();
    ServerFixture::TearDown();
  }

  std::mutex producer_mu_;
  std::thread producer_;
  std::atomic<size_t> written_{0};
  std::atomic<bool> client_gone_{false};
};

TEST_F(StreamingTest, FiftyMegabytesInOrderWithBoundedBuffering) {
  StartServer();
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n"));
  // The client reads nothing for a while: the producer must block, not buffer 50 MB.
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_LT(written_.load(), size_t{20} << 20);

  std::optional<TestResponse> r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("transfer-encoding"), "chunked");
  EXPECT_EQ(r->Header("content-length"), "");
  EXPECT_GT(r->chunks, 1u);
  ASSERT_EQ(r->body.size(), kChunk * kChunks);
  for (size_t i = 0; i < kChunks; ++i) {
    ASSERT_EQ(r->body.compare(i * kChunk, kChunk, ChunkData(i)), 0) << "chunk " << i;
  }
  // The connection is still usable after the stream.
  ASSERT_TRUE(conn.Send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n"));
  r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(StreamingTest, GzipStream) {
  StartServer();
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send("GET /stream HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n"));
  std::optional<TestResponse> r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("content-encoding"), "gzip");
  EXPECT_LT(r->body.size(), kChunk * kChunks / 10);
  std::string plain = Gunzip(r->body);
  ASSERT_EQ(plain.size(), kChunk * kChunks);
  EXPECT_EQ(plain.compare((kChunks - 1) * kChunk, kChunk, ChunkData(kChunks - 1)), 0);
}

TEST_F(StreamingTest, ClientThatLeavesUnblocksTheProducer) {
  ServerOptions opts;
  opts.write_buffer_bytes = 256 * 1024;
  StartServer(opts);
  {
    TestConnection conn(port_);
    ASSERT_TRUE(conn.Send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n"));
    // The response has started, so the client has data it does not read.
    ASSERT_TRUE(WaitUntil([&] { return written_.load() > 0; }));
  }  // closes with unread data: the server sees a reset
  std::thread producer;
  {
    std::lock_guard<std::mutex> lock(producer_mu_);
    producer = std::move(producer_);
  }
  producer.join();
  EXPECT_TRUE(client_gone_);
  EXPECT_LT(written_.load(), kChunk * kChunks);
}

TEST_F(StreamingTest, Http10StreamEndsWithClose) {
  StartServer();
  TestConnection conn(port_);
  ASSERT_TRUE(conn.Send("GET /stream HTTP/1.0\r\n\r\n"));
  std::optional<TestResponse> r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("transfer-encoding"), "");
  EXPECT_EQ(r->body.size(), kChunk * kChunks);
}

}  // namespace
}  // namespace sundial::web::testing
