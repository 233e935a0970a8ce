// Role "ingress" (Prometheus' discovery/kubernetes/ingress.go, networking.k8s.io/v1).
#include <vector>

#include "base/str_cat.h"
#include "discovery/kubernetes/roles.h"

namespace sundial::discovery::kubernetes {
namespace {

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t dot = s.find('.');
    parts.push_back(s.substr(0, dot));
    if (dot == std::string_view::npos) return parts;
    s.remove_prefix(dot + 1);
  }
}

// pattern equals host, or "*.rest" matches one leading label of a host with the same rest.
bool MatchesHostnamePattern(std::string_view pattern, std::string_view host) {
  if (pattern == host) return true;
  const std::vector<std::string_view> p = Split(pattern);
  const std::vector<std::string_view> h = Split(host);
  if (p.empty() || p[0] != "*" || p.size() != h.size()) return false;
  for (size_t i = 1; i < p.size(); ++i) {
    if (p[i] != h[i]) return false;
  }
  return true;
}

}  // namespace

TargetGroup BuildIngressGroup(const Json& ingress) {
  TargetGroup g{.source = SourceFor("ingress", ObjectKey(ingress))};
  const Json& spec = ingress["spec"];
  LabelsBuilder labels;
  labels.Set(Meta("namespace"), ingress["metadata"]["namespace"].str());
  if (spec["ingressClassName"].is_string()) {
    labels.Set(Meta("ingress_class_name"), spec["ingressClassName"].str());
  }
  AddObjectMetaLabels(labels, ingress, "ingress");
  g.labels = labels.Build();

  std::vector<std::string_view> tls_hosts;
  for (const Json& tls : spec["tls"].items()) {
    for (const Json& h : tls["hosts"].items()) tls_hosts.push_back(h.str());
  }
  for (const Json& rule : spec["rules"].items()) {
    const std::string& host = rule["host"].str();
    std::string scheme = "http";
    for (std::string_view pattern : tls_hosts) {
      if (MatchesHostnamePattern(pattern, host)) {
        scheme = "https";
        break;
      }
    }
    std::vector<std::string> paths;
    if (!rule["http"].is_object()) {
      paths.push_back("/");
    } else {
      for (const Json& p : rule["http"]["paths"].items()) {
        paths.push_back(p["path"].str().empty() ? "/" : p["path"].str());
      }
    }
    for (const std::string& path : paths) {
      LabelsBuilder t;
      t.Set("__address__", host);
      t.Set(Meta("ingress_scheme"), scheme);
      t.Set(Meta("ingress_host"), host);
      t.Set(Meta("ingress_path"), path);
      g.targets.push_back(t.Build());
    }
  }
  return g;
}

}  // namespace sundial::discovery::kubernetes
