#include "discovery/kubernetes/provider.h"

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/metrics_registry.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "discovery/kubernetes/informer.h"
#include "discovery/kubernetes/roles.h"
#include "net/http_client.h"

namespace sundial::discovery::kubernetes {

metrics::CounterFamily& Events() {
  static metrics::CounterFamily& f = []() -> metrics::CounterFamily& {
    metrics::CounterFamily& family = metrics::Registry::Default().NewCounterFamily(
        "prometheus_sd_kubernetes_events_total", "The number of Kubernetes events handled.",
        {"role", "event"});
    for (const char* role : {"endpointslice", "endpoints", "node", "pod", "service", "ingress"}) {
      for (const char* event : {"add", "delete", "update"}) family.WithLabelValues({role, event});
    }
    return family;
  }();
  return f;
}

namespace {

struct Resource {
  const char* prefix;
  const char* name;
};

Resource ResourceOf(std::string_view role) {
  if (role == "pod") return {"/api/v1", "pods"};
  if (role == "node") return {"/api/v1", "nodes"};
  if (role == "service") return {"/api/v1", "services"};
  if (role == "endpoints") return {"/api/v1", "endpoints"};
  if (role == "endpointslice") return {"/apis/discovery.k8s.io/v1", "endpointslices"};
  return {"/apis/networking.k8s.io/v1", "ingresses"};
}

// Whether an endpoints or endpointslice object names the pod `key` ("ns/name") as a target.
bool ReferencesPod(const Json& object, std::string_view key) {
  auto matches = [&](const Json& ref) {
    return ref["kind"].str() == "Pod" &&
           StrCat(ref["namespace"].str(), "/", ref["name"].str()) == key;
  };
  for (const Json& subset : object["subsets"].items()) {
    for (const char* list : {"addresses", "notReadyAddresses"}) {
      for (const Json& a : subset[list].items()) {
        if (matches(a["targetRef"])) return true;
      }
    }
  }
  for (const Json& ep : object["endpoints"].items()) {
    if (matches(ep["targetRef"])) return true;
  }
  return false;
}

class KubernetesProvider : public Provider {
 public:
  KubernetesProvider(config::KubernetesSdConfig config, ApiServer api,
                     std::shared_ptr<net::HttpClient> client, ProviderOptions options)
      : config_(std::move(config)),
        api_(std::move(api)),
        client_(std::move(client)),
        options_(std::move(options)) {}
  ~KubernetesProvider() override { Stop(); }

  void Start(UpdateFn update) override;
  void Stop() override;

 private:
  struct Namespace {
    Informer* primary = nullptr;
    Informer* services = nullptr;
    Informer* pods = nullptr;
  };

  Informer* NewInformer(std::string_view role, std::string ns, Informer::ChangeFn on_change);
  std::pair<std::string, std::string> Selector(std::string_view role) const;
  Lookups LookupsFor(size_t ns) const;
  void Rebuild(size_t ns, const std::string& key);
  void RebuildAll();
  void OnPrimary(size_t ns, const std::string& key);
  void OnService(size_t ns, const std::string& key);
  void OnPod(size_t ns, const std::string& key);
  void OnNode(const std::string& name);
  void OnBatch();

  const config::KubernetesSdConfig config_;
  const ApiServer api_;
  const std::shared_ptr<net::HttpClient> client_;
  const ProviderOptions options_;

  std::mutex mu_;  // guards everything below and the informers' stores
  UpdateFn update_;
  std::vector<std::unique_ptr<Informer>> informers_;
  std::vector<Namespace> namespaces_;
  Informer* nodes_ = nullptr;
  bool synced_ = false;
  bool dirty_ = false;
  std::map<std::string, TargetGroup> groups_;
  std::mutex stop_mu_;
  bool stopped_ = false;  // guarded by stop_mu_
};

std::pair<std::string, std::string> KubernetesProvider::Selector(std::string_view role) const {
  for (const config::KubernetesSelector& s : config_.selectors) {
    if (s.role == role) return {s.label, s.field};
  }
  return {};
}

Informer* KubernetesProvider::NewInformer(std::string_view role, std::string ns,
                                          Informer::ChangeFn on_change) {
  const Resource r = ResourceOf(role);
  auto [label, field] = Selector(role);
  ResourceOptions o{.server = api_.url,
                    .api_prefix = r.prefix,
                    .resource = r.name,
                    .namespace_ = std::move(ns),
                    .label_selector = std::move(label),
                    .field_selector = std::move(field),
                    .initial_backoff = options_.initial_backoff,
                    .max_backoff = options_.max_backoff};
  metrics::CounterFamily& events = Events();
  metrics::Counter* counters[3] = {&events.WithLabelValues({role, "add"}),
                                   &events.WithLabelValues({role, "delete"}),
                                   &events.WithLabelValues({role, "update"})};
  auto counted = [counters, on_change = std::move(on_change)](const std::string& key,
                                                              const Json* old, const Json* cur) {
    counters[old == nullptr ? 0 : cur == nullptr ? 1 : 2]->Inc();
    on_change(key, old, cur);
  };
  informers_.push_back(std::make_unique<Informer>(std::move(o), client_, &mu_, std::move(counted),
                                                  [this] { OnBatch(); }));
  return informers_.back().get();
}

void KubernetesProvider::Start(UpdateFn update) {
  std::lock_guard<std::mutex> lock(mu_);
  update_ = std::move(update);
  const std::string& role = config_.role;
  std::vector<std::string> names = config_.namespaces.names;
  if (config_.namespaces.own_namespace && !api_.own_namespace.empty()) {
    names.push_back(api_.own_namespace);
  }
  if (names.empty()) names.push_back("");  // all namespaces
  if (role == "node") names = {""};
  const bool with_nodes = config_.attach_metadata_node &&
                          (role == "pod" || role == "endpoints" || role == "endpointslice");
  if (role == "node" || with_nodes) {
    nodes_ =
        NewInformer("node", "", [this, role](const std::string& key, const Json*, const Json*) {
          if (role == "node") {
            OnPrimary(0, key);
          } else {
            OnNode(key);
          }
        });
  }
  for (const std::string& ns : names) {
    const size_t index = namespaces_.size();
    Namespace& n = namespaces_.emplace_back();
    if (role == "node") {
      n.primary = nodes_;
      continue;
    }
    n.primary = NewInformer(
        role, ns,
        [this, index](const std::string& key, const Json*, const Json*) { OnPrimary(index, key); });
    if (role == "endpoints" || role == "endpointslice") {
      n.services = NewInformer("service", ns,
                               [this, index](const std::string& key, const Json*, const Json*) {
                                 OnService(index, key);
                               });
      n.pods = NewInformer(
          "pod", ns,
          [this, index](const std::string& key, const Json*, const Json*) { OnPod(index, key); });
    }
  }
  for (auto& informer : informers_) informer->Start();
}

void KubernetesProvider::Stop() {
  std::vector<Informer*> informers;
  {
    std::lock_guard<std::mutex> stop_lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& i : informers_) informers.push_back(i.get());
  }
  for (Informer* i : informers) i->Stop();
}

Lookups KubernetesProvider::LookupsFor(size_t ns) const {
  Lookups l;
  const Namespace& n = namespaces_[ns];
  if (n.services != nullptr) {
    l.service = [s = n.services](std::string_view key) { return s->Get(key); };
  }
  if (n.pods != nullptr) l.pod = [p = n.pods](std::string_view key) { return p->Get(key); };
  if (nodes_ != nullptr && config_.role != "node") {
    l.node = [nodes = nodes_](std::string_view name) { return nodes->Get(name); };
  }
  return l;
}

void KubernetesProvider::Rebuild(size_t ns, const std::string& key) {
  const std::string& role = config_.role;
  const std::string source = SourceFor(role, key);
  const Json* object = namespaces_[ns].primary->Get(key);
  dirty_ = true;
  if (object == nullptr) {
    groups_[source] = TargetGroup{.source = source};
    return;
  }
  const Lookups lookups = LookupsFor(ns);
  if (role == "pod") {
    groups_[source] = BuildPodGroup(*object, lookups);
  } else if (role == "node") {
    std::optional<TargetGroup> g = BuildNodeGroup(*object);
    if (g.has_value()) groups_[source] = *std::move(g);
  } else if (role == "service") {
    groups_[source] = BuildServiceGroup(*object);
  } else if (role == "endpoints") {
    groups_[source] = BuildEndpointsGroup(*object, lookups);
  } else if (role == "endpointslice") {
    groups_[source] = BuildEndpointSliceGroup(*object, lookups);
  } else {
    groups_[source] = BuildIngressGroup(*object);
  }
}

void KubernetesProvider::RebuildAll() {
  for (size_t ns = 0; ns < namespaces_.size(); ++ns) {
    for (const auto& [key, object] : namespaces_[ns].primary->objects()) Rebuild(ns, key);
  }
}

void KubernetesProvider::OnPrimary(size_t ns, const std::string& key) {
  if (synced_) Rebuild(ns, key);
}

void KubernetesProvider::OnService(size_t ns, const std::string& key) {
  if (!synced_) return;
  Informer* primary = namespaces_[ns].primary;
  if (config_.role == "endpoints") {
    if (primary->Get(key) != nullptr) Rebuild(ns, key);
    return;
  }
  const std::string_view name = std::string_view(key).substr(key.find('/') + 1);
  std::vector<std::string> keys;
  for (const auto& [k, slice] : primary->objects()) {
    const Json& label = slice["metadata"]["labels"]["kubernetes.io/service-name"];
    if (label.is_string() && label.str() == name) keys.push_back(k);
  }
  for (const std::string& k : keys) Rebuild(ns, k);
}

void KubernetesProvider::OnPod(size_t ns, const std::string& key) {
  if (!synced_) return;
  std::vector<std::string> keys;
  for (const auto& [k, object] : namespaces_[ns].primary->objects()) {
    if (ReferencesPod(object, key)) keys.push_back(k);
  }
  for (const std::string& k : keys) Rebuild(ns, k);
}

void KubernetesProvider::OnNode(const std::string& name) {
  if (!synced_) return;
  for (size_t ns = 0; ns < namespaces_.size(); ++ns) {
    std::vector<std::string> keys;
    for (const auto& [k, object] : namespaces_[ns].primary->objects()) {
      if (config_.role != "pod" || object["spec"]["nodeName"].str() == name) keys.push_back(k);
    }
    for (const std::string& k : keys) Rebuild(ns, k);
  }
}

void KubernetesProvider::OnBatch() {
  if (!synced_) {
    for (const auto& informer : informers_) {
      if (!informer->synced()) return;
    }
    synced_ = true;
    RebuildAll();
    dirty_ = true;
  }
  if (!dirty_) return;
  dirty_ = false;
  std::vector<TargetGroup> groups;
  groups.reserve(groups_.size());
  for (const auto& [source, group] : groups_) groups.push_back(group);
  update_(std::move(groups));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Provider>> NewProvider(const config::KubernetesSdConfig& config,
                                                      net::IoPool* pool, ProviderOptions options) {
  Events();  // exported from the start
  ASSIGN_OR_RETURN(ApiServer api, ResolveApiServer(config, options.env));
  ASSIGN_OR_RETURN(std::unique_ptr<net::HttpClient> client,
                   net::HttpClient::Create(api.client, pool));
  return std::unique_ptr<Provider>(new KubernetesProvider(
      config, std::move(api), std::shared_ptr<net::HttpClient>(std::move(client)),
      std::move(options)));
}

}  // namespace sundial::discovery::kubernetes
