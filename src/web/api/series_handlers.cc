// /api/v1/labels, /api/v1/label/{name}/values, /api/v1/series.
#include <algorithm>
#include <set>
#include <utility>

#include "base/str_cat.h"
#include "model/names.h"
#include "web/api/api_internal.h"
#include "web/api/json.h"
#include "web/api/params.h"

namespace sundial::web::api {
namespace {

// What labels, label values and series share: start, end, match[] and limit.
struct SeriesRequest {
  int64_t start = kMinTimeMs;
  int64_t end = kMaxTimeMs;
  std::vector<std::vector<Matcher>> match_sets;
  int64_t limit = 0;
};

// Prefixes match[] errors with `invalid parameter "match[]": ` when prefix_match is set (series
// does, labels and label values in 2.42 do not). Returns false after answering an error.
bool ParseSeriesRequest(const HttpRequest& req, bool prefix_match, SeriesRequest* out,
                        Responder* resp) {
  absl::StatusOr<int64_t> limit = ParseLimit(req.Param("limit"));
  if (!limit.ok()) {
    SendError(resp, ApiError::BadData(InvalidParam("limit", AsStd(limit.status().message()))));
    return false;
  }
  out->limit = *limit;
  absl::StatusOr<int64_t> start = ParseTimeParam(req, "start", kMinTimeMs);
  if (!start.ok()) {
    SendError(resp, ApiError::BadData(InvalidParam("start", AsStd(start.status().message()))));
    return false;
  }
  absl::StatusOr<int64_t> end = ParseTimeParam(req, "end", kMaxTimeMs);
  if (!end.ok()) {
    SendError(resp, ApiError::BadData(InvalidParam("end", AsStd(end.status().message()))));
    return false;
  }
  out->start = *start;
  out->end = *end;
  absl::StatusOr<std::vector<std::vector<Matcher>>> sets = ParseMatchSets(req.Params("match[]"));
  if (!sets.ok()) {
    std::string message(AsStd(sets.status().message()));
    SendError(resp, ApiError::BadData(prefix_match ? InvalidParam("match[]", message) : message));
    return false;
  }
  out->match_sets = *std::move(sets);
  return true;
}

// A sorted string array, truncated to limit with Prometheus' warning.
void SendStrings(Responder* resp, std::vector<std::string> items, int64_t limit) {
  std::vector<std::string> warnings;
  if (limit > 0 && items.size() > static_cast<size_t>(limit)) {
    items.resize(static_cast<size_t>(limit));
    warnings.emplace_back(kTruncatedWarning);
  }
  JsonStream js(resp);
  *js.buf() = BeginSuccess();
  js.buf()->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) js.buf()->push_back(',');
    AppendJsonString(js.buf(), items[i]);
    if (!js.MaybeFlush()) return;
  }
  js.buf()->push_back(']');
  EndSuccess(js.buf(), warnings);
  js.Finish();
}

// Names or values over every match set (or all series), merged, sorted, unique.
template <typename Lookup>
absl::StatusOr<std::vector<std::string>> Union(tsdb::Queryable* storage, const SeriesRequest& sr,
                                               Lookup lookup) {
  absl::StatusOr<std::unique_ptr<tsdb::Querier>> q = storage->NewQuerier(sr.start, sr.end);
  if (!q.ok()) return q.status();
  if (sr.match_sets.empty()) return lookup(q->get(), std::span<const Matcher>());
  std::set<std::string> merged;
  for (const std::vector<Matcher>& set : sr.match_sets) {
    absl::StatusOr<std::vector<std::string>> part = lookup(q->get(), std::span<const Matcher>(set));
    if (!part.ok()) return part.status();
    for (std::string& s : *part) merged.insert(std::move(s));
  }
  return std::vector<std::string>(merged.begin(), merged.end());
}

// model.UnescapeName with the "U__" value-encoding escaping; the name itself when it is not a
// valid escape.
std::string UnescapeName(std::string_view name) {
  if (name.substr(0, 3) != "U__") return std::string(name);
  std::string_view e = name.substr(3);
  std::string out;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] != '_') {
      out.push_back(e[i]);
      continue;
    }
    if (++i >= e.size()) return std::string(name);
    if (e[i] == '_') {
      out.push_back('_');
      continue;
    }
    uint32_t cp = 0;
    bool closed = false;
    for (int j = 0; i < e.size(); ++j, ++i) {
      if (j >= 6) return std::string(name);
      char c = e[i];
      if (c == '_') {
        closed = true;
        break;
      }
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      cp *= 16;
      if (c >= '0' && c <= '9') {
        cp += static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        cp += static_cast<uint32_t>(c - 'a' + 10);
      } else {
        return std::string(name);
      }
    }
    if (!closed || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::string(name);
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }
  return out;
}

bool IsLegacyLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void Api::Impl::LabelNames(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  SeriesRequest sr;
  if (!ParseSeriesRequest(req, /*prefix_match=*/false, &sr, resp.get())) return;
  pool.Submit([this, sr = std::move(sr), resp] {
    absl::StatusOr<std::vector<std::string>> names =
        Union(options.storage, sr,
              [](tsdb::Querier* q, std::span<const Matcher> m) { return q->LabelNames(m); });
    if (!names.ok()) {
      SendError(resp.get(), {ErrorType::kExecution, std::string(AsStd(names.status().message()))});
      return;
    }
    SendStrings(resp.get(), *std::move(names), sr.limit);
  });
}

void Api::Impl::LabelValues(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  std::string raw(req.PathParam("name"));
  std::string name = UnescapeName(raw);
  // Names that arrive U__-escaped may be any UTF-8 (3.x); plain ones follow the classic rule.
  bool valid = name != raw ? !name.empty() : IsLegacyLabelName(name);
  if (!valid) {
    SendError(resp.get(), ApiError::BadData(StrCat("invalid label name: ", GoQuote(raw))));
    return;
  }
  SeriesRequest sr;
  if (!ParseSeriesRequest(req, /*prefix_match=*/false, &sr, resp.get())) return;
  pool.Submit([this, name = std::move(name), sr = std::move(sr), resp] {
    absl::StatusOr<std::vector<std::string>> values = Union(
        options.storage, sr,
        [&name](tsdb::Querier* q, std::span<const Matcher> m) { return q->LabelValues(name, m); });
    if (!values.ok()) {
      SendError(resp.get(), {ErrorType::kExecution, std::string(AsStd(values.status().message()))});
      return;
    }
    SendStrings(resp.get(), *std::move(values), sr.limit);
  });
}

void Api::Impl::Series(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  if (!req.HasParam("match[]")) {
    SendError(resp.get(), ApiError::BadData("no match[] parameter provided"));
    return;
  }
  SeriesRequest sr;
  if (!ParseSeriesRequest(req, /*prefix_match=*/true, &sr, resp.get())) return;
  pool.Submit([this, sr = std::move(sr), resp] {
    absl::StatusOr<std::unique_ptr<tsdb::Querier>> q =
        options.storage->NewQuerier(sr.start, sr.end);
    if (!q.ok()) {
      SendError(resp.get(), {ErrorType::kExecution, std::string(AsStd(q.status().message()))});
      return;
    }
    tsdb::SelectHints hints;
    hints.start = sr.start;
    hints.end = sr.end;
    hints.func = "series";
    // One set streams straight from storage; several are merged (sorted, unique).
    std::vector<Labels> merged;
    std::unique_ptr<tsdb::SeriesSet> single;
    if (sr.match_sets.size() == 1) {
      single = (*q)->Select(hints, sr.match_sets[0]);
    } else {
      std::set<Labels> all;
      for (const std::vector<Matcher>& set : sr.match_sets) {
        std::unique_ptr<tsdb::SeriesSet> s = (*q)->Select(hints, set);
        while (s->Next()) all.insert(s->At().labels());
        if (!s->Err().ok()) {
          SendError(resp.get(), {ErrorType::kExecution, std::string(AsStd(s->Err().message()))});
          return;
        }
      }
      merged.assign(all.begin(), all.end());
    }
    JsonStream js(resp.get());
    *js.buf() = BeginSuccess();
    js.buf()->push_back('[');
    size_t n = 0;
    bool truncated = false;
    auto emit = [&](const Labels& l) {
      if (sr.limit > 0 && n >= static_cast<size_t>(sr.limit)) {
        truncated = true;
        return false;
      }
      if (n++ > 0) js.buf()->push_back(',');
      AppendLabels(js.buf(), l);
      return js.MaybeFlush();
    };
    if (single) {
      while (single->Next()) {
        if (!emit(single->At().labels())) break;
      }
      if (!truncated && !single->Err().ok()) {
        if (n == 0) {
          SendError(resp.get(),
                    {ErrorType::kExecution, std::string(AsStd(single->Err().message()))});
          return;
        }
      }
    } else {
      for (const Labels& l : merged) {
        if (!emit(l)) break;
      }
    }
    js.buf()->push_back(']');
    std::vector<std::string> warnings;
    if (truncated) warnings.emplace_back(kTruncatedWarning);
    EndSuccess(js.buf(), warnings);
    js.Finish();
  });
}

}  // namespace sundial::web::api
