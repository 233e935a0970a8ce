#include "web/lifecycle.h"

#include <memory>
#include <utility>

#include "base/str_cat.h"

namespace sundial::web {
namespace {

constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

void NotReady(Responder* resp) { resp->SendText(503, "Service Unavailable"); }

}  // namespace

Handler RequireReady(std::function<bool()> is_ready, Handler h) {
  return [is_ready = std::move(is_ready), h = std::move(h)](const HttpRequest& req,
                                                            std::shared_ptr<Responder> resp) {
    if (is_ready && !is_ready()) {
      NotReady(resp.get());
      return;
    }
    h(req, std::move(resp));
  };
}

void RegisterLifecycleHandlers(Router* router, LifecycleHooks hooks) {
  auto shared = std::make_shared<const LifecycleHooks>(std::move(hooks));

  router->Get("/-/healthy", [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "Prometheus Server is Healthy.\n");
  });
  router->Get("/-/ready", RequireReady(shared->is_ready,
                                       [](const HttpRequest&, std::shared_ptr<Responder> resp) {
                                         resp->SendText(200, "Prometheus Server is Ready.\n");
                                       }));

  Handler reload = [shared](const HttpRequest&, std::shared_ptr<Responder> resp) {
    absl::Status status = shared->reload ? shared->reload() : absl::OkStatus();
    if (!status.ok()) {
      resp->SendText(500, StrCat("failed to reload config: ", status.message(), "\n"));
      return;
    }
    resp->Send("");
  };
  Handler quit = [shared](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(200, "Requesting termination... Goodbye!");
    if (shared->quit) shared->quit();
  };
  Handler forbidden = [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SendText(403, "Lifecycle API is not enabled.");
  };
  Handler only_post = [](const HttpRequest&, std::shared_ptr<Responder> resp) {
    resp->SetHeader("Allow", "POST, PUT");
    resp->SendText(405, "Only POST or PUT requests allowed");
  };
  for (const char* method : {"POST", "PUT"}) {
    router->Handle(method, "/-/reload", shared->enable_lifecycle ? reload : forbidden);
    router->Handle(method, "/-/quit", shared->enable_lifecycle ? quit : forbidden);
  }
  router->Get("/-/reload", only_post);
  router->Get("/-/quit", only_post);

  if (shared->metrics) {
    router->Get("/metrics", [shared](const HttpRequest&, std::shared_ptr<Responder> resp) {
      resp->SetContentType(kExpositionContentType);
      resp->Send(shared->metrics());
    });
  }
}

}  // namespace sundial::web
