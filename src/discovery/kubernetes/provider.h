// The provider behind kubernetes_sd_configs, as Prometheus' discovery/kubernetes: informers
// (list + watch) per namespace for the role's resource and, for endpoints and endpointslice,
// the namespace's services and pods; with attach_metadata.node also the nodes. Once every
// informer has listed, it sends one target group per object (roles.h) and afterwards the
// changed groups as events arrive; a deleted object leaves an empty group for its source.
//
//   ASSIGN_OR_RETURN(auto p, kubernetes::NewProvider(config, &pool));
//   p->Start(update);
#ifndef SUNDIAL_DISCOVERY_KUBERNETES_PROVIDER_H_
#define SUNDIAL_DISCOVERY_KUBERNETES_PROVIDER_H_

#include <chrono>
#include <memory>

#include "absl/status/statusor.h"
#include "base/metrics_family.h"
#include "config/discovery_config.h"
#include "discovery/kubernetes/api_server.h"
#include "discovery/provider.h"
#include "net/io_pool.h"

namespace sundial::discovery::kubernetes {

struct ProviderOptions {
  InClusterEnv env = InClusterEnvFromProcess();
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
};

// prometheus_sd_kubernetes_events_total{role, event}: store changes (event add, delete or
// update) per resource role; every combination is exported from the first provider on.
metrics::CounterFamily& Events();

// Fails when the API server or its client cannot be configured (no in-cluster environment, an
// unreadable kubeconfig, token or TLS file). REQUIRES: pool outlives the provider.
absl::StatusOr<std::unique_ptr<Provider>> NewProvider(const config::KubernetesSdConfig& config,
                                                      net::IoPool* pool,
                                                      ProviderOptions options = {});

}  // namespace sundial::discovery::kubernetes

#endif  // SUNDIAL_DISCOVERY_KUBERNETES_PROVIDER_H_
