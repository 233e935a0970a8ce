// Role "node" (Prometheus' discovery/kubernetes/node.go).
#include <map>
#include <vector>

#include "base/str_cat.h"
#include "discovery/kubernetes/roles.h"

namespace sundial::discovery::kubernetes {

std::optional<TargetGroup> BuildNodeGroup(const Json& node) {
  TargetGroup g{.source = SourceFor("node", ObjectKey(node))};
  LabelsBuilder labels;
  labels.Set(Meta("node_provider_id"), node["spec"]["providerID"].str());
  for (const Json& cond : node["status"]["conditions"].items()) {
    std::string type = cond["type"].str();
    std::string status = cond["status"].str();
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : status) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    labels.Set(StrCat(kMetaPrefix, "node_condition_", SanitizeLabelName(type)), status);
  }
  AddObjectMetaLabels(labels, node, "node");
  g.labels = labels.Build();

  // First address of each type, in the order types first appear.
  std::map<std::string, std::string> first;
  for (const Json& a : node["status"]["addresses"].items()) {
    first.try_emplace(a["type"].str(), a["address"].str());
  }
  const std::string* address = nullptr;
  for (std::string_view type :
       {"InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname"}) {
    auto it = first.find(std::string(type));
    if (it != first.end()) {
      address = &it->second;
      break;
    }
  }
  if (address == nullptr) return std::nullopt;  // "No node address found"
  const int64_t port = node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"].integer();
  LabelsBuilder t;
  t.Set("__address__", JoinHostPort(*address, StrCat(port)));
  t.Set("instance", node["metadata"]["name"].str());
  for (const auto& [type, a] : first) {
    t.Set(SanitizeLabelName(StrCat(kMetaPrefix, "node_address_", type)), a);
  }
  g.targets.push_back(t.Build());
  return g;
}

}  // namespace sundial::discovery::kubernetes
