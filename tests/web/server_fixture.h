// A Server on 127.0.0.1:<ephemeral> with its own IoPool and Router, for socket-level tests.
#ifndef SUNDIAL_TESTS_WEB_SERVER_FIXTURE_H_
#define SUNDIAL_TESTS_WEB_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>

#include "net/io_pool.h"
#include "web/router.h"
#include "web/server.h"
#include "web/test_client.h"

namespace sundial::web::testing {

class ServerFixture : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    if (options.listen_address == ":9090") options.listen_address = "127.0.0.1:0";
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::Create(std::move(options), &pool_, &router_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    port_ = server_->port();
  }

  void TearDown() override { server_.reset(); }

  net::IoPool pool_{2};
  Router router_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

}  // namespace sundial::web::testing

#endif  // SUNDIAL_TESTS_WEB_SERVER_FIXTURE_H_
