#include "web/api/response.h"

#include "web/api/json.h"

namespace sundial::web::api {

std::string_view ErrorTypeName(ErrorType type) {
  switch (type) {
    case ErrorType::kBadData:
      return "bad_data";
    case ErrorType::kExecution:
      return "execution";
    case ErrorType::kTimeout:
      return "timeout";
    case ErrorType::kCanceled:
      return "canceled";
    case ErrorType::kInternal:
      return "internal";
    case ErrorType::kNotFound:
      return "not_found";
    case ErrorType::kUnavailable:
      return "unavailable";
  }
  return "internal";
}

int ErrorTypeStatus(ErrorType type) {
  switch (type) {
    case ErrorType::kBadData:
      return 400;
    case ErrorType::kExecution:
      return 422;
    case ErrorType::kTimeout:
    case ErrorType::kCanceled:
    case ErrorType::kUnavailable:
      return 503;
    case ErrorType::kInternal:
      return 500;
    case ErrorType::kNotFound:
      return 404;
  }
  return 500;
}

std::string BeginSuccess() { return R"({"status":"success","data":)"; }

namespace {
void AppendStringArray(std::string* out, std::string_view key,
                       const std::vector<std::string>& items) {
  if (items.empty()) return;
  out->append(",\"");
  out->append(key);
  out->append("\":[");
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, items[i]);
  }
  out->push_back(']');
}
}  // namespace

void EndSuccess(std::string* out, const std::vector<std::string>& warnings,
                const std::vector<std::string>& infos) {
  AppendStringArray(out, "warnings", warnings);
  AppendStringArray(out, "infos", infos);
  out->push_back('}');
}

std::string ErrorBody(const ApiError& error) {
  std::string out = R"({"status":"error","errorType":")";
  out.append(ErrorTypeName(error.type));
  out.append(R"(","error":)");
  AppendJsonString(&out, error.message);
  out.push_back('}');
  return out;
}

void SendJson(Responder* resp, int status, std::string body) {
  resp->SetStatus(status);
  resp->SetContentType(kJsonContentType);
  resp->Send(std::move(body));
}

void SendSuccess(Responder* resp, std::string_view data_json,
                 const std::vector<std::string>& warnings) {
  std::string body = BeginSuccess();
  body.append(data_json);
  EndSuccess(&body, warnings);
  SendJson(resp, 200, std::move(body));
}

void SendError(Responder* resp, const ApiError& error) {
  SendJson(resp, ErrorTypeStatus(error.type), ErrorBody(error));
}

}  // namespace sundial::web::api
