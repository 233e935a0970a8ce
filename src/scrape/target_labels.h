// Turning discovered labels into a scrape target, as Prometheus 3.x's scrape.PopulateLabels does.
//
//   ASSIGN_OR_RETURN(std::optional<ScrapeTarget> t, PopulateTarget(discovered, job));
//   if (!t) continue;            // dropped by relabel_configs
//   Scrape(t->url, t->labels);
#ifndef SUNDIAL_SCRAPE_TARGET_LABELS_H_
#define SUNDIAL_SCRAPE_TARGET_LABELS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "config/scrape_config.h"
#include "model/labels.h"

namespace sundial::scrape {

struct ScrapeTarget {
  // job, instance, __address__, __scheme__, __metrics_path__, __scrape_interval__,
  // __scrape_timeout__, __param_* and whatever relabeling produced; no __meta_* labels.
  Labels labels;
  std::string url;  // TargetUrl(labels, params)
};

// 1. Adds job, __scrape_interval__, __scrape_timeout__, __metrics_path__, __scheme__ from the job
//    and __param_<k> (first value) from params where discovery did not set them.
// 2. Applies relabel_configs; returns nullopt if they dropped the target.
// 3. Checks __address__ (errors "no address", `"a/b" is not a valid hostname`), interval and
//    timeout labels ("scrape timeout cannot be greater than scrape interval (...)"), drops
//    __meta_* labels, defaults instance to __address__ and checks every value is UTF-8
//    (`invalid label value for "x": "..."`).
// Like Prometheus 3.x (and unlike 2.x) no default port is added to __address__.
absl::StatusOr<std::optional<ScrapeTarget>> PopulateTarget(const Labels& discovered,
                                                           const config::ScrapeConfig& job);

// The labels Prometheus reports as a target's discoveredLabels: discovered plus step 1 above
// (job, __scrape_interval__, __scrape_timeout__, __metrics_path__, __scheme__, __param_*).
Labels WithScrapeDefaults(const Labels& discovered, const config::ScrapeConfig& job);

// <__scheme__>://<__address__><__metrics_path__>?<query>, where the query is params overridden
// by __param_* labels, encoded as Go's url.Values.Encode (sorted keys, QueryEscape).
std::string TargetUrl(const Labels& labels,
                      const std::map<std::string, std::vector<std::string>>& params);

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_TARGET_LABELS_H_
