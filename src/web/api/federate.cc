// /federate: the newest sample of every series matching one of the match[] selectors, in the
// text exposition format 0.0.4, as Prometheus' web/federation.go answers it.
//
// For each selected series the sample taken is the newest one within the lookback delta before
// now; stale markers are skipped (the text format cannot carry them). Series are grouped into
// one untyped family per metric name, sorted by name; the external labels are appended to each
// series that does not carry them itself, and `instance=""` is always one of them so a
// federating server does not stamp its own instance label onto the federated series.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/metrics_text_format.h"
#include "base/str_cat.h"
#include "promql/parser.h"
#include "tsdb/value.h"
#include "web/api/api_internal.h"
#include "web/api/params.h"

namespace sundial::web::api {
namespace {

struct FederatedSample {
  Labels labels;
  int64_t t = 0;
  double v = 0;
};

// Prometheus' parser.ParseMetricSelectors: each value one metric selector. Unlike the API's
// match[] parsing, a selector whose matchers all match the empty string is accepted.
absl::StatusOr<std::vector<std::vector<Matcher>>> ParseSelectors(
    const std::vector<std::string>& selectors) {
  std::vector<std::vector<Matcher>> sets;
  for (const std::string& s : selectors) {
    absl::StatusOr<std::vector<Matcher>> m = promql::ParseMetricSelector(s);
    if (!m.ok()) return m.status();
    sets.push_back(*std::move(m));
  }
  return sets;
}

// A label value in the text format: backslash, double quote and newline escaped.
void AppendLabelValue(std::string* out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

// Appends one series line: name{labels,external labels} value timestamp.
void AppendSeriesLine(std::string* out, const FederatedSample& s,
                      const std::map<std::string, std::string>& external) {
  std::string_view name = s.labels.MetricName();
  out->append(name);
  out->push_back('{');
  bool first = true;
  auto pair = [&](std::string_view n, std::string_view v) {
    if (!first) out->push_back(',');
    first = false;
    out->append(n);
    out->append("=\"");
    AppendLabelValue(out, v);
    out->push_back('"');
  };
  for (const Label& l : s.labels) {
    // An empty value means the label is unset; never emit those.
    if (l.value.empty() || l.name == kMetricNameLabel) continue;
    pair(l.name, l.value);
  }
  for (const auto& [n, v] : external) {
    std::string_view own = s.labels.Get(n);
    if (own.empty()) pair(n, v);
  }
  out->append("} ");
  metrics::AppendFloat(out, s.v);
  out->push_back(' ');
  StrAppend(out, s.t);
  out->push_back('\n');
}

}  // namespace

void Api::Impl::Federate(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  absl::StatusOr<std::vector<std::vector<Matcher>>> sets = ParseSelectors(req.Params("match[]"));
  if (!sets.ok()) {
    resp->SendText(400, StrCat(AsStd(sets.status().message()), "\n"));
    return;
  }
  const int64_t now = options.now ? options.now() : NowMs();
  pool.Submit([this, sets = *std::move(sets), now, resp] {
    const int64_t lookback = options.engine_options.lookback_delta_ms > 0
                                 ? options.engine_options.lookback_delta_ms
                                 : 5 * 60 * 1000;
    const int64_t mint = now - lookback;
    const int64_t maxt = now;
    absl::StatusOr<std::unique_ptr<tsdb::Querier>> q = options.storage->NewQuerier(mint, maxt);
    if (!q.ok()) {
      resp->SendText(500, StrCat(AsStd(q.status().message()), "\n"));
      return;
    }
    tsdb::SelectHints hints;
    hints.start = mint;
    hints.end = maxt;
    std::vector<FederatedSample> samples;
    for (const std::vector<Matcher>& set : sets) {
      std::unique_ptr<tsdb::SeriesSet> ss = (*q)->Select(hints, set);
      while (ss->Next()) {
        std::unique_ptr<tsdb::SampleIterator> it = ss->At().Iterator();
        bool found = false;
        FederatedSample s;
        while (it->Next() == tsdb::ValueType::kFloat) {
          auto [t, v] = it->At();
          if (t > maxt) break;
          if (t < mint) continue;
          s.t = t;
          s.v = v;
          found = true;
        }
        if (!it->Err().ok()) {
          resp->SendText(500, StrCat(AsStd(it->Err().message()), "\n"));
          return;
        }
        if (!found || tsdb::IsStaleNaN(s.v)) continue;
        s.labels = ss->At().labels();
        samples.push_back(std::move(s));
      }
      if (!ss->Err().ok()) {
        resp->SendText(500, StrCat(AsStd(ss->Err().message()), "\n"));
        return;
      }
    }
    // Several selectors may pick the same series: merge them as one sorted, unique set.
    if (sets.size() > 1) {
      std::sort(
          samples.begin(), samples.end(),
          [](const FederatedSample& a, const FederatedSample& b) { return a.labels < b.labels; });
      samples.erase(std::unique(samples.begin(), samples.end(),
                                [](const FederatedSample& a, const FederatedSample& b) {
                                  return a.labels == b.labels;
                                }),
                    samples.end());
    }
    std::stable_sort(samples.begin(), samples.end(),
                     [](const FederatedSample& a, const FederatedSample& b) {
                       return a.labels.MetricName() < b.labels.MetricName();
                     });

    std::map<std::string, std::string> external;
    if (options.external_labels) external = options.external_labels();
    external.emplace("instance", "");

    resp->SetStatus(200);
    resp->SetContentType(metrics::kTextFormatContentType);
    std::string buf;
    std::string_view family;
    bool have_family = false;
    bool streaming = false;
    for (const FederatedSample& s : samples) {
      std::string_view name = s.labels.MetricName();
      // Nameless series are skipped, as Prometheus does.
      if (name.empty()) continue;
      if (!have_family || name != family) {
        StrAppend(&buf, "# TYPE ", name, " untyped\n");
        family = name;
        have_family = true;
      }
      AppendSeriesLine(&buf, s, external);
      if (buf.size() >= (64 << 10)) {
        streaming = true;
        if (!resp->Write(buf)) return;
        buf.clear();
      }
    }
    if (!streaming) {
      resp->Send(std::move(buf));
      return;
    }
    if (!buf.empty() && !resp->Write(buf)) return;
    resp->Finish();
  });
}

}  // namespace sundial::web::api
