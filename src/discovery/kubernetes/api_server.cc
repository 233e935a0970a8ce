#include "discovery/kubernetes/api_server.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "net/client_options_from_config.h"

namespace sundial::discovery::kubernetes {
namespace {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(StrCat("open ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Dir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string Resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return StrCat(dir, "/", path);
}

std::string Scalar(const YAML::Node& n, const char* key) {
  if (!n.IsMap()) return "";
  const YAML::Node v = n[key];
  return v && v.IsScalar() ? v.Scalar() : "";
}

// The "cluster"/"user"/"context" map of the named entry in a kubeconfig list.
YAML::Node Find(const YAML::Node& list, const std::string& name, const char* field) {
  if (!list.IsSequence()) return YAML::Node();
  for (const YAML::Node& entry : list) {
    if (Scalar(entry, "name") == name) return entry[field];
  }
  return YAML::Node();
}

absl::StatusOr<std::string> Base64(const std::string& data, std::string_view what) {
  std::string out;
  if (!absl::Base64Unescape(AsAbsl(data), &out)) {
    return absl::InvalidArgumentError(StrCat("illegal base64 data in ", what));
  }
  return out;
}

absl::StatusOr<ApiServer> FromKubeconfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        StrCat("error loading config file \"", path, "\": ", e.what()));
  }
  const std::string dir = Dir(path);
  const std::string current = Scalar(root, "current-context");
  if (current.empty()) {
    return absl::InvalidArgumentError(
        "invalid configuration: no configuration has been provided, try setting "
        "KUBERNETES_MASTER environment variable");
  }
  const YAML::Node context = Find(root["contexts"], current, "context");
  if (!context) {
    return absl::InvalidArgumentError(
        StrCat("context was not found for specified context: ", current));
  }
  const std::string cluster_name = Scalar(context, "cluster");
  const YAML::Node cluster = Find(root["clusters"], cluster_name, "cluster");
  if (!cluster || Scalar(cluster, "server").empty()) {
    return absl::InvalidArgumentError(
        StrCat("invalid configuration: cluster has no server defined (context \"", current,
               "\", cluster \"", cluster_name, "\")"));
  }
  const YAML::Node user = Find(root["users"], Scalar(context, "user"), "user");

  ApiServer api;
  api.url = Scalar(cluster, "server");
  net::TlsOptions& tls = api.client.tls;
  if (std::string data = Scalar(cluster, "certificate-authority-data"); !data.empty()) {
    ASSIGN_OR_RETURN(tls.ca, Base64(data, "certificate-authority-data"));
  } else {
    tls.ca_file = Resolve(dir, Scalar(cluster, "certificate-authority"));
  }
  tls.insecure_skip_verify = Scalar(cluster, "insecure-skip-tls-verify") == "true";
  tls.server_name = Scalar(cluster, "tls-server-name");
  api.client.proxy_url = Scalar(cluster, "proxy-url");
  if (user) {
    if (std::string data = Scalar(user, "client-certificate-data"); !data.empty()) {
      ASSIGN_OR_RETURN(tls.cert, Base64(data, "client-certificate-data"));
    } else {
      tls.cert_file = Resolve(dir, Scalar(user, "client-certificate"));
    }
    if (std::string data = Scalar(user, "client-key-data"); !data.empty()) {
      ASSIGN_OR_RETURN(tls.key, Base64(data, "client-key-data"));
    } else {
      tls.key_file = Resolve(dir, Scalar(user, "client-key"));
    }
    if (std::string token = Scalar(user, "token"); !token.empty()) {
      api.client.authorization.credentials = token;
    } else {
      api.client.authorization.credentials_file = Resolve(dir, Scalar(user, "tokenFile"));
    }
    if (api.client.authorization.credentials.empty() &&
        api.client.authorization.credentials_file.empty()) {
      api.client.basic_auth.username = Scalar(user, "username");
      api.client.basic_auth.password = Scalar(user, "password");
    }
  }
  return api;
}

absl::StatusOr<ApiServer> InCluster(const config::KubernetesSdConfig& config,
                                    const InClusterEnv& env) {
  if (env.host.empty() || env.port.empty()) {
    return absl::FailedPreconditionError(
        "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
        "KUBERNETES_SERVICE_PORT must be defined");
  }
  ApiServer api;
  const bool ipv6 = env.host.find(':') != std::string::npos;
  api.url = ipv6 ? StrCat("https://[", env.host, "]:", env.port)
                 : StrCat("https://", env.host, ":", env.port);
  const std::string token = StrCat(env.service_account_dir, "/token");
  RETURN_IF_ERROR(ReadWholeFile(token).status());
  api.client.authorization.credentials_file = token;
  api.client.tls.ca_file = StrCat(env.service_account_dir, "/ca.crt");
  if (config.namespaces.own_namespace) {
    absl::StatusOr<std::string> ns = ReadWholeFile(StrCat(env.service_account_dir, "/namespace"));
    if (!ns.ok()) {
      return absl::FailedPreconditionError(
          StrCat("could not determine the pod's namespace: ", AsStd(ns.status().message())));
    }
    if (ns->empty()) {
      return absl::FailedPreconditionError("could not read own namespace name (empty file)");
    }
    api.own_namespace = *ns;
  }
  return api;
}

}  // namespace

InClusterEnv InClusterEnvFromProcess() {
  InClusterEnv env;
  if (const char* h = std::getenv("KUBERNETES_SERVICE_HOST")) env.host = h;
  if (const char* p = std::getenv("KUBERNETES_SERVICE_PORT")) env.port = p;
  return env;
}

absl::StatusOr<ApiServer> ResolveApiServer(const config::KubernetesSdConfig& config,
                                           const InClusterEnv& env) {
  absl::StatusOr<ApiServer> api;
  if (!config.kubeconfig_file.empty()) {
    api = FromKubeconfig(config.kubeconfig_file);
  } else if (config.api_server.empty()) {
    api = InCluster(config, env);
  } else {
    ASSIGN_OR_RETURN(
        net::ClientOptions options,
        net::ClientOptionsFromConfig(config.http_client, std::chrono::milliseconds(0)));
    api = ApiServer{.url = config.api_server, .client = std::move(options), .own_namespace = {}};
  }
  if (!api.ok()) return api;
  while (!api->url.empty() && api->url.back() == '/') api->url.pop_back();
  return api;
}

}  // namespace sundial::discovery::kubernetes
