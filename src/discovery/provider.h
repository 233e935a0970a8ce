// Provider: one service discovery mechanism instance (one static_configs list, one file_sd_config,
// ...). It reports the complete set of its target groups every time something changes.
//
//   std::unique_ptr<Provider> p = NewStaticProvider(job.service_discovery.static_configs);
//   p->Start([](std::vector<TargetGroup> groups) { ... });
//   ...
//   p->Stop();   // no update runs after Stop returns
#ifndef SUNDIAL_DISCOVERY_PROVIDER_H_
#define SUNDIAL_DISCOVERY_PROVIDER_H_

#include <functional>
#include <vector>

#include "discovery/target_group.h"

namespace sundial::discovery {

class Provider {
 public:
  // Receives every group the provider currently knows (replacing what it sent before). Called
  // from a provider thread (or inline from Start), never concurrently for one provider.
  using UpdateFn = std::function<void(std::vector<TargetGroup> groups)>;

  // Stops the provider if it runs.
  virtual ~Provider() = default;

  // Begins discovery; may call update before returning. REQUIRES: called once.
  virtual void Start(UpdateFn update) = 0;
  // Blocks until the provider's threads are gone; afterwards update is never called. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_PROVIDER_H_
