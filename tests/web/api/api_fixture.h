// An Api served by a ServerFixture: for tests of the HTTP API over a real socket.
#ifndef SUNDIAL_TESTS_WEB_API_API_FIXTURE_H_
#define SUNDIAL_TESTS_WEB_API_API_FIXTURE_H_

#include <memory>
#include <utility>

#include "web/api/api.h"
#include "web/server_fixture.h"

namespace sundial::web::testing {

class ApiFixture : public ServerFixture {
 protected:
  // Creates the Api from options (the test sets storage and the rest) and serves it.
  void StartApi(api::ApiOptions options) {
    api_ = std::make_unique<api::Api>(std::move(options));
    api_->Register(&router_);
    StartServer();
  }

  // The server goes first: until it stops, it may be running a handler of the Api.
  void TearDown() override {
    server_.reset();
    api_.reset();
  }

  std::unique_ptr<api::Api> api_;
};

}  // namespace sundial::web::testing

#endif  // SUNDIAL_TESTS_WEB_API_API_FIXTURE_H_
