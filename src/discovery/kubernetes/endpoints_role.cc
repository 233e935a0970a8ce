// Role "endpoints" (Prometheus' discovery/kubernetes/endpoints.go).
#include <optional>
#include <vector>

#include "base/str_cat.h"
#include "discovery/kubernetes/roles.h"

namespace sundial::discovery::kubernetes {
namespace {

// Labels of the service with the same key, if known.
void AddServiceLabels(LabelsBuilder& b, const Lookups& lookups, std::string_view key) {
  if (!lookups.service) return;
  const Json* svc = lookups.service(key);
  if (svc == nullptr) return;
  b.Set(Meta("namespace"), (*svc)["metadata"]["namespace"].str());
  AddObjectMetaLabels(b, *svc, "service");
}

}  // namespace

TargetGroup BuildEndpointsGroup(const Json& endpoints, const Lookups& lookups) {
  const std::string key = ObjectKey(endpoints);
  TargetGroup g{.source = SourceFor("endpoints", key)};
  LabelsBuilder labels;
  labels.Set(Meta("namespace"), endpoints["metadata"]["namespace"].str());
  AddServiceLabels(labels, lookups, key);
  AddObjectMetaLabels(labels, endpoints, "endpoints");
  g.labels = labels.Build();

  std::vector<SeenPod> seen;
  auto add = [&](const Json& addr, const Json& port, std::string_view ready) {
    const int64_t number = port["port"].integer();
    LabelsBuilder t;
    t.Set("__address__", JoinHostPort(addr["ip"].str(), StrCat(number)));
    t.Set(Meta("endpoint_port_name"), port["name"].str());
    t.Set(Meta("endpoint_port_protocol"), port["protocol"].str());
    t.Set(Meta("endpoint_ready"), ready);
    const Json& ref = addr["targetRef"];
    if (ref.is_object()) {
      t.Set(Meta("endpoint_address_target_kind"), ref["kind"].str());
      t.Set(Meta("endpoint_address_target_name"), ref["name"].str());
    }
    if (addr["nodeName"].is_string()) t.Set(Meta("endpoint_node_name"), addr["nodeName"].str());
    t.Set(Meta("endpoint_hostname"), addr["hostname"].str());
    if (addr["nodeName"].is_string()) {
      AddNodeMetadata(t, lookups, addr["nodeName"].str());
    } else if (ref.is_object() && ref["kind"].str() == "Node") {
      AddNodeMetadata(t, lookups, ref["name"].str());
    }
    const Json* pod = ResolvePod(lookups, ref);
    if (pod == nullptr) {
      g.targets.push_back(t.Build());
      return;
    }
    SeenPod& sp = SeenPodEntry(seen, pod);
    AddPodLabels(t, *pod);
    if (std::optional<ContainerPort> cp = FindContainerPort(*pod, number)) {
      AddContainerPortLabels(t, *cp, port["protocol"].str());
    }
    sp.ports.push_back(number);
    g.targets.push_back(t.Build());
  };

  for (const Json& subset : endpoints["subsets"].items()) {
    for (const Json& port : subset["ports"].items()) {
      for (const Json& addr : subset["addresses"].items()) add(addr, port, "true");
      for (const Json& addr : subset["notReadyAddresses"].items()) add(addr, port, "false");
    }
  }

  AddUncoveredPodPorts(seen, &g);
  return g;
}

}  // namespace sundial::discovery::kubernetes
