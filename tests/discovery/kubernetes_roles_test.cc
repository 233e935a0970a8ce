// Target groups of each kubernetes_sd role for realistic objects, label for label as Prometheus'
// discovery/kubernetes builds them.
#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "discovery/kubernetes/roles.h"
#include "discovery/kubernetes_objects.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::discovery::kubernetes {
namespace {

using ::testing::ElementsAre;
using namespace discovery::testing;

Json Parse(std::string_view text) {
  absl::StatusOr<Json> j = Json::Parse(text);
  EXPECT_TRUE(j.ok()) << j.status();
  return j.ok() ? *j : Json();
}

using LabelMap = std::map<std::string, std::string>;

LabelMap ToMap(const Labels& l) {
  LabelMap m;
  for (const Label& x : l) m.emplace(std::string(x.name), std::string(x.value));
  return m;
}

LabelMap Merge(LabelMap a, const LabelMap& b) {
  for (const auto& [k, v] : b) a[k] = v;
  return a;
}

// The pod labels of kWebPod and kWebPod2 as every pod-aware role attaches them.
const LabelMap kPod1Labels = {
    {"__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"},
    {"__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape", "true"},
    {"__meta_kubernetes_pod_controller_kind", "ReplicaSet"},
    {"__meta_kubernetes_pod_controller_name", "web-7d4b9c"},
    {"__meta_kubernetes_pod_host_ip", "192.168.0.11"},
    {"__meta_kubernetes_pod_ip", "10.1.2.3"},
    {"__meta_kubernetes_pod_label_app", "web"},
    {"__meta_kubernetes_pod_label_pod_template_hash", "7d4b9c"},
    {"__meta_kubernetes_pod_labelpresent_app", "true"},
    {"__meta_kubernetes_pod_labelpresent_pod_template_hash", "true"},
    {"__meta_kubernetes_pod_name", "web-7d4b9c-x2x"},
    {"__meta_kubernetes_pod_node_name", "node-1"},
    {"__meta_kubernetes_pod_phase", "Running"},
    {"__meta_kubernetes_pod_ready", "true"},
    {"__meta_kubernetes_pod_uid", "5f1c-11"},
};
const LabelMap kPod2Labels = {
    {"__meta_kubernetes_pod_host_ip", "192.168.0.12"},
    {"__meta_kubernetes_pod_ip", "10.1.2.4"},
    {"__meta_kubernetes_pod_label_app", "web"},
    {"__meta_kubernetes_pod_labelpresent_app", "true"},
    {"__meta_kubernetes_pod_name", "web-7d4b9c-y3y"},
    {"__meta_kubernetes_pod_node_name", "node-2"},
    {"__meta_kubernetes_pod_phase", "Pending"},
    {"__meta_kubernetes_pod_ready", "false"},
    {"__meta_kubernetes_pod_uid", "5f1c-22"},
};
const LabelMap kServiceLabels = {
    {"__meta_kubernetes_namespace", "shop"},
    {"__meta_kubernetes_service_annotation_prometheus_io_port", "9090"},
    {"__meta_kubernetes_service_annotationpresent_prometheus_io_port", "true"},
    {"__meta_kubernetes_service_label_app", "web"},
    {"__meta_kubernetes_service_label_tier", "frontend"},
    {"__meta_kubernetes_service_labelpresent_app", "true"},
    {"__meta_kubernetes_service_labelpresent_tier", "true"},
    {"__meta_kubernetes_service_name", "web"},
};
LabelMap Container(std::string_view name, std::string_view image, std::string_view port_name,
                   std::string_view port, bool init) {
  return {{"__meta_kubernetes_pod_container_name", std::string(name)},
          {"__meta_kubernetes_pod_container_image", std::string(image)},
          {"__meta_kubernetes_pod_container_port_name", std::string(port_name)},
          {"__meta_kubernetes_pod_container_port_number", std::string(port)},
          {"__meta_kubernetes_pod_container_port_protocol", "TCP"},
          {"__meta_kubernetes_pod_container_init", init ? "true" : "false"}};
}

// Lookups over a fixed set of objects.
struct Store {
  std::map<std::string, Json, std::less<>> services, pods, nodes;
  Lookups Get(bool with_nodes = false) const {
    Lookups l;
    l.service = [this](std::string_view k) -> const Json* {
      auto it = services.find(k);
      return it == services.end() ? nullptr : &it->second;
    };
    l.pod = [this](std::string_view k) -> const Json* {
      auto it = pods.find(k);
      return it == pods.end() ? nullptr : &it->second;
    };
    if (with_nodes) {
      l.node = [this](std::string_view k) -> const Json* {
        auto it = nodes.find(k);
        return it == nodes.end() ? nullptr : &it->second;
      };
    }
    return l;
  }
};

Store ShopStore() {
  Store s;
  s.services.emplace("shop/web", Parse(kWebService));
  s.pods.emplace("shop/web-7d4b9c-x2x", Parse(kWebPod));
  s.pods.emplace("shop/web-7d4b9c-y3y", Parse(kWebPod2));
  s.nodes.emplace("node-1", Parse(kNode));
  return s;
}

TEST(KubernetesRolesTest, PodOfADeploymentWithInitContainer) {
  TargetGroup g = BuildPodGroup(Parse(kWebPod), Lookups());
  EXPECT_EQ(g.source, "pod/shop/web-7d4b9c-x2x");
  EXPECT_EQ(ToMap(g.labels), Merge(kPod1Labels, {{"__meta_kubernetes_namespace", "shop"}}));
  ASSERT_EQ(g.targets.size(), 4u);
  auto with_id = [](LabelMap m, std::string_view id) {
    m["__meta_kubernetes_pod_container_id"] = std::string(id);
    return m;
  };
  EXPECT_EQ(ToMap(g.targets[0]),
            with_id(Merge(Container("web", "shop/web:1.2", "http", "8080", false),
                          {{"__address__", "10.1.2.3:8080"}}),
                    "containerd://aa11"));
  EXPECT_EQ(ToMap(g.targets[1]),
            with_id(Merge(Container("web", "shop/web:1.2", "metrics", "9090", false),
                          {{"__address__", "10.1.2.3:9090"}}),
                    "containerd://aa11"));
  // Containers without ports: one target at the bare pod IP.
  EXPECT_EQ(ToMap(g.targets[2]),
            (LabelMap{{"__address__", "10.1.2.3"},
                      {"__meta_kubernetes_pod_container_id", "containerd://bb22"},
                      {"__meta_kubernetes_pod_container_image", "envoyproxy/envoy:v1.25"},
                      {"__meta_kubernetes_pod_container_init", "false"},
                      {"__meta_kubernetes_pod_container_name", "proxy"}}));
  EXPECT_EQ(ToMap(g.targets[3]),
            (LabelMap{{"__address__", "10.1.2.3"},
                      {"__meta_kubernetes_pod_container_id", "containerd://cc33"},
                      {"__meta_kubernetes_pod_container_image", "shop/migrate:1.2"},
                      {"__meta_kubernetes_pod_container_init", "true"},
                      {"__meta_kubernetes_pod_container_name", "migrate"}}));
}

TEST(KubernetesRolesTest, PodWithoutIpHasNoTargetsAndNodeMetadataFiltersUnknownNodes) {
  Json pending = Parse(R"({"metadata": {"name": "p", "namespace": "ns"},
                           "spec": {"containers": [{"name": "c"}]}, "status": {}})");
  TargetGroup g = BuildPodGroup(pending, Lookups());
  EXPECT_EQ(g.source, "pod/ns/p");
  EXPECT_TRUE(g.targets.empty());
  EXPECT_TRUE(g.labels.empty());

  Store store = ShopStore();
  // attach_metadata.node: node-1 is known, so its name, labels and annotations are attached.
  g = BuildPodGroup(Parse(kWebPod), store.Get(true));
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_node_name"), "node-1");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_node_label_kubernetes_io_hostname"), "node-1");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_node_labelpresent_node_role_kubernetes_io_worker"),
            "true");
  EXPECT_EQ(g.targets.size(), 4u);
  // node-2 is not in the store (filtered by a node selector): no targets.
  g = BuildPodGroup(Parse(kWebPod2), store.Get(true));
  EXPECT_TRUE(g.targets.empty());
}

TEST(KubernetesRolesTest, NodeAddressesAndPreference) {
  std::optional<TargetGroup> g = BuildNodeGroup(Parse(kNode));
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->source, "node/node-1");
  EXPECT_EQ(ToMap(g->labels),
            (LabelMap{
                {"__meta_kubernetes_node_annotation_node_alpha_kubernetes_io_ttl", "0"},
                {"__meta_kubernetes_node_annotationpresent_node_alpha_kubernetes_io_ttl", "true"},
                {"__meta_kubernetes_node_condition_memorypressure", "false"},
                {"__meta_kubernetes_node_condition_ready", "true"},
                {"__meta_kubernetes_node_label_kubernetes_io_hostname", "node-1"},
                {"__meta_kubernetes_node_labelpresent_kubernetes_io_hostname", "true"},
                {"__meta_kubernetes_node_labelpresent_node_role_kubernetes_io_worker", "true"},
                {"__meta_kubernetes_node_name", "node-1"},
                {"__meta_kubernetes_node_provider_id", "aws:///eu-west-1a/i-0abc"},
            }));
  ASSERT_EQ(g->targets.size(), 1u);
  // InternalIP wins over Hostname; the first address of each type is exported.
  EXPECT_EQ(ToMap(g->targets[0]),
            (LabelMap{{"__address__", "192.168.0.11:10250"},
                      {"__meta_kubernetes_node_address_Hostname", "node-1.internal"},
                      {"__meta_kubernetes_node_address_InternalIP", "192.168.0.11"},
                      {"instance", "node-1"}}));

  g = BuildNodeGroup(Parse(R"({"metadata": {"name": "n"}, "status": {
      "addresses": [{"type": "Hostname", "address": "n.local"},
                    {"type": "ExternalIP", "address": "2001:db8::1"}],
      "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}})"));
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->targets[0].Get("__address__"), "[2001:db8::1]:10250");
  g = BuildNodeGroup(Parse(R"({"metadata": {"name": "n"}, "status": {
      "addresses": [{"type": "Hostname", "address": "n.local"}]}})"));
  EXPECT_EQ(g->targets[0].Get("__address__"), "n.local:0");
  // No address at all: Prometheus logs "No node address found" and sends nothing.
  EXPECT_FALSE(BuildNodeGroup(Parse(R"({"metadata": {"name": "n"}})")).has_value());
}

TEST(KubernetesRolesTest, ServiceWithNamedPortsAndExternalName) {
  TargetGroup g = BuildServiceGroup(Parse(kWebService));
  EXPECT_EQ(g.source, "svc/shop/web");
  EXPECT_EQ(ToMap(g.labels), kServiceLabels);
  ASSERT_EQ(g.targets.size(), 2u);
  EXPECT_EQ(ToMap(g.targets[0]), (LabelMap{{"__address__", "web.shop.svc:80"},
                                           {"__meta_kubernetes_service_cluster_ip", "10.96.0.20"},
                                           {"__meta_kubernetes_service_port_name", "http"},
                                           {"__meta_kubernetes_service_port_number", "80"},
                                           {"__meta_kubernetes_service_port_protocol", "TCP"},
                                           {"__meta_kubernetes_service_type", "ClusterIP"}}));
  EXPECT_EQ(g.targets[1].Get("__address__"), "web.shop.svc:9090");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_service_port_name"), "metrics");

  g = BuildServiceGroup(Parse(kExternalService));
  ASSERT_EQ(g.targets.size(), 1u);
  EXPECT_EQ(ToMap(g.targets[0]),
            (LabelMap{{"__address__", "payments.shop.svc:443"},
                      {"__meta_kubernetes_service_external_name", "pay.example.com"},
                      {"__meta_kubernetes_service_port_number", "443"},
                      {"__meta_kubernetes_service_port_protocol", "TCP"},
                      {"__meta_kubernetes_service_type", "ExternalName"}}));
}

TEST(KubernetesRolesTest, EndpointsWithReadyAndNotReadyPodsAndUncoveredContainerPorts) {
  Store store = ShopStore();
  TargetGroup g = BuildEndpointsGroup(Parse(kWebEndpoints), store.Get());
  EXPECT_EQ(g.source, "endpoints/shop/web");
  EXPECT_EQ(ToMap(g.labels),
            Merge(kServiceLabels, {{"__meta_kubernetes_endpoints_name", "web"},
                                   {"__meta_kubernetes_endpoints_label_app", "web"},
                                   {"__meta_kubernetes_endpoints_labelpresent_app", "true"}}));
  ASSERT_EQ(g.targets.size(), 3u);
  EXPECT_EQ(ToMap(g.targets[0]),
            Merge(Merge(kPod1Labels, Container("web", "shop/web:1.2", "http", "8080", false)),
                  {{"__address__", "10.1.2.3:8080"},
                   {"__meta_kubernetes_endpoint_address_target_kind", "Pod"},
                   {"__meta_kubernetes_endpoint_address_target_name", "web-7d4b9c-x2x"},
                   {"__meta_kubernetes_endpoint_hostname", "web-0"},
                   {"__meta_kubernetes_endpoint_node_name", "node-1"},
                   {"__meta_kubernetes_endpoint_port_name", "http"},
                   {"__meta_kubernetes_endpoint_port_protocol", "TCP"},
                   {"__meta_kubernetes_endpoint_ready", "true"}}));
  EXPECT_EQ(ToMap(g.targets[1]),
            Merge(Merge(kPod2Labels, Container("web", "shop/web:1.2", "http", "8080", false)),
                  {{"__address__", "10.1.2.4:8080"},
                   {"__meta_kubernetes_endpoint_address_target_kind", "Pod"},
                   {"__meta_kubernetes_endpoint_address_target_name", "web-7d4b9c-y3y"},
                   {"__meta_kubernetes_endpoint_node_name", "node-2"},
                   {"__meta_kubernetes_endpoint_port_name", "http"},
                   {"__meta_kubernetes_endpoint_port_protocol", "TCP"},
                   {"__meta_kubernetes_endpoint_ready", "false"}}));
  // The metrics port of pod 1 is in no endpoint port: an extra target with pod labels only.
  EXPECT_EQ(ToMap(g.targets[2]),
            Merge(Merge(kPod1Labels, Container("web", "shop/web:1.2", "metrics", "9090", false)),
                  {{"__address__", "10.1.2.3:9090"}}));

  // Without the service and pods in the stores: only the endpoint labels.
  g = BuildEndpointsGroup(Parse(kWebEndpoints), Lookups());
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_service_name"), "");
  ASSERT_EQ(g.targets.size(), 2u);
  EXPECT_EQ(g.targets[0].Get("__meta_kubernetes_pod_name"), "");
}

TEST(KubernetesRolesTest, EndpointSliceWithConditions) {
  Store store = ShopStore();
  TargetGroup g = BuildEndpointSliceGroup(Parse(kWebSlice), store.Get());
  EXPECT_EQ(g.source, "endpointslice/shop/web-abc12");
  EXPECT_EQ(
      ToMap(g.labels),
      Merge(kServiceLabels,
            {{"__meta_kubernetes_endpointslice_address_type", "IPv4"},
             {"__meta_kubernetes_endpointslice_name", "web-abc12"},
             {"__meta_kubernetes_endpointslice_label_kubernetes_io_service_name", "web"},
             {"__meta_kubernetes_endpointslice_labelpresent_kubernetes_io_service_name", "true"},
             {"__meta_kubernetes_endpointslice_label_endpointslice_kubernetes_io_managed_by",
              "endpointslice-controller.k8s.io"},
             {"__meta_kubernetes_endpointslice_labelpresent_endpointslice_kubernetes_io_managed_by",
              "true"}}));
  ASSERT_EQ(g.targets.size(), 3u);
  EXPECT_EQ(ToMap(g.targets[0]),
            Merge(Merge(kPod1Labels, Container("web", "shop/web:1.2", "http", "8080", false)),
                  {{"__address__", "10.1.2.3:8080"},
                   {"__meta_kubernetes_endpointslice_address_target_kind", "Pod"},
                   {"__meta_kubernetes_endpointslice_address_target_name", "web-7d4b9c-x2x"},
                   {"__meta_kubernetes_endpointslice_endpoint_conditions_ready", "true"},
                   {"__meta_kubernetes_endpointslice_endpoint_conditions_serving", "true"},
                   {"__meta_kubernetes_endpointslice_endpoint_conditions_terminating", "false"},
                   {"__meta_kubernetes_endpointslice_endpoint_hostname", "web-0"},
                   {"__meta_kubernetes_endpointslice_endpoint_node_name", "node-1"},
                   {"__meta_kubernetes_endpointslice_endpoint_zone", "eu-west-1a"},
                   {"__meta_kubernetes_endpointslice_port", "8080"},
                   {"__meta_kubernetes_endpointslice_port_app_protocol", "http"},
                   {"__meta_kubernetes_endpointslice_port_name", "http"},
                   {"__meta_kubernetes_endpointslice_port_protocol", "TCP"}}));
  EXPECT_EQ(g.targets[1].Get("__address__"), "10.1.2.4:8080");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_endpointslice_endpoint_conditions_ready"), "false");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_endpointslice_endpoint_conditions_serving"), "");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_pod_phase"), "Pending");
  EXPECT_EQ(ToMap(g.targets[2]),
            Merge(Merge(kPod1Labels, Container("web", "shop/web:1.2", "metrics", "9090", false)),
                  {{"__address__", "10.1.2.3:9090"}}));
}

// A port declared by a container and by a native sidecar (an init container): as in Prometheus,
// the last declaring container labels the endpoint target. The port protocol label is the
// endpoint port's for endpoints and the container port's for endpoint slices.
TEST(KubernetesRolesTest, EndpointPortDeclaredByTwoContainers) {
  Store store;
  store.pods.emplace("ns/p", Parse(R"({
      "metadata": {"name": "p", "namespace": "ns", "uid": "u-1"},
      "spec": {"nodeName": "n",
               "containers": [{"name": "app", "image": "app:1",
                               "ports": [{"name": "http", "containerPort": 8080,
                                          "protocol": "TCP"}]}],
               "initContainers": [{"name": "mesh", "image": "mesh:1", "restartPolicy": "Always",
                                   "ports": [{"name": "mesh-http", "containerPort": 8080,
                                              "protocol": "TCP"}]}]},
      "status": {"podIP": "10.0.0.9", "phase": "Running"}})"));
  const LabelMap want = {{"__meta_kubernetes_pod_container_name", "mesh"},
                         {"__meta_kubernetes_pod_container_image", "mesh:1"},
                         {"__meta_kubernetes_pod_container_port_name", "mesh-http"},
                         {"__meta_kubernetes_pod_container_port_number", "8080"},
                         {"__meta_kubernetes_pod_container_init", "true"}};
  auto container_labels = [](const Labels& target) {
    LabelMap m;
    for (const auto& [k, v] : ToMap(target)) {
      if (k.starts_with("__meta_kubernetes_pod_container_")) m.emplace(k, v);
    }
    return m;
  };

  TargetGroup g = BuildEndpointsGroup(Parse(R"({
      "metadata": {"name": "svc", "namespace": "ns"},
      "subsets": [{"addresses": [{"ip": "10.0.0.9",
                                  "targetRef": {"kind": "Pod", "name": "p", "namespace": "ns"}}],
                   "ports": [{"name": "alt", "port": 8080, "protocol": "UDP"}]}]})"),
                                      store.Get());
  // Both declarations of 8080 are covered, so there is no extra target.
  ASSERT_EQ(g.targets.size(), 1u);
  EXPECT_EQ(container_labels(g.targets[0]),
            Merge(want, {{"__meta_kubernetes_pod_container_port_protocol", "UDP"}}));

  g = BuildEndpointSliceGroup(Parse(R"({
      "metadata": {"name": "svc-1", "namespace": "ns",
                   "labels": {"kubernetes.io/service-name": "svc"}},
      "addressType": "IPv4",
      "endpoints": [{"addresses": ["10.0.0.9"],
                     "targetRef": {"kind": "Pod", "name": "p", "namespace": "ns"}}],
      "ports": [{"name": "alt", "port": 8080, "protocol": "UDP"}]})"),
                              store.Get());
  ASSERT_EQ(g.targets.size(), 1u);
  EXPECT_EQ(container_labels(g.targets[0]),
            Merge(want, {{"__meta_kubernetes_pod_container_port_protocol", "TCP"}}));
}

TEST(KubernetesRolesTest, IngressWithTlsWildcardHosts) {
  TargetGroup g = BuildIngressGroup(Parse(kIngress));
  EXPECT_EQ(g.source, "ingress/shop/shop");
  EXPECT_EQ(ToMap(g.labels), (LabelMap{{"__meta_kubernetes_ingress_class_name", "nginx"},
                                       {"__meta_kubernetes_ingress_label_app", "web"},
                                       {"__meta_kubernetes_ingress_labelpresent_app", "true"},
                                       {"__meta_kubernetes_ingress_name", "shop"},
                                       {"__meta_kubernetes_namespace", "shop"}}));
  ASSERT_EQ(g.targets.size(), 3u);
  EXPECT_EQ(ToMap(g.targets[0]),
            (LabelMap{{"__address__", "www.shop.example.com"},
                      {"__meta_kubernetes_ingress_host", "www.shop.example.com"},
                      {"__meta_kubernetes_ingress_path", "/"},
                      {"__meta_kubernetes_ingress_scheme", "https"}}));
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_ingress_path"), "/api");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_ingress_scheme"), "https");
  // A rule without http paths gets "/"; its host matches no TLS pattern.
  EXPECT_EQ(ToMap(g.targets[2]), (LabelMap{{"__address__", "status.example.com"},
                                           {"__meta_kubernetes_ingress_host", "status.example.com"},
                                           {"__meta_kubernetes_ingress_path", "/"},
                                           {"__meta_kubernetes_ingress_scheme", "http"}}));
}

}  // namespace
}  // namespace sundial::discovery::kubernetes
