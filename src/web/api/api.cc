#include "web/api/api.h"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <set>
#include <utility>

#include "base/duration.h"
#include "base/str_cat.h"
#include "promql/parser.h"
#include "web/api/api_internal.h"
#include "web/api/json.h"
#include "web/api/params.h"
#include "web/lifecycle.h"

namespace sundial::web::api {

// ---- shared helpers (api_internal.h) ----

bool JsonStream::Flush() {
  if (!started_) {
    resp_->SetStatus(200);
    resp_->SetContentType(kJsonContentType);
    started_ = true;
  }
  if (ok_ && !buf_.empty()) ok_ = resp_->Write(buf_);
  buf_.clear();
  return ok_;
}

void JsonStream::Finish() {
  if (!started_) {
    SendJson(resp_, 200, std::move(buf_));
    return;
  }
  Flush();
  resp_->Finish();
}

absl::StatusOr<std::vector<std::vector<Matcher>>> ParseMatchSets(
    const std::vector<std::string>& selectors) {
  std::vector<std::vector<Matcher>> sets;
  sets.reserve(selectors.size());
  for (const std::string& s : selectors) {
    promql::ParseError detail;
    absl::StatusOr<promql::ExprPtr> e = promql::Parse(s, promql::ParseOptions{}, &detail);
    if (!e.ok()) {
      // Prometheus' metric-selector parser skips the expression check for empty selectors
      // and reports them below instead.
      if (detail.message.find("at least one non-empty matcher") != std::string::npos) {
        return absl::InvalidArgumentError("match[] must contain at least one non-empty matcher");
      }
      return e.status();
    }
    if ((*e)->kind != promql::Kind::kVectorSelector) {
      return absl::InvalidArgumentError(
          StrCat("1:1: parse error: unexpected expression, expected a metric selector"));
    }
    const auto& vs = static_cast<const promql::VectorSelector&>(**e);
    sets.push_back(vs.matchers);
  }
  for (const std::vector<Matcher>& set : sets) {
    bool non_empty = false;
    for (const Matcher& m : set) non_empty = non_empty || !m.MatchesEmpty();
    if (!non_empty) {
      return absl::InvalidArgumentError("match[] must contain at least one non-empty matcher");
    }
  }
  return sets;
}

absl::StatusOr<int64_t> ParseLimit(std::string_view s) {
  if (s.empty()) return 0;
  int64_t v = 0;
  std::string_view digits = s[0] == '+' ? s.substr(1) : s;
  auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (res.ec != std::errc() || res.ptr != digits.data() + digits.size() || digits.empty()) {
    std::string_view why =
        res.ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
    return absl::InvalidArgumentError(StrCat("strconv.Atoi: parsing ", GoQuote(s), ": ", why));
  }
  if (v < 0) return absl::InvalidArgumentError("limit must be non-negative");
  return v;
}

std::string FormatRfc3339(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  int64_t frac = ms - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t sod = secs - days * 86400;
  // Civil date from days since 1970-01-01.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  int n = snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld",
                   static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                   static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                   static_cast<long long>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    char f[5] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                 static_cast<char>('0' + frac % 10), 0};
    std::string_view fs(f, 4);
    while (fs.back() == '0') fs.remove_suffix(1);
    out.append(fs);
  }
  out.push_back('Z');
  return out;
}

// ---- status and discovery endpoints ----

namespace {

// Prometheus' globalURL: a loopback host in the scrape URL is replaced by this machine's
// hostname so the link works from elsewhere.
std::string GlobalUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t host_start = scheme + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  if (host_end == std::string::npos) host_end = url.size();
  std::string_view hostport(url.data() + host_start, host_end - host_start);
  std::string_view host = hostport;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host != "localhost" && host != "[::1]" && host.substr(0, 4) != "127.") return url;
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == 0) return url;
  return StrCat(url.substr(0, host_start), name, url.substr(host_start + host.size()));
}

void AppendKey(std::string* out, std::string_view key) {
  AppendJsonString(out, key);
  out->push_back(':');
}

std::string TargetsJson(const scrape::TargetsSnapshot& snap, std::string_view state,
                        std::string_view pool) {
  bool show_active = state.empty() || state == "any" || state == "active";
  bool show_dropped = state.empty() || state == "any" || state == "dropped";
  std::string out = R"({"activeTargets":[)";
  bool first = true;
  if (show_active) {
    for (const scrape::TargetStatus& t : snap.active) {
      if (!pool.empty() && t.scrape_pool != pool) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append(R"({"discoveredLabels":)");
      AppendLabels(&out, t.discovered_labels);
      out.append(R"(,"labels":)");
      AppendLabels(&out, t.labels);
      out.append(R"(,"scrapePool":)");
      AppendJsonString(&out, t.scrape_pool);
      out.append(R"(,"scrapeUrl":)");
      AppendJsonString(&out, t.scrape_url);
      out.append(R"(,"globalUrl":)");
      AppendJsonString(&out, GlobalUrl(t.scrape_url));
      out.append(R"(,"lastError":)");
      AppendJsonString(&out, t.last_error);
      out.append(R"(,"lastScrape":)");
      AppendJsonString(&out, t.last_scrape_ms == 0 ? std::string("0001-01-01T00:00:00Z")
                                                   : FormatRfc3339(t.last_scrape_ms));
      out.append(R"(,"lastScrapeDuration":)");
      AppendGoJsonNumber(&out, t.last_scrape_duration);
      out.append(R"(,"health":)");
      AppendJsonString(&out, scrape::TargetHealthName(t.health));
      out.append(R"(,"scrapeInterval":)");
      AppendJsonString(&out, FormatDuration(t.interval));
      out.append(R"(,"scrapeTimeout":)");
      AppendJsonString(&out, FormatDuration(t.timeout));
      out.push_back('}');
    }
  }
  out.append(R"(],"droppedTargets":[)");
  first = true;
  if (show_dropped) {
    for (const scrape::DroppedTarget& t : snap.dropped) {
      if (!pool.empty() && t.scrape_pool != pool) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append(R"({"discoveredLabels":)");
      AppendLabels(&out, t.discovered_labels);
      out.push_back('}');
    }
  }
  out.append("]}");
  return out;
}

std::string ScrapePoolsJson(const scrape::TargetsSnapshot& snap) {
  std::set<std::string> pools;
  for (const scrape::TargetStatus& t : snap.active) pools.insert(t.scrape_pool);
  for (const scrape::DroppedTarget& t : snap.dropped) pools.insert(t.scrape_pool);
  std::string out = R"({"scrapePools":[)";
  bool first = true;
  for (const std::string& p : pools) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(&out, p);
  }
  out.append("]}");
  return out;
}

std::string BuildInfoJsonText(const BuildInfoJson& b) {
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"version", &b.version},      {"revision", &b.revision},    {"branch", &b.branch},
      {"buildUser", &b.build_user}, {"buildDate", &b.build_date}, {"goVersion", &b.go_version}};
  std::string out = "{";
  for (const auto& [key, value] : fields) {
    if (out.size() > 1) out.push_back(',');
    AppendKey(&out, key);
    AppendJsonString(&out, *value);
  }
  out.push_back('}');
  return out;
}

std::string RuntimeInfoJson(const RuntimeInfo& r) {
  std::string out = "{";
  AppendKey(&out, "startTime");
  AppendJsonString(&out, r.start_time);
  out.append(R"(,"CWD":)");
  AppendJsonString(&out, r.cwd);
  StrAppend(&out, R"(,"reloadConfigSuccess":)", r.reload_config_success ? "true" : "false",
            R"(,"lastConfigTime":)");
  AppendJsonString(&out, r.last_config_time);
  StrAppend(&out, R"(,"corruptionCount":)", r.corruption_count, R"(,"goroutineCount":)",
            r.goroutine_count, R"(,"GOMAXPROCS":)", r.gomaxprocs,
            R"(,"GOGC":"","GODEBUG":"","storageRetention":)");
  AppendJsonString(&out, r.storage_retention);
  out.push_back('}');
  return out;
}

std::string TsdbStatusJson(const HeadStats& h) {
  std::string out = StrCat(R"({"headStats":{"numSeries":)", h.num_series, R"(,"numLabelPairs":)",
                           h.num_label_pairs, R"(,"chunkCount":)", h.chunk_count, R"(,"minTime":)",
                           h.min_time, R"(,"maxTime":)", h.max_time, "}");
  const std::pair<std::string_view, const HeadStats::TopList*> lists[] = {
      {"seriesCountByMetricName", &h.series_count_by_metric_name},
      {"labelValueCountByLabelName", &h.label_value_count_by_label_name},
      {"memoryInBytesByLabelName", &h.memory_in_bytes_by_label_name},
      {"seriesCountByLabelValuePair", &h.series_count_by_label_value_pair}};
  for (const auto& [key, list] : lists) {
    out.push_back(',');
    AppendKey(&out, key);
    out.push_back('[');
    for (size_t i = 0; i < list->size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(R"({"name":)");
      AppendJsonString(&out, (*list)[i].first);
      StrAppend(&out, R"(,"value":)", (*list)[i].second, "}");
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

// /status/tsdb's `limit` (Prometheus 3.x): 10 by default, 1 to 10000.
absl::StatusOr<int64_t> ParseTsdbLimit(std::string_view s) {
  constexpr int64_t kMaxLimit = 10000;
  if (s.empty()) return 10;
  int64_t v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size() || v < 1) {
    return absl::InvalidArgumentError("limit must be a positive number");
  }
  if (v > kMaxLimit) {
    return absl::InvalidArgumentError(StrCat("limit must not exceed ", kMaxLimit));
  }
  return v;
}

Handler Fixed(std::string data) {
  return [data = std::move(data)](const HttpRequest&, std::shared_ptr<Responder> resp) {
    SendSuccess(resp.get(), data);
  };
}

}  // namespace

// ---- Api ----

Api::Api(ApiOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

Api::~Api() = default;

void Api::Register(Router* router) {
  Impl* impl = impl_.get();
  const ApiOptions& o = impl->options;
  auto route = [&](std::string_view pattern, Handler h, bool post) {
    Handler wrapped = RequireReady(o.is_ready, std::move(h));
    std::string path = StrCat("/api/v1", pattern);
    router->Get(path, wrapped);
    if (post) router->Post(path, wrapped);
  };
  auto method = [impl](void (Impl::*fn)(const HttpRequest&, std::shared_ptr<Responder>)) {
    return [impl, fn](const HttpRequest& req, std::shared_ptr<Responder> resp) {
      (impl->*fn)(req, std::move(resp));
    };
  };

  route("/query", method(&Impl::Query), true);
  route("/query_range", method(&Impl::QueryRange), true);
  route("/query_exemplars", method(&Impl::QueryExemplars), true);
  route("/format_query", method(&Impl::FormatQuery), true);
  route("/parse_query", method(&Impl::ParseQuery), true);
  route("/labels", method(&Impl::LabelNames), true);
  route("/label/{name}/values", method(&Impl::LabelValues), false);
  route("/series", method(&Impl::Series), true);
  router->Get("/federate", RequireReady(o.is_ready, method(&Impl::Federate)));
  router->Post("/api/v1/read", RequireReady(o.is_ready, method(&Impl::RemoteRead)));

  route("/metadata", method(&Impl::Metadata), false);
  route("/targets/metadata", method(&Impl::TargetsMetadata), false);
  route("/rules", Fixed(R"({"groups":[]})"), false);
  route("/alerts", Fixed(R"({"alerts":[]})"), false);
  route("/alertmanagers", Fixed(R"({"activeAlertmanagers":[],"droppedAlertmanagers":[]})"), false);
  route("/status/walreplay", Fixed(R"({"min":0,"max":0,"current":0})"), false);
  route("/status/buildinfo", Fixed(BuildInfoJsonText(o.build_info)), false);

  route(
      "/targets",
      [impl](const HttpRequest& req, std::shared_ptr<Responder> resp) {
        scrape::TargetsSnapshot snap;
        if (impl->options.targets) snap = impl->options.targets();
        SendSuccess(resp.get(), TargetsJson(snap, req.Param("state"), req.Param("scrapePool")));
      },
      false);
  route(
      "/scrape_pools",
      [impl](const HttpRequest&, std::shared_ptr<Responder> resp) {
        scrape::TargetsSnapshot snap;
        if (impl->options.targets) snap = impl->options.targets();
        SendSuccess(resp.get(), ScrapePoolsJson(snap));
      },
      false);
  route(
      "/status/config",
      [impl](const HttpRequest&, std::shared_ptr<Responder> resp) {
        std::string data = R"({"yaml":)";
        AppendJsonString(&data, impl->options.config_yaml ? impl->options.config_yaml() : "");
        data.push_back('}');
        SendSuccess(resp.get(), data);
      },
      false);
  std::string flags = "{";
  for (size_t i = 0; i < o.flags.size(); ++i) {
    if (i > 0) flags.push_back(',');
    AppendKey(&flags, o.flags[i].first);
    AppendJsonString(&flags, o.flags[i].second);
  }
  flags.push_back('}');
  route("/status/flags", Fixed(flags), false);
  route(
      "/status/runtimeinfo",
      [impl](const HttpRequest&, std::shared_ptr<Responder> resp) {
        RuntimeInfo info;
        if (impl->options.runtime_info) info = impl->options.runtime_info();
        SendSuccess(resp.get(), RuntimeInfoJson(info));
      },
      false);
  route(
      "/status/tsdb",
      [impl](const HttpRequest& req, std::shared_ptr<Responder> resp) {
        absl::StatusOr<int64_t> limit = ParseTsdbLimit(req.Param("limit"));
        if (!limit.ok()) {
          SendError(resp.get(), ApiError::BadData(std::string(AsStd(limit.status().message()))));
          return;
        }
        if (!impl->options.head_stats) {
          SendSuccess(resp.get(), TsdbStatusJson(HeadStats{}));
          return;
        }
        // Walks the whole index: off the io thread.
        impl->pool.Submit([impl, limit = *limit, resp] {
          SendSuccess(resp.get(), TsdbStatusJson(impl->options.head_stats(limit)));
        });
      },
      false);

  RegisterAdminRoutes(router, impl);
}

}  // namespace sundial::web::api
