// The Prometheus API v1 envelope and error answers.
//
//   std::string body = BeginSuccess();          // {"status":"success","data":
//   AppendJsonString(&body, "sum by (a) (x)");
//   EndSuccess(&body, warnings, infos);          // ,"warnings":[...]}
//   SendJson(resp.get(), 200, std::move(body));
//
//   SendError(resp.get(), ApiError::BadData("invalid parameter \"step\": ..."));
//   // 400 {"status":"error","errorType":"bad_data","error":"invalid parameter ..."}
#ifndef SUNDIAL_WEB_API_RESPONSE_H_
#define SUNDIAL_WEB_API_RESPONSE_H_

#include <string>
#include <string_view>
#include <vector>

#include "web/http_response.h"

namespace sundial::web::api {

// Prometheus' errorType values, each with its HTTP status.
enum class ErrorType {
  kBadData,
  kExecution,
  kTimeout,
  kCanceled,
  kInternal,
  kNotFound,
  kUnavailable
};

// "bad_data", "execution", "timeout", "canceled", "internal", "not_found", "unavailable".
std::string_view ErrorTypeName(ErrorType type);
// 400, 422, 503, 503, 500, 404, 503.
int ErrorTypeStatus(ErrorType type);

struct ApiError {
  ErrorType type = ErrorType::kInternal;
  std::string message;

  static ApiError BadData(std::string m) { return {ErrorType::kBadData, std::move(m)}; }
  static ApiError Execution(std::string m) { return {ErrorType::kExecution, std::move(m)}; }
  static ApiError Internal(std::string m) { return {ErrorType::kInternal, std::move(m)}; }
};

inline constexpr std::string_view kJsonContentType = "application/json";

// `{"status":"success","data":` — append the data next.
std::string BeginSuccess();
// Closes what BeginSuccess opened, with "warnings"/"infos" arrays when not empty.
void EndSuccess(std::string* out, const std::vector<std::string>& warnings = {},
                const std::vector<std::string>& infos = {});

// The whole error body.
std::string ErrorBody(const ApiError& error);

// Sends body as application/json with the given status.
void SendJson(Responder* resp, int status, std::string body);
// {"status":"success","data":<data_json>} with 200.
void SendSuccess(Responder* resp, std::string_view data_json,
                 const std::vector<std::string>& warnings = {});
// The error envelope with the error type's status.
void SendError(Responder* resp, const ApiError& error);

}  // namespace sundial::web::api

#endif  // SUNDIAL_WEB_API_RESPONSE_H_
