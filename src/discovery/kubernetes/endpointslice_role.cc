// Role "endpointslice" (Prometheus' discovery/kubernetes/endpointslice.go, discovery.k8s.io/v1).
#include <optional>
#include <vector>

#include "base/str_cat.h"
#include "discovery/kubernetes/roles.h"

namespace sundial::discovery::kubernetes {
namespace {

std::string_view Bool(const Json& v) { return v.boolean() ? "true" : "false"; }

// The secondary slice of a dual-stack service duplicates the primary one's targets.
bool NonPrimaryIpFamilySlice(const Json* svc, const Json& slice) {
  if (svc == nullptr) return false;
  const std::string& policy = (*svc)["spec"]["ipFamilyPolicy"].str();
  if (policy != "PreferDualStack" && policy != "RequireDualStack") return false;
  const std::vector<Json>& families = (*svc)["spec"]["ipFamilies"].items();
  if (families.empty()) return false;
  return slice["addressType"].str() != families[0].str();
}

}  // namespace

TargetGroup BuildEndpointSliceGroup(const Json& slice, const Lookups& lookups) {
  TargetGroup g{.source = SourceFor("endpointslice", ObjectKey(slice))};
  const Json& meta = slice["metadata"];
  LabelsBuilder labels;
  labels.Set(Meta("namespace"), meta["namespace"].str());
  labels.Set(Meta("endpointslice_address_type"), slice["addressType"].str());
  AddObjectMetaLabels(labels, slice, "endpointslice");
  const Json* svc = nullptr;
  const Json& service_name = meta["labels"]["kubernetes.io/service-name"];
  if (service_name.is_string() && lookups.service) {
    svc = lookups.service(StrCat(meta["namespace"].str(), "/", service_name.str()));
    if (svc != nullptr) {
      labels.Set(Meta("namespace"), (*svc)["metadata"]["namespace"].str());
      AddObjectMetaLabels(labels, *svc, "service");
    }
  }
  g.labels = labels.Build();
  if (NonPrimaryIpFamilySlice(svc, slice)) return g;

  std::vector<SeenPod> seen;
  auto add = [&](const std::string& addr, const Json& ep, const Json& port) {
    const bool has_port = port["port"].is_number();
    const int64_t number = port["port"].integer();
    LabelsBuilder t;
    t.Set("__address__", has_port ? JoinHostPort(addr, StrCat(number)) : addr);
    if (port["name"].is_string()) t.Set(Meta("endpointslice_port_name"), port["name"].str());
    if (port["protocol"].is_string()) {
      t.Set(Meta("endpointslice_port_protocol"), port["protocol"].str());
    }
    if (has_port) t.Set(Meta("endpointslice_port"), StrCat(number));
    if (port["appProtocol"].is_string()) {
      t.Set(Meta("endpointslice_port_app_protocol"), port["appProtocol"].str());
    }
    const Json& cond = ep["conditions"];
    if (cond["ready"].is_bool()) {
      t.Set(Meta("endpointslice_endpoint_conditions_ready"), Bool(cond["ready"]));
    }
    if (cond["serving"].is_bool()) {
      t.Set(Meta("endpointslice_endpoint_conditions_serving"), Bool(cond["serving"]));
    }
    if (cond["terminating"].is_bool()) {
      t.Set(Meta("endpointslice_endpoint_conditions_terminating"), Bool(cond["terminating"]));
    }
    if (ep["hostname"].is_string()) {
      t.Set(Meta("endpointslice_endpoint_hostname"), ep["hostname"].str());
    }
    const Json& ref = ep["targetRef"];
    if (ref.is_object()) {
      t.Set(Meta("endpointslice_address_target_kind"), ref["kind"].str());
      t.Set(Meta("endpointslice_address_target_name"), ref["name"].str());
    }
    if (ep["nodeName"].is_string()) {
      t.Set(Meta("endpointslice_endpoint_node_name"), ep["nodeName"].str());
    }
    if (ep["zone"].is_string()) t.Set(Meta("endpointslice_endpoint_zone"), ep["zone"].str());
    for (const auto& [k, v] : ep["deprecatedTopology"].members()) {
      const std::string name = SanitizeLabelName(k);
      t.Set(StrCat(kMetaPrefix, "endpointslice_endpoint_topology_", name), v.str());
      t.Set(StrCat(kMetaPrefix, "endpointslice_endpoint_topology_present_", name), "true");
    }
    if (ref.is_object() && ref["kind"].str() == "Node") {
      AddNodeMetadata(t, lookups, ref["name"].str());
    } else {
      AddNodeMetadata(t, lookups, ep["nodeName"].str());
    }
    const Json* pod = ResolvePod(lookups, ref);
    if (pod == nullptr) {
      g.targets.push_back(t.Build());
      return;
    }
    SeenPod& sp = SeenPodEntry(seen, pod);
    AddPodLabels(t, *pod);
    if (!has_port) {
      g.targets.push_back(t.Build());
      return;
    }
    if (std::optional<ContainerPort> cp = FindContainerPort(*pod, number)) {
      AddContainerPortLabels(t, *cp, (*cp->port)["protocol"].str());
    }
    sp.ports.push_back(number);
    g.targets.push_back(t.Build());
  };

  for (const Json& ep : slice["endpoints"].items()) {
    for (const Json& port : slice["ports"].items()) {
      for (const Json& addr : ep["addresses"].items()) add(addr.str(), ep, port);
    }
  }

  AddUncoveredPodPorts(seen, &g);
  return g;
}

}  // namespace sundial::discovery::kubernetes
