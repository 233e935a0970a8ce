#include "web/lifecycle.h"

#include <gtest/gtest.h>

#include <atomic>

#include "web/server_fixture.h"

namespace sundial::web::testing {
namespace {

class LifecycleTest : public ServerFixture {
 protected:
  void Start(bool enable) {
    LifecycleHooks hooks;
    hooks.enable_lifecycle = enable;
    hooks.is_ready = [this] { return ready_.load(); };
    hooks.reload = [this] {
      ++reloads_;
      return reload_error_ ? absl::InvalidArgumentError("bad rule file") : absl::OkStatus();
    };
    hooks.quit = [this] { ++quits_; };
    hooks.metrics = [] { return std::string("up 1\n"); };
    RegisterLifecycleHandlers(&router_, std::move(hooks));
    StartServer();
  }

  std::atomic<bool> ready_{false};
  std::atomic<bool> reload_error_{false};
  std::atomic<int> reloads_{0};
  std::atomic<int> quits_{0};
};

TEST_F(LifecycleTest, HealthyAndReady) {
  Start(false);
  std::optional<TestResponse> r = Fetch(port_, "GET", "/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Prometheus Server is Healthy.\n");
  r = Fetch(port_, "HEAD", "/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  r = Fetch(port_, "GET", "/-/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "Service Unavailable");
  ready_ = true;
  r = Fetch(port_, "GET", "/-/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Prometheus Server is Ready.\n");
}

TEST_F(LifecycleTest, DisabledLifecycleIsForbidden) {
  Start(false);
  for (const char* method : {"POST", "PUT"}) {
    for (const char* path : {"/-/reload", "/-/quit"}) {
      std::optional<TestResponse> r = Fetch(port_, method, path);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 403);
      EXPECT_EQ(r->body, "Lifecycle API is not enabled.");
    }
  }
  EXPECT_EQ(reloads_, 0);
  EXPECT_EQ(quits_, 0);
}

TEST_F(LifecycleTest, EnabledReloadAndQuit) {
  Start(true);
  std::optional<TestResponse> r = Fetch(port_, "POST", "/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(reloads_, 1);

  reload_error_ = true;
  r = Fetch(port_, "PUT", "/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "failed to reload config: bad rule file\n");

  r = Fetch(port_, "GET", "/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->body, "Only POST or PUT requests allowed");

  r = Fetch(port_, "POST", "/-/quit");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Requesting termination... Goodbye!");
  EXPECT_EQ(quits_, 1);
}

TEST_F(LifecycleTest, MetricsExposition) {
  Start(false);
  std::optional<TestResponse> r = Fetch(port_, "GET", "/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r->body, "up 1\n");
}

}  // namespace
}  // namespace sundial::web::testing
