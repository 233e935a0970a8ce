// HttpRequest: one parsed incoming HTTP request as handlers see it. Beast-free.
//
//   void Handle(const HttpRequest& req, std::shared_ptr<Responder> resp) {
//     std::vector<std::string> matchers = req.Params("match[]");
//     std::string_view name = req.PathParam("name");   // from "/api/v1/label/{name}/values"
//     ...
//   }
//
// A plain value type: not thread-safe for mutation, safe to read from several threads. Handlers
// that finish asynchronously copy what they need (or the whole request) before they return.
#ifndef SUNDIAL_WEB_HTTP_REQUEST_H_
#define SUNDIAL_WEB_HTTP_REQUEST_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sundial::web {

// Parameter values in the order Go's r.ParseForm would put them: for one key, the values of an
// application/x-www-form-urlencoded body first, then those of the query string.
using ParamMap = std::multimap<std::string, std::string, std::less<>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ... as sent (case-sensitive, like Go)
  // Percent-decoded path with the route prefix stripped; always starts with '/'.
  std::string path;
  std::string raw_query;  // the text after '?', undecoded, without the '?'
  ParamMap params;        // query string and form body, decoded ('+' is a space)
  // Header fields in arrival order; names as sent. Use Header() for lookups.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;            // the raw body (also when it was parsed into params)
  std::string remote_address;  // "127.0.0.1:53422" or "[::1]:53422"
  // Values of {name} and *name segments of the matched route pattern.
  std::vector<std::pair<std::string, std::string>> path_params;

  // The first value of the header field with this name (ASCII case-insensitive), or "".
  std::string_view Header(std::string_view name) const;
  // The first value of a parameter, or "" when absent (like Go's r.FormValue).
  std::string_view Param(std::string_view name) const;
  // Every value of a parameter in order, e.g. each match[].
  std::vector<std::string> Params(std::string_view name) const;
  bool HasParam(std::string_view name) const;
  // The value of a {name} or *name route segment, or "".
  std::string_view PathParam(std::string_view name) const;
};

}  // namespace sundial::web

#endif  // SUNDIAL_WEB_HTTP_REQUEST_H_
