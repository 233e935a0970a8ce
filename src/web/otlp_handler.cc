#include "web/otlp_handler.h"

#include <memory>
#include <utility>

namespace sundial::web {

Handler OtlpHandler(tsdb::Appendable* appendable, OtlpHandlerOptions options) {
  return [appendable, options = std::move(options)](const HttpRequest& request,
                                                    std::shared_ptr<Responder> responder) {
    remotewrite::otlp::OtlpOptions receiver = options.receiver;
    if (options.config) receiver.config = options.config();
    remotewrite::otlp::OtlpResponse response =
        remotewrite::otlp::HandleOtlp({.content_type = request.Header("Content-Type"),
                                       .content_encoding = request.Header("Content-Encoding"),
                                       .body = request.body},
                                      appendable, receiver);
    responder->SetStatus(response.status);
    for (const auto& [name, value] : response.headers) responder->SetHeader(name, value);
    responder->Send(std::move(response.body));
  };
}

void RegisterOtlpHandler(Router* router, tsdb::Appendable* appendable, bool enabled,
                         OtlpHandlerOptions options) {
  if (enabled) {
    router->Post(kOtlpMetricsPath, OtlpHandler(appendable, std::move(options)));
    return;
  }
  router->Post(kOtlpMetricsPath, [](const HttpRequest&, std::shared_ptr<Responder> r) {
    r->SendText(404, "otlp write receiver needs to be enabled with --web.enable-otlp-receiver\n");
  });
}

}  // namespace sundial::web
