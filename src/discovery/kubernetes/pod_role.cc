// Role "pod" (Prometheus' discovery/kubernetes/pod.go).
#include "base/str_cat.h"
#include "discovery/kubernetes/roles.h"

namespace sundial::discovery::kubernetes {
namespace {

std::string ContainerId(const Json& statuses, std::string_view name) {
  for (const Json& s : statuses.items()) {
    if (s["name"].str() == name) return s["containerID"].str();
  }
  return "";
}

}  // namespace

std::string SourceFor(std::string_view role, std::string_view key) {
  if (role == "service") return StrCat("svc/", key);
  return StrCat(role, "/", key);
}

TargetGroup BuildPodGroup(const Json& pod, const Lookups& lookups) {
  TargetGroup g{.source = SourceFor("pod", ObjectKey(pod))};
  const std::string& pod_ip = pod["status"]["podIP"].str();
  if (pod_ip.empty()) return g;
  const std::string& node_name = pod["spec"]["nodeName"].str();
  if (lookups.node && lookups.node(node_name) == nullptr) return g;

  LabelsBuilder labels;
  AddPodLabels(labels, pod);
  labels.Set(Meta("namespace"), pod["metadata"]["namespace"].str());
  AddNodeMetadata(labels, lookups, node_name);
  g.labels = labels.Build();

  const Json& spec = pod["spec"];
  for (int init = 0; init < 2; ++init) {
    const Json& containers = spec[init ? "initContainers" : "containers"];
    const Json& statuses = pod["status"][init ? "initContainerStatuses" : "containerStatuses"];
    for (const Json& c : containers.items()) {
      const std::string& name = c["name"].str();
      LabelsBuilder t;
      t.Set(Meta("pod_container_name"), name);
      t.Set(Meta("pod_container_id"), ContainerId(statuses, name));
      t.Set(Meta("pod_container_image"), c["image"].str());
      t.Set(Meta("pod_container_init"), init ? "true" : "false");
      if (c["ports"].items().empty()) {
        t.Set("__address__", pod_ip);
        g.targets.push_back(t.Build());
        continue;
      }
      for (const Json& port : c["ports"].items()) {
        const std::string number = StrCat(port["containerPort"].integer());
        t.Set("__address__", JoinHostPort(pod_ip, number));
        t.Set(Meta("pod_container_port_number"), number);
        t.Set(Meta("pod_container_port_name"), port["name"].str());
        t.Set(Meta("pod_container_port_protocol"), port["protocol"].str());
        g.targets.push_back(t.Build());
      }
    }
  }
  return g;
}

}  // namespace sundial::discovery::kubernetes
