// TargetGroup: what service discovery produces, as Prometheus' targetgroup.Group.
//
//   TargetGroup g{.source = "/etc/sd/nodes.json:0",
//                 .targets = {Labels{{"__address__", "node1:9100"}}},
//                 .labels = Labels{{"__meta_filepath", "/etc/sd/nodes.json"}, {"env", "prod"}}};
//
// A provider identifies each group by a source unique within the provider; an update carrying a
// source replaces the previous group of that source; a group with no targets empties it.
#ifndef SUNDIAL_DISCOVERY_TARGET_GROUP_H_
#define SUNDIAL_DISCOVERY_TARGET_GROUP_H_

#include <string>
#include <vector>

#include "model/labels.h"

namespace sundial::discovery {

struct TargetGroup {
  std::string source;
  // One label set per target; each has at least __address__.
  std::vector<Labels> targets{};
  // Labels common to every target; a target's own labels win on conflict.
  Labels labels{};

  friend bool operator==(const TargetGroup&, const TargetGroup&) = default;
};

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_TARGET_GROUP_H_
