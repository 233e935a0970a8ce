// /api/v1/admin/tsdb/{delete_series,clean_tombstones,snapshot}, as Prometheus 2.42 answers them
// (web/api/v1/api.go): POST or PUT, only with --web.enable-admin-api. Without it every one
// answers 500 {"errorType":"unavailable","error":"admin APIs disabled"} (Prometheus has no
// status of its own for "unavailable"). The storage work runs on the query pool, off the io
// threads.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/str_cat.h"
#include "promql/parser.h"
#include "web/api/api_internal.h"
#include "web/api/json.h"
#include "web/api/params.h"
#include "web/lifecycle.h"

namespace sundial::web::api {
namespace {

void SendUnavailable(Responder* resp) {
  SendJson(resp, 500, ErrorBody({ErrorType::kUnavailable, "admin APIs disabled"}));
}

void SendNoContent(Responder* resp) {
  resp->SetStatus(204);
  resp->Send("");
}

// Go's strconv.ParseBool.
bool ParseGoBool(std::string_view s, bool* out) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (s == t) return *out = true;
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (s == f) {
      *out = false;
      return true;
    }
  }
  return false;
}

// <UTC time as 20060102T150405Z>-<16 hex digits of a random non-negative int64>.
std::string SnapshotName() {
  static std::mt19937_64 rng{std::random_device{}()};
  static absl::Mutex mu;
  uint64_t r;
  {
    absl::MutexLock lock(&mu);
    r = rng() >> 1;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(r));
  return StrCat(absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()), "-", hex);
}

std::string JoinDir(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (a.back() == '/') return StrCat(a, b);
  return StrCat(a, "/", b);
}

}  // namespace

void RegisterAdminRoutes(Router* router, Api::Impl* impl) {
  const ApiOptions& o = impl->options;
  auto route = [&](std::string_view pattern, Handler h) {
    Handler wrapped = o.enable_admin_api
                          ? RequireReady(o.is_ready, std::move(h))
                          : Handler([](const HttpRequest&, std::shared_ptr<Responder> resp) {
                              SendUnavailable(resp.get());
                            });
    const std::string path = StrCat("/api/v1/admin/tsdb", pattern);
    router->Post(path, wrapped);
    router->Put(path, wrapped);
  };

  route("/delete_series", [impl](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    std::vector<std::string> selectors = req.Params("match[]");
    if (selectors.empty()) {
      SendError(resp.get(), ApiError::BadData("no match[] parameter provided"));
      return;
    }
    absl::StatusOr<int64_t> start = ParseTimeParam(req, "start", kMinTimeMs);
    if (!start.ok()) {
      SendError(resp.get(),
                ApiError::BadData(InvalidParam("start", AsStd(start.status().message()))));
      return;
    }
    absl::StatusOr<int64_t> end = ParseTimeParam(req, "end", kMaxTimeMs);
    if (!end.ok()) {
      SendError(resp.get(), ApiError::BadData(InvalidParam("end", AsStd(end.status().message()))));
      return;
    }
    impl->pool.Submit([impl, resp = std::move(resp), selectors = std::move(selectors),
                       start = *start, end = *end] {
      const auto& del = impl->options.admin.delete_series;
      // One selector at a time, each parsed then applied, as Prometheus does.
      for (const std::string& s : selectors) {
        absl::StatusOr<std::vector<Matcher>> matchers = promql::ParseMetricSelector(s);
        if (!matchers.ok()) {
          SendError(resp.get(),
                    ApiError::BadData(InvalidParam("match[]", AsStd(matchers.status().message()))));
          return;
        }
        absl::Status st = del ? del(start, end, *matchers)
                              : absl::UnimplementedError("no storage to delete from");
        if (!st.ok()) {
          SendError(resp.get(), ApiError::Internal(std::string(st.message())));
          return;
        }
      }
      SendNoContent(resp.get());
    });
  });

  route("/clean_tombstones", [impl](const HttpRequest&, std::shared_ptr<Responder> resp) {
    impl->pool.Submit([impl, resp = std::move(resp)] {
      const auto& clean = impl->options.admin.clean_tombstones;
      absl::Status st = clean ? clean() : absl::UnimplementedError("no storage to clean");
      if (!st.ok()) {
        SendError(resp.get(), ApiError::Internal(std::string(st.message())));
        return;
      }
      SendNoContent(resp.get());
    });
  });

  route("/snapshot", [impl](const HttpRequest& req, std::shared_ptr<Responder> resp) {
    bool skip_head = false;
    if (std::string_view v = req.Param("skip_head"); !v.empty() && !ParseGoBool(v, &skip_head)) {
      SendError(resp.get(),
                ApiError::BadData(InvalidParam(
                    "skip_head", StrCat("unable to parse boolean: strconv.ParseBool: parsing ",
                                        GoQuote(v), ": invalid syntax"))));
      return;
    }
    impl->pool.Submit([impl, resp = std::move(resp), skip_head] {
      const AdminHooks& admin = impl->options.admin;
      const std::string name = SnapshotName();
      const std::string dir = JoinDir(JoinDir(admin.data_dir, "snapshots"), name);
      absl::Status st = admin.snapshot ? admin.snapshot(dir, !skip_head)
                                       : absl::UnimplementedError("no storage to snapshot");
      if (!st.ok()) {
        SendError(resp.get(), ApiError::Internal(StrCat("create snapshot: ", st.message())));
        return;
      }
      std::string data = R"({"name":)";
      AppendJsonString(&data, name);
      data.push_back('}');
      SendSuccess(resp.get(), data);
    });
  });
}

}  // namespace sundial::web::api
