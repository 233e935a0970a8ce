// Snapshots of scrape targets for /api/v1/targets, as Prometheus' Target reports them.
#ifndef SUNDIAL_SCRAPE_TARGET_STATUS_H_
#define SUNDIAL_SCRAPE_TARGET_STATUS_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/labels.h"

namespace sundial::scrape {

enum class TargetHealth { kUnknown, kUp, kDown };

// "unknown", "up", "down" as in the API.
inline const char* TargetHealthName(TargetHealth h) {
  return h == TargetHealth::kUp ? "up" : h == TargetHealth::kDown ? "down" : "unknown";
}

struct TargetStatus {
  std::string scrape_pool;  // the job name
  std::string scrape_url;
  Labels discovered_labels;  // before relabeling, __meta_* included
  Labels labels;             // after relabeling, as attached to samples (no __ labels)
  TargetHealth health = TargetHealth::kUnknown;
  std::string last_error;           // empty when the last scrape succeeded
  int64_t last_scrape_ms = 0;       // start of the last scrape, ms since the epoch; 0 = never
  double last_scrape_duration = 0;  // seconds
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{0};
};

struct DroppedTarget {
  std::string scrape_pool;
  Labels discovered_labels;
};

struct TargetsSnapshot {
  std::vector<TargetStatus> active;    // sorted by pool, then labels
  std::vector<DroppedTarget> dropped;  // at most keep_dropped_targets per pool (0 = all)
  // Per pool, every target dropped by relabeling, including those beyond keep_dropped_targets
  // (the API's droppedTargetCounts).
  std::map<std::string, uint64_t> dropped_counts{};
};

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_TARGET_STATUS_H_
