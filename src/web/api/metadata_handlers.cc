// /api/v1/metadata and /api/v1/targets/metadata: the HELP/TYPE/UNIT the active targets exposed
// in their last scrapes, answered as Prometheus 2.42 answers them (web/api/v1/api.go). Where
// 2.42's order comes from Go map iteration (pools, targets, a family's entries), Sundial's is
// sorted; so is the choice of what a limit keeps.
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "base/str_cat.h"
#include "model/metric_type.h"
#include "promql/parser.h"
#include "scrape/metric_metadata.h"
#include "web/api/api_internal.h"
#include "web/api/json.h"
#include "web/api/params.h"

namespace sundial::web::api {
namespace {

// A `limit` parameter as Go's strconv.Atoi reads it: an optional sign, then decimal digits that
// fit 64 bits. Absent or empty: -1 (no limit). nullopt: not a number.
std::optional<int64_t> ParseLimitParam(std::string_view s) {
  if (s.empty()) return -1;
  if (s[0] == '+') {
    s.remove_prefix(1);
    if (s.empty() || s[0] == '-') return std::nullopt;
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// One metadata entry of a family, ordered for a deterministic answer.
using Entry = std::tuple<std::string_view, std::string_view, std::string_view>;  // type help unit

void AppendEntryFields(std::string* out, std::string_view type, std::string_view help,
                       std::string_view unit) {
  out->append(R"("type":)");
  AppendJsonString(out, type);
  out->append(R"(,"help":)");
  AppendJsonString(out, help);
  out->append(R"(,"unit":)");
  AppendJsonString(out, unit);
}

const scrape::MetricMetadata* Find(const std::vector<scrape::MetricMetadata>& list,
                                   std::string_view metric) {
  auto it = std::lower_bound(
      list.begin(), list.end(), metric,
      [](const scrape::MetricMetadata& m, std::string_view name) { return m.metric < name; });
  return it != list.end() && it->metric == metric ? &*it : nullptr;
}

}  // namespace

void Api::Impl::Metadata(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  std::optional<int64_t> limit = ParseLimitParam(req.Param("limit"));
  if (!limit) {
    SendError(resp.get(), ApiError::BadData("limit must be a number"));
    return;
  }
  std::vector<scrape::TargetMetadata> targets;
  if (options.metadata) targets = options.metadata();
  const std::string metric(req.Param("metric"));
  // Deduplicated across targets.
  std::map<std::string_view, std::set<Entry>> families;
  for (const scrape::TargetMetadata& t : targets) {
    auto add = [&](const scrape::MetricMetadata& m) {
      families[m.metric].emplace(MetricTypeName(m.type), m.help, m.unit);
    };
    if (metric.empty()) {
      for (const scrape::MetricMetadata& m : *t.metadata) add(m);
    } else if (const scrape::MetricMetadata* m = Find(*t.metadata, metric)) {
      add(*m);
    }
  }
  std::string out = "{";
  int64_t written = 0;
  for (const auto& [name, entries] : families) {
    if (*limit >= 0 && written >= *limit) break;
    if (written++ > 0) out.push_back(',');
    AppendJsonString(&out, name);
    out.append(":[");
    bool first = true;
    for (const auto& [type, help, unit] : entries) {
      out.append(first ? "{" : ",{");
      first = false;
      AppendEntryFields(&out, type, help, unit);
      out.push_back('}');
    }
    out.push_back(']');
  }
  out.push_back('}');
  SendSuccess(resp.get(), out);
}

void Api::Impl::TargetsMetadata(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  std::optional<int64_t> limit = ParseLimitParam(req.Param("limit"));
  if (!limit) {
    SendError(resp.get(), ApiError::BadData("limit must be a number"));
    return;
  }
  std::vector<Matcher> matchers;
  if (std::string match_target(req.Param("match_target")); !match_target.empty()) {
    absl::StatusOr<std::vector<Matcher>> m = promql::ParseMetricSelector(match_target);
    if (!m.ok()) {
      SendError(resp.get(),
                ApiError::BadData(InvalidParam("match_target", AsStd(m.status().message()))));
      return;
    }
    matchers = *std::move(m);
  }
  std::vector<scrape::TargetMetadata> targets;
  if (options.metadata) targets = options.metadata();
  const std::string metric(req.Param("metric"));
  std::string out = "[";
  int64_t written = 0;
  auto append = [&](const scrape::TargetMetadata& t, const scrape::MetricMetadata& m,
                    bool with_metric) {
    out.append(written++ > 0 ? ",{" : "{");
    out.append(R"("target":)");
    AppendLabels(&out, t.labels);
    if (with_metric) {
      out.append(R"(,"metric":)");
      AppendJsonString(&out, m.metric);
    }
    out.push_back(',');
    AppendEntryFields(&out, MetricTypeName(m.type), m.help, m.unit);
    out.push_back('}');
  };
  for (const scrape::TargetMetadata& t : targets) {
    // As 2.42: the limit is checked per target, whose entries are then all added.
    if (*limit >= 0 && written >= *limit) break;
    bool match = true;
    for (const Matcher& m : matchers) match = match && m.Matches(t.labels.Get(m.name()));
    if (!match) continue;
    if (metric.empty()) {
      for (const scrape::MetricMetadata& m : *t.metadata) append(t, m, !m.metric.empty());
    } else if (const scrape::MetricMetadata* m = Find(*t.metadata, metric)) {
      append(t, *m, false);
    }
  }
  out.push_back(']');
  SendSuccess(resp.get(), out);
}

}  // namespace sundial::web::api
