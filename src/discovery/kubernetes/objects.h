// What every Kubernetes SD role shares: label naming, object keys, the metadata and pod labels
// Prometheus attaches (discovery/kubernetes/kubernetes.go, pod.go), and lookups into the other
// informers' stores.
#ifndef SUNDIAL_DISCOVERY_KUBERNETES_OBJECTS_H_
#define SUNDIAL_DISCOVERY_KUBERNETES_OBJECTS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "discovery/target_group.h"
#include "model/labels.h"

namespace sundial::discovery::kubernetes {

inline constexpr std::string_view kMetaPrefix = "__meta_kubernetes_";

// "__meta_kubernetes_" + suffix.
std::string Meta(std::string_view suffix);
// Every character outside [a-zA-Z0-9_] becomes '_' (Prometheus' strutil.SanitizeLabelName).
std::string SanitizeLabelName(std::string_view name);
// host:port with IPv6 hosts in brackets, as Go's net.JoinHostPort.
std::string JoinHostPort(std::string_view host, std::string_view port);

// "namespace/name", or "name" for cluster-scoped objects (nodes): the informer store key.
std::string ObjectKey(const Json& object);

// <prefix>_name plus <prefix>_label_<l>, _labelpresent_<l>, _annotation_<a> and
// _annotationpresent_<a> for the object's metadata; prefix is the role ("pod", "node",
// "service", "endpoints", "endpointslice", "ingress").
void AddObjectMetaLabels(LabelsBuilder& b, const Json& object, std::string_view role);

// The pod labels shared by the pod, endpoints and endpointslice roles: pod ip, ready, phase,
// node name, host ip, uid, controller kind/name and the pod's metadata labels.
void AddPodLabels(LabelsBuilder& b, const Json& pod);

// Looks up objects of the other informers of a role by store key; an empty function or a
// nullptr result means "not known".
struct Lookups {
  std::function<const Json*(std::string_view key)> service{};
  std::function<const Json*(std::string_view key)> pod{};
  std::function<const Json*(std::string_view name)> node{};  // set iff attach_metadata.node
};

// A pod that endpoints (or an endpoint slice) point at, and the ports of its endpoints.
struct SeenPod {
  const Json* pod;
  std::vector<int64_t> ports;  // endpoint ports that produced a target
};

// The pod a targetRef of kind Pod names, if the pod informer knows it.
const Json* ResolvePod(const Lookups& lookups, const Json& target_ref);

// The SeenPod entry of pod in seen, appended if there is none yet.
SeenPod& SeenPodEntry(std::vector<SeenPod>& seen, const Json* pod);

// A port that one of a pod's containers declares.
struct ContainerPort {
  const Json* container;
  const Json* port;
  bool init;  // declared by an init container
};

// The container that declares containerPort `number`, with its first such port. When several
// do, the last one, containers before init containers (Prometheus keeps searching after a match).
std::optional<ContainerPort> FindContainerPort(const Json& pod, int64_t number);

// Sets the pod_container_{name,image,init} and pod_container_port_{name,number,protocol} labels
// of cp; protocol is the port protocol label's value (the endpoints role takes the endpoint
// port's, the others the container port's, as Prometheus does).
void AddContainerPortLabels(LabelsBuilder& b, const ContainerPort& cp, std::string_view protocol);

// Appends to g a target for every container port of these pods that no endpoint port covered
// (pod ip:port with the container and pod labels), as Prometheus does for both endpoint roles.
void AddUncoveredPodPorts(const std::vector<SeenPod>& seen, TargetGroup* g);

// With attach_metadata.node: the node's name, labels and annotations (as role "node").
void AddNodeMetadata(LabelsBuilder& b, const Lookups& lookups, std::string_view node_name);

}  // namespace sundial::discovery::kubernetes

#endif  // SUNDIAL_DISCOVERY_KUBERNETES_OBJECTS_H_
