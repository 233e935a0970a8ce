// Request and Response of the outbound HTTP client, plain value types.
//
//   Request req{.method = "POST", .url = "http://x/api/v1/write", .body = payload};
//   req.headers.Set("Content-Type", "application/x-protobuf");
//   ...
//   if (absl::Status s = CheckHttpStatus(resp); !s.ok()) return s;
//   std::string_view type = resp.headers.Get("content-type");   // case-insensitive
#ifndef SUNDIAL_NET_HTTP_MESSAGE_H_
#define SUNDIAL_NET_HTTP_MESSAGE_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace sundial::net {

class BodyStream;  // net/body_stream.h

// An ordered list of header fields with case-insensitive names. Repeated names are kept.
class Headers {
 public:
  // Replaces every field named `name` with one field.
  void Set(std::string_view name, std::string_view value);
  void Add(std::string_view name, std::string_view value);
  void Remove(std::string_view name);
  // The first value of `name`, or "" if absent. The view lives as long as this object is unchanged.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method = "GET";
  std::string url{};
  Headers headers{};
  std::string body{};
  // Overall deadline for this request including redirects; 0 = ClientOptions::request_timeout.
  std::chrono::milliseconds timeout{0};
  // When set, a 2xx body is handed to the stream as it arrives (see net/body_stream.h).
  std::shared_ptr<BodyStream> stream{};
};

struct Response {
  int status_code = 0;
  std::string status{};  // "200 OK", as Go's Response.Status
  Headers headers{};
  std::string body{};  // decoded when it came gzip-encoded and the client asked for gzip
};

// OK for 2xx; otherwise Unavailable "server returned HTTP status 500 Internal Server Error".
absl::Status CheckHttpStatus(const Response& response);

}  // namespace sundial::net

#endif  // SUNDIAL_NET_HTTP_MESSAGE_H_
