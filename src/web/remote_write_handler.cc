#include "web/remote_write_handler.h"

#include <memory>
#include <utility>

namespace sundial::web {

Handler RemoteWriteHandler(tsdb::Appendable* appendable, remotewrite::WriteOptions options) {
  return [appendable, options](const HttpRequest& request, std::shared_ptr<Responder> responder) {
    remotewrite::WriteResponse response =
        remotewrite::HandleWrite({.content_type = request.Header("Content-Type"),
                                  .content_encoding = request.Header("Content-Encoding"),
                                  .body = request.body},
                                 appendable, options);
    responder->SetStatus(response.status);
    for (const auto& [name, value] : response.headers) responder->AddHeader(name, value);
    responder->Send(std::move(response.body));
  };
}

}  // namespace sundial::web
