// Realistic Kubernetes API objects (JSON as the API server returns them) for the kubernetes_sd
// tests: a Deployment's pod with an init container, a Service with named ports, its Endpoints
// and EndpointSlice with ready and not-ready addresses, a node and an Ingress with TLS hosts.
#ifndef SUNDIAL_TESTS_DISCOVERY_KUBERNETES_OBJECTS_H_
#define SUNDIAL_TESTS_DISCOVERY_KUBERNETES_OBJECTS_H_

#include <string_view>

namespace sundial::discovery::testing {

inline constexpr std::string_view kWebPod = R"({
  "kind": "Pod", "apiVersion": "v1",
  "metadata": {
    "name": "web-7d4b9c-x2x", "namespace": "shop", "uid": "5f1c-11", "resourceVersion": "100",
    "labels": {"app": "web", "pod-template-hash": "7d4b9c"},
    "annotations": {"prometheus.io/scrape": "true"},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c",
                         "uid": "rs-1", "controller": true, "blockOwnerDeletion": true}]
  },
  "spec": {
    "nodeName": "node-1",
    "initContainers": [{"name": "migrate", "image": "shop/migrate:1.2"}],
    "containers": [
      {"name": "web", "image": "shop/web:1.2",
       "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                 {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}]},
      {"name": "proxy", "image": "envoyproxy/envoy:v1.25"}
    ]
  },
  "status": {
    "phase": "Running", "podIP": "10.1.2.3", "hostIP": "192.168.0.11",
    "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
    "containerStatuses": [{"name": "web", "containerID": "containerd://aa11", "ready": true},
                          {"name": "proxy", "containerID": "containerd://bb22", "ready": true}],
    "initContainerStatuses": [{"name": "migrate", "containerID": "containerd://cc33"}]
  }
})";

// A second pod of the same Deployment that is not ready yet.
inline constexpr std::string_view kWebPod2 = R"({
  "kind": "Pod", "apiVersion": "v1",
  "metadata": {"name": "web-7d4b9c-y3y", "namespace": "shop", "uid": "5f1c-22",
               "resourceVersion": "101", "labels": {"app": "web"}},
  "spec": {"nodeName": "node-2",
           "containers": [{"name": "web", "image": "shop/web:1.2",
                           "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]}]},
  "status": {"phase": "Pending", "podIP": "10.1.2.4", "hostIP": "192.168.0.12",
             "conditions": [{"type": "Ready", "status": "False"}]}
})";

inline constexpr std::string_view kWebService = R"({
  "kind": "Service", "apiVersion": "v1",
  "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "200",
               "labels": {"app": "web", "tier": "frontend"},
               "annotations": {"prometheus.io/port": "9090"}},
  "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.20",
           "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                     {"name": "metrics", "port": 9090, "targetPort": "metrics", "protocol": "TCP"}]}
})";

inline constexpr std::string_view kExternalService = R"({
  "kind": "Service", "apiVersion": "v1",
  "metadata": {"name": "payments", "namespace": "shop", "resourceVersion": "201"},
  "spec": {"type": "ExternalName", "externalName": "pay.example.com",
           "ports": [{"port": 443, "protocol": "TCP"}]}
})";

// Endpoints of kWebService: pod 1 ready, pod 2 not ready, port http only.
inline constexpr std::string_view kWebEndpoints = R"({
  "kind": "Endpoints", "apiVersion": "v1",
  "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "300",
               "labels": {"app": "web"}},
  "subsets": [{
    "addresses": [{"ip": "10.1.2.3", "nodeName": "node-1", "hostname": "web-0",
                   "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c-x2x",
                                 "uid": "5f1c-11"}}],
    "notReadyAddresses": [{"ip": "10.1.2.4", "nodeName": "node-2",
                           "targetRef": {"kind": "Pod", "namespace": "shop",
                                         "name": "web-7d4b9c-y3y"}}],
    "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]
  }]
})";

inline constexpr std::string_view kWebSlice = R"({
  "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
  "metadata": {"name": "web-abc12", "namespace": "shop", "resourceVersion": "400",
               "labels": {"kubernetes.io/service-name": "web",
                          "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
  "addressType": "IPv4",
  "endpoints": [
    {"addresses": ["10.1.2.3"], "conditions": {"ready": true, "serving": true, "terminating": false},
     "hostname": "web-0", "nodeName": "node-1", "zone": "eu-west-1a",
     "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c-x2x"}},
    {"addresses": ["10.1.2.4"], "conditions": {"ready": false},
     "nodeName": "node-2",
     "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c-y3y"}}
  ],
  "ports": [{"name": "http", "port": 8080, "protocol": "TCP", "appProtocol": "http"}]
})";

inline constexpr std::string_view kNode = R"({
  "kind": "Node", "apiVersion": "v1",
  "metadata": {"name": "node-1", "resourceVersion": "500",
               "labels": {"kubernetes.io/hostname": "node-1", "node-role.kubernetes.io/worker": ""},
               "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
  "spec": {"providerID": "aws:///eu-west-1a/i-0abc"},
  "status": {
    "conditions": [{"type": "Ready", "status": "True"}, {"type": "MemoryPressure", "status": "False"}],
    "addresses": [{"type": "Hostname", "address": "node-1.internal"},
                  {"type": "InternalIP", "address": "192.168.0.11"},
                  {"type": "InternalIP", "address": "fd00::11"}],
    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}
  }
})";

inline constexpr std::string_view kIngress = R"({
  "kind": "Ingress", "apiVersion": "networking.k8s.io/v1",
  "metadata": {"name": "shop", "namespace": "shop", "resourceVersion": "600",
               "labels": {"app": "web"}},
  "spec": {
    "ingressClassName": "nginx",
    "tls": [{"hosts": ["*.shop.example.com"], "secretName": "shop-tls"}],
    "rules": [
      {"host": "www.shop.example.com",
       "http": {"paths": [{"path": "/", "pathType": "Prefix",
                           "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                          {"path": "/api", "pathType": "Prefix",
                           "backend": {"service": {"name": "api", "port": {"number": 80}}}}]}},
      {"host": "status.example.com"}
    ]
  }
})";

}  // namespace sundial::discovery::testing

#endif  // SUNDIAL_TESTS_DISCOVERY_KUBERNETES_OBJECTS_H_
