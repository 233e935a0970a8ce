// The target group of one Kubernetes object per role, with exactly the addresses, sources and
// __meta_kubernetes_* labels of Prometheus' discovery/kubernetes (pod.go, node.go, service.go,
// endpoints.go, endpointslice.go, ingress.go). Pure functions of the object and of lookups into
// the other informers' stores.
#ifndef SUNDIAL_DISCOVERY_KUBERNETES_ROLES_H_
#define SUNDIAL_DISCOVERY_KUBERNETES_ROLES_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"
#include "discovery/kubernetes/objects.h"
#include "discovery/target_group.h"

namespace sundial::discovery::kubernetes {

// Group sources: "pod/<ns>/<name>", "node/<name>", "svc/<ns>/<name>", "endpoints/<ns>/<name>",
// "endpointslice/<ns>/<name>", "ingress/<ns>/<name>". `key` is the store key (ObjectKey).
std::string SourceFor(std::string_view role, std::string_view key);

// One target per container port (a container without ports: one target at the pod IP), init
// containers included. No targets while the pod has no IP, nor (with attach_metadata.node) when
// its node is unknown.
TargetGroup BuildPodGroup(const Json& pod, const Lookups& lookups);
// The kubelet address (InternalIP, InternalDNS, ExternalIP, ExternalDNS, LegacyHostIP, Hostname
// in that order of preference); nullopt when the node has none (Prometheus sends nothing then).
std::optional<TargetGroup> BuildNodeGroup(const Json& node);
// One target per service port at <name>.<namespace>.svc:<port>.
TargetGroup BuildServiceGroup(const Json& service);
// One target per address and port (ready and not ready), plus the endpoint pods' container
// ports that no endpoint port covers.
TargetGroup BuildEndpointsGroup(const Json& endpoints, const Lookups& lookups);
TargetGroup BuildEndpointSliceGroup(const Json& slice, const Lookups& lookups);
// One target per rule host and path; scheme https when a TLS host pattern matches.
TargetGroup BuildIngressGroup(const Json& ingress);

}  // namespace sundial::discovery::kubernetes

#endif  // SUNDIAL_DISCOVERY_KUBERNETES_ROLES_H_
