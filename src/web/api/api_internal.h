// Internals shared by the API's handler files.
#ifndef SUNDIAL_WEB_API_API_INTERNAL_H_
#define SUNDIAL_WEB_API_API_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "model/matcher.h"
#include "web/api/api.h"
#include "web/api/query_pool.h"
#include "web/api/response.h"
#include "web/http_request.h"
#include "web/http_response.h"

namespace sundial::web::api {

struct Api::Impl {
  explicit Impl(ApiOptions o)
      : options(std::move(o)), pool(options.max_concurrency > 0 ? options.max_concurrency : 1) {}

  // query_handlers.cc
  void Query(const HttpRequest& req, std::shared_ptr<Responder> resp);
  void QueryRange(const HttpRequest& req, std::shared_ptr<Responder> resp);
  void FormatQuery(const HttpRequest& req, std::shared_ptr<Responder> resp);
  void QueryExemplars(const HttpRequest& req, std::shared_ptr<Responder> resp);

  // series_handlers.cc
  void LabelNames(const HttpRequest& req, std::shared_ptr<Responder> resp);
  void LabelValues(const HttpRequest& req, std::shared_ptr<Responder> resp);
  void Series(const HttpRequest& req, std::shared_ptr<Responder> resp);

  // metadata_handlers.cc
  void Metadata(const HttpRequest& req, std::shared_ptr<Responder> resp);
  void TargetsMetadata(const HttpRequest& req, std::shared_ptr<Responder> resp);

  // parse_query.cc
  void ParseQuery(const HttpRequest& req, std::shared_ptr<Responder> resp);

  // federate.cc (served at /federate, outside /api/v1)
  void Federate(const HttpRequest& req, std::shared_ptr<Responder> resp);

  // remote_read.cc
  void RemoteRead(const HttpRequest& req, std::shared_ptr<Responder> resp);
  bool ReadSlotFree() const ABSL_SHARED_LOCKS_REQUIRED(read_mu) {
    return reads_running < options.remote_read.concurrent_limit;
  }

  ApiOptions options;
  QueryPool pool;
  absl::Mutex read_mu;
  int reads_running ABSL_GUARDED_BY(read_mu) = 0;
};

// admin_handlers.cc: /api/v1/admin/tsdb/* (POST and PUT).
void RegisterAdminRoutes(Router* router, Api::Impl* impl);

// Buffers JSON and streams it to the responder in chunks once it grows past a threshold; a
// response that stays small is sent whole with a Content-Length.
class JsonStream {
 public:
  explicit JsonStream(Responder* resp) : resp_(resp) {}
  std::string* buf() { return &buf_; }
  // Writes the buffer out when it is large. False once the client is gone (stop producing).
  bool MaybeFlush() { return buf_.size() < kChunkBytes ? ok_ : Flush(); }
  // Completes the response with status 200.
  void Finish();

 private:
  static constexpr size_t kChunkBytes = 64 << 10;
  bool Flush();

  Responder* resp_;
  std::string buf_;
  bool started_ = false;
  bool ok_ = true;
};

// Each match[] value parsed as a metric selector; checks that every set has a matcher that
// does not match the empty string ("match[] must contain at least one non-empty matcher").
absl::StatusOr<std::vector<std::vector<Matcher>>> ParseMatchSets(
    const std::vector<std::string>& selectors);

// `limit`: "" is 0 (none); errors as Prometheus 3.x words them (without the parameter prefix).
absl::StatusOr<int64_t> ParseLimit(std::string_view s);

inline constexpr std::string_view kTruncatedWarning = "results truncated due to limit";

}  // namespace sundial::web::api

#endif  // SUNDIAL_WEB_API_API_INTERNAL_H_
