// Metric metadata: the HELP, TYPE and UNIT of a metric family as a target last exposed them, kept
// per target for /api/v1/metadata and /api/v1/targets/metadata (Prometheus' MetricMetadata).
//
//   for (const TargetMetadata& t : scrapes.TargetsMetadata())
//     for (const MetricMetadata& m : *t.metadata) Print(t.labels, m.metric,
//     MetricTypeName(m.type));
#ifndef SUNDIAL_SCRAPE_METRIC_METADATA_H_
#define SUNDIAL_SCRAPE_METRIC_METADATA_H_

#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"
#include "scrape/parser.h"

namespace sundial::scrape {

struct MetricMetadata {
  std::string metric;                      // the family name of the HELP/TYPE/UNIT lines
  MetricType type = MetricType::kUnknown;  // kUnknown also when no TYPE line was seen
  std::string help;
  std::string unit;
};

// The metadata of one active target.
struct TargetMetadata {
  std::string scrape_pool;
  Labels labels;  // the target's labels without "__" ones (TargetStatus::labels)
  // Sorted by metric; never null. Shared with the target's loop, which replaces (never changes)
  // it when a family's metadata changes.
  std::shared_ptr<const std::vector<MetricMetadata>> metadata;
};

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_METRIC_METADATA_H_
