// The provider behind static_configs: one group per entry, source "<index>", as Prometheus'
// discovery.StaticConfig. It reports once, from Start.
#ifndef SUNDIAL_DISCOVERY_STATIC_PROVIDER_H_
#define SUNDIAL_DISCOVERY_STATIC_PROVIDER_H_

#include <memory>
#include <vector>

#include "config/discovery_config.h"
#include "discovery/provider.h"

namespace sundial::discovery {

std::vector<TargetGroup> StaticGroups(const std::vector<config::StaticConfig>& configs);

std::unique_ptr<Provider> NewStaticProvider(std::vector<config::StaticConfig> configs);

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_STATIC_PROVIDER_H_
