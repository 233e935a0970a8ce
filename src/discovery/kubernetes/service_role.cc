// Role "service" (Prometheus' discovery/kubernetes/service.go).
#include <vector>

#include "base/str_cat.h"
#include "discovery/kubernetes/roles.h"

namespace sundial::discovery::kubernetes {

TargetGroup BuildServiceGroup(const Json& service) {
  TargetGroup g{.source = SourceFor("service", ObjectKey(service))};
  const Json& meta = service["metadata"];
  const Json& spec = service["spec"];
  LabelsBuilder labels;
  labels.Set(Meta("namespace"), meta["namespace"].str());
  AddObjectMetaLabels(labels, service, "service");
  g.labels = labels.Build();

  const std::string& type = spec["type"].str();
  for (const Json& port : spec["ports"].items()) {
    const std::string number = StrCat(port["port"].integer());
    LabelsBuilder t;
    t.Set("__address__",
          JoinHostPort(StrCat(meta["name"].str(), ".", meta["namespace"].str(), ".svc"), number));
    t.Set(Meta("service_port_name"), port["name"].str());
    t.Set(Meta("service_port_number"), number);
    t.Set(Meta("service_port_protocol"), port["protocol"].str());
    t.Set(Meta("service_type"), type);
    if (type == "ExternalName") {
      t.Set(Meta("service_external_name"), spec["externalName"].str());
    } else {
      t.Set(Meta("service_cluster_ip"), spec["clusterIP"].str());
    }
    if (type == "LoadBalancer") {
      std::string ips;
      for (const Json& ing : service["status"]["loadBalancer"]["ingress"].items()) {
        if (ing["ip"].str().empty()) continue;
        StrAppend(&ips, ips.empty() ? "" : ",", ing["ip"].str());
      }
      if (ips.empty()) ips = spec["loadBalancerIP"].str();
      t.Set(Meta("service_loadbalancer_ip"), ips);
    }
    g.targets.push_back(t.Build());
  }
  return g;
}

}  // namespace sundial::discovery::kubernetes
