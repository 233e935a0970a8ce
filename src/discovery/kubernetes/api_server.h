// Where a kubernetes_sd config talks to and how: the API server URL and the HTTP client options,
// from (in Prometheus' order) kubeconfig_file, else in-cluster configuration when api_server is
// empty, else api_server with the config's HTTP client settings.
//
// In-cluster: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the service account's
// token (re-read when it changes) and ca.crt; with namespaces.own_namespace the pod's namespace
// from the account's namespace file.
// kubeconfig: the current context's cluster (server, certificate-authority[-data],
// insecure-skip-tls-verify, tls-server-name, proxy-url) and user (token, tokenFile,
// client-certificate[-data], client-key[-data], username/password); relative paths are relative
// to the kubeconfig file.
#ifndef SUNDIAL_DISCOVERY_KUBERNETES_API_SERVER_H_
#define SUNDIAL_DISCOVERY_KUBERNETES_API_SERVER_H_

#include <string>

#include "absl/status/statusor.h"
#include "config/discovery_config.h"
#include "net/client_options.h"

namespace sundial::discovery::kubernetes {

struct InClusterEnv {
  std::string host;  // KUBERNETES_SERVICE_HOST
  std::string port;  // KUBERNETES_SERVICE_PORT
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

// The process environment and the standard service account directory.
InClusterEnv InClusterEnvFromProcess();

struct ApiServer {
  std::string url;  // "https://10.0.0.1:443", without a trailing slash
  net::ClientOptions client;
  std::string own_namespace;  // set iff namespaces.own_namespace (in-cluster only)
};

absl::StatusOr<ApiServer> ResolveApiServer(const config::KubernetesSdConfig& config,
                                           const InClusterEnv& env);

}  // namespace sundial::discovery::kubernetes

#endif  // SUNDIAL_DISCOVERY_KUBERNETES_API_SERVER_H_
