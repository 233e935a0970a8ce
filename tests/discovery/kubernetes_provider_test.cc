// The kubernetes_sd provider against a scripted API server: list then watch (with selectors,
// namespaces, resourceVersion and bookmarks), events applied as they arrive, 410 Gone and
// ERROR events re-listing, broken watches resuming, and the API server reached through a
// kubeconfig (TLS, client certificate, bearer token) or the in-cluster service account.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "discovery/fake_kube_api.h"
#include "discovery/kubernetes/provider.h"
#include "discovery/kubernetes_objects.h"
#include "discovery/manager.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/test_pki.h"
#include "net/test_server.h"

namespace sundial::discovery::kubernetes {
namespace {

using ::testing::HasSubstr;
using namespace discovery::testing;
using namespace std::chrono_literals;

// The latest groups a provider sent, by source.
class Updates {
 public:
  Provider::UpdateFn Fn() {
    return [this](std::vector<TargetGroup> groups) {
      std::lock_guard<std::mutex> lock(mu_);
      latest_.clear();
      for (TargetGroup& g : groups) latest_[g.source] = std::move(g);
      ++count_;
      cv_.notify_all();
    };
  }
  // Waits (at most 10 s, so a broken provider fails instead of hanging) until pred holds.
  bool WaitFor(const std::function<bool(const std::map<std::string, TargetGroup>&)>& pred) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return count_ > 0 && pred(latest_); });
  }
  // The group of source once it has `targets` targets.
  TargetGroup Group(const std::string& source, size_t targets) {
    TargetGroup out;
    const bool ok = WaitFor([&](const auto& groups) {
      auto it = groups.find(source);
      if (it == groups.end() || it->second.targets.size() != targets) return false;
      out = it->second;
      return true;
    });
    EXPECT_TRUE(ok) << "no group " << source << " with " << targets << " targets; have "
                    << Describe();
    return out;
  }
  std::string Describe() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string s;
    for (const auto& [source, g] : latest_) {
      s += source + "(" + std::to_string(g.targets.size()) + ") ";
    }
    return s;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, TargetGroup> latest_;
  int count_ = 0;
};

// obj with its "resourceVersion": "..." replaced.
std::string WithVersion(std::string_view obj, std::string_view rv) {
  std::string s(obj);
  const std::string key = "\"resourceVersion\": \"";
  const size_t at = s.find(key);
  const size_t end = s.find('"', at + key.size());
  return s.replace(at + key.size(), end - at - key.size(), rv);
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

class KubernetesProviderTest : public ::testing::Test {
 protected:
  std::unique_ptr<Provider> Make(const config::KubernetesSdConfig& c) {
    ProviderOptions options;
    options.env = InClusterEnv{};
    options.initial_backoff = 10ms;
    options.max_backoff = 50ms;
    absl::StatusOr<std::unique_ptr<Provider>> p = NewProvider(c, &pool_, options);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *std::move(p) : nullptr;
  }
  config::KubernetesSdConfig Config(std::string role) {
    config::KubernetesSdConfig c;
    c.role = std::move(role);
    c.api_server = api_.url();
    c.namespaces.names = {"shop"};
    return c;
  }

  net::IoPool pool_{2};
  FakeKubeApi api_;
};

constexpr char kPods[] = "/api/v1/namespaces/shop/pods";
constexpr char kGoneStatus[] =
    R"j({"kind":"Status","apiVersion":"v1","status":"Failure",)j"
    R"j("message":"too old resource version: 11 (15)","reason":"Expired","code":410})j";

TEST_F(KubernetesProviderTest, PodsListThenWatchEventsWithSelectorsAndBookmarks) {
  api_.SetList(kPods, ListBody("120", {std::string(kWebPod)}));
  config::KubernetesSdConfig c = Config("pod");
  c.selectors = {{.role = "pod", .label = "app=web,tier!=db", .field = "status.phase=Running"}};
  auto p = Make(c);
  metrics::CounterFamily& events = Events();
  const double adds = events.WithLabelValues({"pod", "add"}).Value();
  const double deletes = events.WithLabelValues({"pod", "delete"}).Value();
  Updates updates;
  p->Start(updates.Fn());

  TargetGroup g = updates.Group("pod/shop/web-7d4b9c-x2x", 4);
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_ip"), "10.1.2.3");
  EXPECT_EQ(api_.WaitForLists(kPods, 1)[0].target,
            "/api/v1/namespaces/shop/pods?fieldSelector=status.phase%3DRunning"
            "&labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=500");
  std::vector<KubeRequest> watches = api_.WaitForWatches(kPods, 1);
  EXPECT_EQ(watches[0].target,
            "/api/v1/namespaces/shop/pods?allowWatchBookmarks=true"
            "&fieldSelector=status.phase%3DRunning&labelSelector=app%3Dweb%2Ctier%21%3Ddb"
            "&resourceVersion=120&timeoutSeconds=" +
                watches[0].target.substr(watches[0].target.find("timeoutSeconds=") + 15));
  EXPECT_THAT(watches[0].target, HasSubstr("&watch=true"));
  EXPECT_EQ(watches[0].headers["accept"], "application/json");

  // Events apply as they arrive, each in its own update.
  api_.SendEvent(kPods, Event("ADDED", WithVersion(kWebPod2, "121")));
  EXPECT_EQ(updates.Group("pod/shop/web-7d4b9c-y3y", 1).labels.Get("__meta_kubernetes_pod_phase"),
            "Pending");
  api_.SendEvent(kPods,
                 Event("BOOKMARK", R"({"kind":"Pod","metadata":{"resourceVersion":"130"}})"));
  api_.SendEvent(kPods,
                 Event("MODIFIED", Replace(WithVersion(kWebPod2, "131"), R"("phase": "Pending")",
                                           R"("phase": "Running")")));
  EXPECT_TRUE(updates.WaitFor([](const auto& groups) {
    auto it = groups.find("pod/shop/web-7d4b9c-y3y");
    return it != groups.end() && it->second.labels.Get("__meta_kubernetes_pod_phase") == "Running";
  }));
  // A deleted pod leaves an empty group for its source.
  api_.SendEvent(kPods, Event("DELETED", WithVersion(kWebPod, "140")));
  EXPECT_TRUE(updates.Group("pod/shop/web-7d4b9c-x2x", 0).labels.empty());
  EXPECT_EQ(events.WithLabelValues({"pod", "add"}).Value() - adds, 2);  // listed + ADDED
  EXPECT_EQ(events.WithLabelValues({"pod", "delete"}).Value() - deletes, 1);
  api_.SendEvent(kPods,
                 Event("BOOKMARK", R"({"kind":"Pod","metadata":{"resourceVersion":"150"}})"));

  // The server ends the watch (its timeout): the next one resumes from the bookmark.
  api_.EndWatches(kPods, /*abrupt=*/false);
  watches = api_.WaitForWatches(kPods, 2);
  EXPECT_THAT(watches[1].target, HasSubstr("&resourceVersion=150&"));
  EXPECT_EQ(api_.WaitForLists(kPods, 1).size(), 1u);  // no re-list
  p->Stop();
}

TEST_F(KubernetesProviderTest, GoneAndErrorEventsRelistAndBrokenWatchesResume) {
  api_.SetList(kPods, ListBody("10", {std::string(kWebPod), std::string(kWebPod2)}));
  auto p = Make(Config("pod"));
  Updates updates;
  p->Start(updates.Fn());
  updates.Group("pod/shop/web-7d4b9c-y3y", 1);
  api_.WaitForWatches(kPods, 1);

  // Connection drops: the watch resumes from the last resourceVersion, without a list.
  api_.SendEvent(kPods, Event("MODIFIED", WithVersion(kWebPod, "11")));
  updates.WaitFor([](const auto&) { return true; });
  api_.EndWatches(kPods, /*abrupt=*/true);
  std::vector<KubeRequest> watches = api_.WaitForWatches(kPods, 2);
  EXPECT_THAT(watches[1].target, HasSubstr("&resourceVersion=11&"));

  // The resumed watch's version is too old: 410 Gone re-lists; pod 2 is gone meanwhile.
  api_.SetList(kPods, ListBody("20", {WithVersion(kWebPod, "12")}));
  api_.FailNextWatch(kPods, 410, kGoneStatus);
  api_.EndWatches(kPods, /*abrupt=*/true);
  api_.WaitForLists(kPods, 2);
  updates.Group("pod/shop/web-7d4b9c-y3y", 0);
  watches = api_.WaitForWatches(kPods, 4);
  EXPECT_THAT(watches[3].target, HasSubstr("&resourceVersion=20&"));

  // An ERROR event with code 410 inside the watch stream re-lists too.
  api_.SetList(kPods, ListBody("30", {WithVersion(kWebPod, "12"), WithVersion(kWebPod2, "25")}));
  api_.SendEvent(kPods, Event("ERROR", kGoneStatus));
  api_.WaitForLists(kPods, 3);
  updates.Group("pod/shop/web-7d4b9c-y3y", 1);
  watches = api_.WaitForWatches(kPods, 5);
  EXPECT_THAT(watches[4].target, HasSubstr("&resourceVersion=30&"));
  p->Stop();
}

TEST_F(KubernetesProviderTest, ListFailuresAreRetried) {
  // Nothing is served at first (404): the provider keeps listing with backoff.
  auto p = Make(Config("service"));
  Updates updates;
  p->Start(updates.Fn());
  api_.WaitForLists("/api/v1/namespaces/shop/services", 2);
  api_.SetList("/api/v1/namespaces/shop/services", ListBody("5", {std::string(kWebService)}));
  EXPECT_EQ(updates.Group("svc/shop/web", 2).targets[0].Get("__address__"), "web.shop.svc:80");
  p->Stop();
}

TEST_F(KubernetesProviderTest, EndpointsFollowTheirServiceAndPods) {
  api_.SetList("/api/v1/namespaces/shop/endpoints", ListBody("1", {std::string(kWebEndpoints)}));
  api_.SetList("/api/v1/namespaces/shop/services", ListBody("1", {std::string(kWebService)}));
  api_.SetList(kPods, ListBody("1", {std::string(kWebPod), std::string(kWebPod2)}));
  auto p = Make(Config("endpoints"));
  Updates updates;
  p->Start(updates.Fn());
  TargetGroup g = updates.Group("endpoints/shop/web", 3);
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_service_label_tier"), "frontend");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_endpoint_ready"), "false");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_pod_phase"), "Pending");

  api_.WaitForWatches("/api/v1/namespaces/shop/services", 1);
  api_.SendEvent("/api/v1/namespaces/shop/services",
                 Event("MODIFIED", Replace(WithVersion(kWebService, "2"), R"("tier": "frontend")",
                                           R"("tier": "edge")")));
  EXPECT_TRUE(updates.WaitFor([](const auto& groups) {
    auto it = groups.find("endpoints/shop/web");
    return it != groups.end() &&
           it->second.labels.Get("__meta_kubernetes_service_label_tier") == "edge";
  }));
  api_.WaitForWatches(kPods, 1);
  api_.SendEvent(kPods,
                 Event("MODIFIED", Replace(WithVersion(kWebPod2, "3"), R"("phase": "Pending")",
                                           R"("phase": "Running")")));
  EXPECT_TRUE(updates.WaitFor([](const auto& groups) {
    auto it = groups.find("endpoints/shop/web");
    return it != groups.end() && it->second.targets.size() == 3 &&
           it->second.targets[1].Get("__meta_kubernetes_pod_phase") == "Running";
  }));
  p->Stop();
}

TEST_F(KubernetesProviderTest, EndpointSlicesNodesAndIngressesAcrossNamespaces) {
  api_.SetList("/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices",
               ListBody("1", {std::string(kWebSlice)}));
  api_.SetList("/apis/discovery.k8s.io/v1/namespaces/other/endpointslices", ListBody("1", {}));
  for (const char* ns : {"shop", "other"}) {
    api_.SetList(std::string("/api/v1/namespaces/") + ns + "/services",
                 ListBody("1", {std::string(kWebService)}));
    api_.SetList(std::string("/api/v1/namespaces/") + ns + "/pods",
                 ListBody("1", {std::string(kWebPod), std::string(kWebPod2)}));
  }
  api_.SetList("/api/v1/nodes", ListBody("1", {std::string(kNode)}));
  config::KubernetesSdConfig c = Config("endpointslice");
  c.namespaces.names = {"shop", "other"};
  c.attach_metadata_node = true;
  c.selectors = {{.role = "service", .label = "app=web", .field = ""}};
  auto p = Make(c);
  Updates updates;
  p->Start(updates.Fn());
  TargetGroup g = updates.Group("endpointslice/shop/web-abc12", 3);
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_service_name"), "web");
  // attach_metadata.node: node-1 is known, node-2 is not.
  EXPECT_EQ(g.targets[0].Get("__meta_kubernetes_node_label_kubernetes_io_hostname"), "node-1");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_node_name"), "");
  EXPECT_THAT(api_.WaitForLists("/api/v1/namespaces/other/services", 1)[0].target,
              HasSubstr("labelSelector=app%3Dweb"));
  EXPECT_THAT(api_.WaitForLists("/api/v1/nodes", 1)[0].target, HasSubstr("/api/v1/nodes?limit"));
  p->Stop();

  api_.SetList("/apis/networking.k8s.io/v1/ingresses", ListBody("1", {std::string(kIngress)}));
  config::KubernetesSdConfig ic = Config("ingress");
  ic.namespaces.names.clear();  // all namespaces
  auto ingress = Make(ic);
  Updates ingress_updates;
  ingress->Start(ingress_updates.Fn());
  EXPECT_EQ(ingress_updates.Group("ingress/shop/shop", 3).targets[0].Get("__address__"),
            "www.shop.example.com");

  size_t node_watches = 0;  // the endpointslice provider may have watched nodes already
  for (const KubeRequest& r : api_.requests()) node_watches += r.path == "/api/v1/nodes" && r.watch;
  auto nodes = Make(Config("node"));
  Updates node_updates;
  nodes->Start(node_updates.Fn());
  EXPECT_EQ(node_updates.Group("node/node-1", 1).targets[0].Get("__address__"),
            "192.168.0.11:10250");
  api_.WaitForWatches("/api/v1/nodes", node_watches + 1);
  api_.SendEvent("/api/v1/nodes", Event("DELETED", WithVersion(kNode, "9")));
  node_updates.Group("node/node-1", 0);
}

// An API server behind TLS that wants a client certificate and a bearer token.
class SecureApi {
 public:
  explicit SecureApi(bool want_client_cert) {
    EXPECT_TRUE(net::testing::MakeTestPki(dir_));
    tls_ = {.cert_file = dir_.File("server.crt"),
            .key_file = dir_.File("server.key"),
            .client_ca_file = want_client_cert ? dir_.File("ca.crt") : ""};
    server_ = std::make_unique<net::testing::TestServer>(
        [this](const net::testing::ServerRequest& req) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = req.headers.find("authorization");
            authorization_ = it == req.headers.end() ? "" : it->second;
            targets_.push_back(req.target);
          }
          if (req.target.find("watch=true") != std::string::npos) {
            return net::testing::ServerResponse{.body = "", .delay = 200ms};
          }
          return net::testing::ServerResponse{.body = ListBody("7", {std::string(kWebPod)})};
        },
        &tls_);
  }
  std::string authorization() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorization_;
  }
  std::vector<std::string> targets() {
    std::lock_guard<std::mutex> lock(mu_);
    return targets_;
  }

  net::testing::TempDir dir_;
  net::testing::ServerTls tls_;
  std::mutex mu_;
  std::string authorization_;
  std::vector<std::string> targets_;
  std::unique_ptr<net::testing::TestServer> server_;  // last: stopped before the rest goes
};

TEST(KubernetesApiServerTest, KubeconfigWithTlsClientCertificateAndToken) {
  SecureApi api(/*want_client_cert=*/true);
  api.dir_.Write("kubeconfig", R"(apiVersion: v1
kind: Config
current-context: prod
contexts:
- name: dev
  context: {cluster: nowhere, user: nobody}
- name: prod
  context: {cluster: prod-cluster, user: prometheus, namespace: shop}
clusters:
- name: prod-cluster
  cluster:
    server: )" + api.server_->Url("/") +
                                   R"(
    certificate-authority: ca.crt
users:
- name: prometheus
  user:
    token: kube-token-123
    client-certificate: client.crt
    client-key: client.key
)");
  config::KubernetesSdConfig c;
  c.role = "pod";
  c.kubeconfig_file = api.dir_.File("kubeconfig");
  net::IoPool pool(2);
  ProviderOptions options;
  options.initial_backoff = 10ms;
  absl::StatusOr<std::unique_ptr<Provider>> p = NewProvider(c, &pool, options);
  ASSERT_TRUE(p.ok()) << p.status();
  Updates updates;
  (*p)->Start(updates.Fn());
  updates.Group("pod/shop/web-7d4b9c-x2x", 4);
  (*p)->Stop();
  EXPECT_EQ(api.authorization(), "Bearer kube-token-123");
  EXPECT_EQ(api.targets()[0], "/api/v1/pods?limit=500");
}

TEST(KubernetesApiServerTest, InClusterServiceAccountAndOwnNamespace) {
  // A service account has no client certificate.
  SecureApi api(/*want_client_cert=*/false);
  api.dir_.Write("token", "sa-token");
  api.dir_.Write("namespace", "monitoring");
  // The in-cluster CA file is ca.crt in the account directory, which the PKI already wrote.
  config::KubernetesSdConfig c;
  c.role = "pod";
  c.namespaces.own_namespace = true;
  c.namespaces.names = {"shop"};
  ProviderOptions options;
  options.env = {.host = "127.0.0.1",
                 .port = std::to_string(api.server_->port()),
                 .service_account_dir = api.dir_.path()};
  options.initial_backoff = 10ms;
  net::IoPool pool(2);
  absl::StatusOr<ApiServer> resolved = ResolveApiServer(c, options.env);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->url, "https://127.0.0.1:" + std::to_string(api.server_->port()));
  EXPECT_EQ(resolved->own_namespace, "monitoring");
  absl::StatusOr<std::unique_ptr<Provider>> p = NewProvider(c, &pool, options);
  ASSERT_TRUE(p.ok()) << p.status();
  Updates updates;
  (*p)->Start(updates.Fn());
  updates.Group("pod/shop/web-7d4b9c-x2x", 4);
  (*p)->Stop();
  EXPECT_EQ(api.authorization(), "Bearer sa-token");
  std::vector<std::string> targets = api.targets();
  EXPECT_TRUE(std::find(targets.begin(), targets.end(),
                        "/api/v1/namespaces/monitoring/pods?limit=500") != targets.end());
  EXPECT_TRUE(std::find(targets.begin(), targets.end(), "/api/v1/namespaces/shop/pods?limit=500") !=
              targets.end());
}

TEST(KubernetesApiServerTest, ConfigurationErrors) {
  config::KubernetesSdConfig c;
  c.role = "pod";
  net::IoPool pool(1);
  ProviderOptions options;
  options.env = InClusterEnv{};
  absl::StatusOr<std::unique_ptr<Provider>> p = NewProvider(c, &pool, options);
  EXPECT_EQ(p.status().message(),
            "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
            "KUBERNETES_SERVICE_PORT must be defined");
  options.env = {.host = "10.0.0.1", .port = "443", .service_account_dir = "/nonexistent"};
  p = NewProvider(c, &pool, options);
  EXPECT_EQ(p.status().message(), "open /nonexistent/token: No such file or directory");
  c.kubeconfig_file = "/nonexistent/kubeconfig";
  p = NewProvider(c, &pool, options);
  EXPECT_EQ(p.status().message(), "open /nonexistent/kubeconfig: No such file or directory");
  net::testing::TempDir dir;
  dir.Write("kubeconfig", "apiVersion: v1\nkind: Config\nclusters: []\n");
  c.kubeconfig_file = dir.File("kubeconfig");
  p = NewProvider(c, &pool, options);
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("no configuration has been provided"));
}

TEST(KubernetesManagerTest, ManagerRunsKubernetesProviders) {
  FakeKubeApi api;
  api.SetList("/api/v1/namespaces/shop/services", ListBody("3", {std::string(kWebService)}));
  net::IoPool pool(2);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<TargetGroup> synced;
  Manager manager(
      [&](const std::string& set, std::vector<TargetGroup> groups) {
        std::lock_guard<std::mutex> lock(mu);
        if (set == "kube") synced = std::move(groups);
        cv.notify_all();
      },
      Manager::Options{.update_interval = 10ms, .io_pool = &pool});
  config::ServiceDiscoveryConfigs sd;
  config::KubernetesSdConfig c;
  c.role = "service";
  c.api_server = api.url();
  c.namespaces.names = {"shop"};
  sd.kubernetes_sd_configs.push_back(c);
  manager.ApplyConfig({{"kube", sd}});
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return synced.size() == 1; }));
  EXPECT_EQ(synced[0].source, "svc/shop/web");
  EXPECT_EQ(synced[0].targets.size(), 2u);
  lock.unlock();
  manager.Stop();
}

}  // namespace
}  // namespace sundial::discovery::kubernetes
