// A provider that polls: it calls a refresh function at Start and then every interval, as
// Prometheus' discovery/refresh. A refresh that fails is logged and sends nothing, so the groups
// of the last good refresh stay in place; an update is sent only when the groups changed.
//
//   auto p = NewRefreshProvider("http", 60s, [](std::stop_token stop)
//                                    -> absl::StatusOr<std::vector<TargetGroup>> { ... });
//   p->Start(update);
//
// The refresh function runs on the provider's own thread (never on an io_context thread), so it
// may block; it should return soon after `stop` is requested (Stop waits for it).
#ifndef SUNDIAL_DISCOVERY_REFRESH_PROVIDER_H_
#define SUNDIAL_DISCOVERY_REFRESH_PROVIDER_H_

#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/duration.h"
#include "discovery/provider.h"

namespace sundial::discovery {

using RefreshFn = std::function<absl::StatusOr<std::vector<TargetGroup>>(std::stop_token stop)>;

// mechanism names the provider in logs ("http", "dns"). REQUIRES: interval > 0.
std::unique_ptr<Provider> NewRefreshProvider(std::string mechanism, Duration interval,
                                             RefreshFn refresh);

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_REFRESH_PROVIDER_H_
