// Responder::RunAfterHandler on the real server: where and when the task runs, what the
// connection does meanwhile, and when the server refuses.
#include <atomic>
#include <functional>
#include <thread>

#include "gtest/gtest.h"
#include "testing/wait_until.h"
#include "web/server_fixture.h"

namespace sundial::web::testing {
namespace {

using sundial::testing::WaitUntil;

class RunAfterHandlerTest : public ServerFixture {};

TEST_F(RunAfterHandlerTest, RunsOnTheHandlersThreadAfterItReturns) {
  std::thread::id handler_thread, task_thread;
  std::atomic<bool> handler_returned{false};
  bool accepted = false, returned_before_task = false;
  router_.Get("/x", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    handler_thread = std::this_thread::get_id();
    std::function<void()> task = [&, resp] {
      task_thread = std::this_thread::get_id();
      returned_before_task = handler_returned.load();
      resp->Send("done");
    };
    accepted = resp->RunAfterHandler(task);
    handler_returned = true;
  });
  StartServer();
  std::optional<TestResponse> r = Fetch(port_, "GET", "/x");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_TRUE(accepted);
  EXPECT_TRUE(returned_before_task);
  EXPECT_EQ(task_thread, handler_thread);
}

TEST_F(RunAfterHandlerTest, TheServerSeesTheClientLeaveWhileTheTaskRuns) {
  std::atomic<bool> task_started{false}, task_done{false}, saw_gone{false};
  router_.Get("/slow", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    std::function<void()> task = [&, resp] {
      task_started = true;
      saw_gone = WaitUntil([&] { return resp->client_gone()->load(); });
      resp->Send("late");
      task_done = true;
    };
    ASSERT_TRUE(resp->RunAfterHandler(task));
  });
  StartServer();
  {
    TestConnection c(port_);
    ASSERT_TRUE(c.Send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(WaitUntil([&] { return task_started.load(); }));
  }  // closes the connection
  ASSERT_TRUE(WaitUntil([&] { return task_done.load(); }));
  EXPECT_TRUE(saw_gone);
}

TEST_F(RunAfterHandlerTest, OneIoThreadStaysFreeAndOtherThreadsAreRefused) {
  // The fixture's pool has two io threads: one task may hold one of them.
  std::atomic<bool> task_started{false}, release{false};
  router_.Get("/hold", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    std::function<void()> task = [&, resp] {
      task_started = true;
      WaitUntil([&] { return release.load(); });
      resp->Send("held");
    };
    ASSERT_TRUE(resp->RunAfterHandler(task));
  });
  std::atomic<int> refusals{0};
  router_.Get("/second", [&](const HttpRequest&, std::shared_ptr<Responder> resp) {
    std::function<void()> task = [resp] { resp->Send("deferred"); };
    if (!resp->RunAfterHandler(task)) ++refusals;
    ASSERT_TRUE(task);  // refused: left alone
    // Off an io thread the server refuses as well.
    std::thread([&, resp, task]() mutable {
      if (!resp->RunAfterHandler(task)) ++refusals;
      resp->Send("answered");
    }).join();
  });
  StartServer();
  TestConnection held(port_);
  ASSERT_TRUE(held.Send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(WaitUntil([&] { return task_started.load(); }));
  // The other io thread serves this request while the task holds the first.
  std::optional<TestResponse> r = Fetch(port_, "GET", "/second");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "answered");
  EXPECT_EQ(refusals.load(), 2);
  release = true;
  std::optional<TestResponse> h = held.Read();
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->body, "held");
}

}  // namespace
}  // namespace sundial::web::testing
