#include "discovery/kubernetes/objects.h"

#include <algorithm>

#include "base/str_cat.h"

namespace sundial::discovery::kubernetes {

std::string Meta(std::string_view suffix) { return StrCat(kMetaPrefix, suffix); }

std::string SanitizeLabelName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

std::string JoinHostPort(std::string_view host, std::string_view port) {
  if (host.find(':') != std::string_view::npos) return StrCat("[", host, "]:", port);
  return StrCat(host, ":", port);
}

std::string ObjectKey(const Json& object) {
  const Json& meta = object["metadata"];
  const std::string& ns = meta["namespace"].str();
  if (ns.empty()) return meta["name"].str();
  return StrCat(ns, "/", meta["name"].str());
}

void AddObjectMetaLabels(LabelsBuilder& b, const Json& object, std::string_view role) {
  const Json& meta = object["metadata"];
  b.Set(StrCat(kMetaPrefix, role, "_name"), meta["name"].str());
  for (const auto& [k, v] : meta["labels"].members()) {
    const std::string name = SanitizeLabelName(k);
    b.Set(StrCat(kMetaPrefix, role, "_label_", name), v.str());
    b.Set(StrCat(kMetaPrefix, role, "_labelpresent_", name), "true");
  }
  for (const auto& [k, v] : meta["annotations"].members()) {
    const std::string name = SanitizeLabelName(k);
    b.Set(StrCat(kMetaPrefix, role, "_annotation_", name), v.str());
    b.Set(StrCat(kMetaPrefix, role, "_annotationpresent_", name), "true");
  }
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string PodReady(const Json& pod) {
  for (const Json& cond : pod["status"]["conditions"].items()) {
    if (cond["type"].str() == "Ready") return Lower(cond["status"].str());
  }
  return "unknown";
}

}  // namespace

void AddPodLabels(LabelsBuilder& b, const Json& pod) {
  const Json& status = pod["status"];
  b.Set(Meta("pod_ip"), status["podIP"].str());
  b.Set(Meta("pod_ready"), PodReady(pod));
  b.Set(Meta("pod_phase"), status["phase"].str());
  b.Set(Meta("pod_node_name"), pod["spec"]["nodeName"].str());
  b.Set(Meta("pod_host_ip"), status["hostIP"].str());
  b.Set(Meta("pod_uid"), pod["metadata"]["uid"].str());
  AddObjectMetaLabels(b, pod, "pod");
  for (const Json& ref : pod["metadata"]["ownerReferences"].items()) {
    if (!ref["controller"].boolean()) continue;
    b.Set(Meta("pod_controller_kind"), ref["kind"].str());
    b.Set(Meta("pod_controller_name"), ref["name"].str());
    break;
  }
}

void AddNodeMetadata(LabelsBuilder& b, const Lookups& lookups, std::string_view node_name) {
  if (!lookups.node || node_name.empty()) return;
  const Json* node = lookups.node(node_name);
  if (node != nullptr) AddObjectMetaLabels(b, *node, "node");
}

const Json* ResolvePod(const Lookups& lookups, const Json& target_ref) {
  if (!lookups.pod || target_ref["kind"].str() != "Pod") return nullptr;
  return lookups.pod(StrCat(target_ref["namespace"].str(), "/", target_ref["name"].str()));
}

SeenPod& SeenPodEntry(std::vector<SeenPod>& seen, const Json* pod) {
  for (SeenPod& s : seen) {
    if (s.pod == pod) return s;
  }
  return seen.emplace_back(SeenPod{.pod = pod, .ports = {}});
}

std::optional<ContainerPort> FindContainerPort(const Json& pod, int64_t number) {
  std::optional<ContainerPort> found;
  for (int init = 0; init < 2; ++init) {
    for (const Json& c : pod["spec"][init ? "initContainers" : "containers"].items()) {
      for (const Json& cport : c["ports"].items()) {
        if (cport["containerPort"].integer() == number) {
          found = ContainerPort{.container = &c, .port = &cport, .init = init == 1};
          break;
        }
      }
    }
  }
  return found;
}

void AddContainerPortLabels(LabelsBuilder& b, const ContainerPort& cp, std::string_view protocol) {
  b.Set(Meta("pod_container_name"), (*cp.container)["name"].str());
  b.Set(Meta("pod_container_image"), (*cp.container)["image"].str());
  b.Set(Meta("pod_container_port_name"), (*cp.port)["name"].str());
  b.Set(Meta("pod_container_port_number"), StrCat((*cp.port)["containerPort"].integer()));
  b.Set(Meta("pod_container_port_protocol"), protocol);
  b.Set(Meta("pod_container_init"), cp.init ? "true" : "false");
}

void AddUncoveredPodPorts(const std::vector<SeenPod>& seen, TargetGroup* g) {
  for (const SeenPod& sp : seen) {
    const Json& pod = *sp.pod;
    const std::string& pod_ip = pod["status"]["podIP"].str();
    if (pod_ip.empty()) continue;
    for (int init = 0; init < 2; ++init) {
      for (const Json& c : pod["spec"][init ? "initContainers" : "containers"].items()) {
        for (const Json& cport : c["ports"].items()) {
          const int64_t number = cport["containerPort"].integer();
          if (std::find(sp.ports.begin(), sp.ports.end(), number) != sp.ports.end()) continue;
          LabelsBuilder t;
          t.Set("__address__", JoinHostPort(pod_ip, StrCat(number)));
          AddContainerPortLabels(t, {.container = &c, .port = &cport, .init = init == 1},
                                 cport["protocol"].str());
          AddPodLabels(t, pod);
          g->targets.push_back(t.Build());
        }
      }
    }
  }
}

}  // namespace sundial::discovery::kubernetes
