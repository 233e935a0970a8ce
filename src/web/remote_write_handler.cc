#include "web/remote_write_handler.h"

#include <memory>
#include <utility>

#include "remotewrite/series_cache.h"

namespace sundial::web {

Handler RemoteWriteHandler(tsdb::Appendable* appendable, remotewrite::WriteOptions options) {
  // The router copies handlers; every copy shares the one cache of `appendable`.
  auto cache = std::make_shared<remotewrite::SeriesCache>();
  if (options.series_cache == nullptr) options.series_cache = cache.get();
  return [appendable, options, cache](const HttpRequest& request,
                                      std::shared_ptr<Responder> responder) {
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
