// Decoding, validation and printing of the service discovery sections.
#include "config/discovery_config.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "config/internal/codec.h"
#include "model/names.h"
#include "re2/re2.h"

namespace sundial::config::internal {
namespace {

// Prometheus SD kinds that Sundial does not implement.
constexpr std::string_view kUnsupportedSd[] = {
    "azure_sd_configs",    "consul_sd_configs",      "digitalocean_sd_configs",
    "docker_sd_configs",   "dockerswarm_sd_configs", "ec2_sd_configs",
    "eureka_sd_configs",   "gce_sd_configs",         "hetzner_sd_configs",
    "ionos_sd_configs",    "kuma_sd_configs",        "lightsail_sd_configs",
    "linode_sd_configs",   "marathon_sd_configs",    "nerve_sd_configs",
    "nomad_sd_configs",    "openstack_sd_configs",   "ovhcloud_sd_configs",
    "puppetdb_sd_configs", "scaleway_sd_configs",    "serverset_sd_configs",
    "triton_sd_configs",   "uyuni_sd_configs",       "vultr_sd_configs",
};

// Placeholder target for unsupported SD keys: decoding it always fails.
struct UnsupportedSd {};

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, UnsupportedSd*) {
  return ctx.Error(node, StrCat(ctx.field(), " is not supported by Sundial"));
}

// Decoded into a struct of its own so attach_metadata gets strict key checking.
struct AttachMetadata {
  bool node = false;
};

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, AttachMetadata* out) {
  MapDecoder d(node, ctx, "attach_metadata");
  d.Field("node", &out->node);
  return d.Finish();
}

// scheme://host...; empty scheme or host if absent.
void SplitUrl(std::string_view url, std::string_view* scheme, std::string_view* host) {
  *scheme = {};
  *host = {};
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return;
  *scheme = url.substr(0, sep);
  std::string_view rest = url.substr(sep + 3);
  *host = rest.substr(0, rest.find_first_of("/?#"));
}

// The selector roles each Kubernetes SD role accepts, as Prometheus lists them in errors.
std::vector<std::string_view> AllowedSelectorRoles(std::string_view role) {
  if (role == "endpointslice") return {"pod", "service", "endpointslice"};
  if (role == "endpoints") return {"pod", "service", "endpoints"};
  return {role};
}

// Kubernetes' fields.ParseSelector: comma-separated terms (a backslash escapes the next
// character), each "<field>=<value>", "<field>==<value>" or "<field>!=<value>".
absl::Status ValidateFieldSelector(std::string_view selector) {
  std::vector<std::string_view> terms;
  size_t start = 0;
  for (size_t i = 0; i < selector.size(); ++i) {
    if (selector[i] == '\\') {
      ++i;
    } else if (selector[i] == ',') {
      terms.push_back(selector.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(selector.substr(start));
  std::sort(terms.begin(), terms.end());
  for (std::string_view term : terms) {
    if (term.empty()) continue;
    bool has_operator = false;
    for (size_t i = 0; i < term.size() && !has_operator; ++i) {
      if (term[i] == '\\') {
        ++i;
      } else if (term[i] == '=' || (term[i] == '!' && i + 1 < term.size() && term[i + 1] == '=')) {
        has_operator = true;
      }
    }
    if (!has_operator) {
      return absl::InvalidArgumentError(
          StrCat("invalid selector: '", selector, "'; can't understand '", term, "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateKubernetes(KubernetesSdConfig* c) {
  auto error = [](std::string message) { return absl::InvalidArgumentError(std::move(message)); };
  constexpr std::string_view kRoles[] = {"pod",           "service", "endpoints",
                                         "endpointslice", "node",    "ingress"};
  if (c->role.empty()) {
    return error("role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
  }
  if (std::find(std::begin(kRoles), std::end(kRoles), c->role) == std::end(kRoles)) {
    return error(StrCat("unknown Kubernetes SD role \"", c->role, "\""));
  }
  RETURN_IF_ERROR(ValidateHttpClient(&c->http_client));
  const bool default_http = c->http_client == HttpClientConfig{};
  if (!c->api_server.empty() && !c->kubeconfig_file.empty()) {
    return error("cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  }
  if (!c->kubeconfig_file.empty() && !default_http) {
    return error("cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
  }
  if (c->api_server.empty() && !default_http) {
    return error(
        "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
  }
  if (!c->api_server.empty() && c->namespaces.own_namespace) {
    return error("cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
  }
  if (!c->kubeconfig_file.empty() && c->namespaces.own_namespace) {
    return error("cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
  }
  std::vector<std::string_view> seen;
  for (const KubernetesSelector& s : c->selectors) {
    if (std::find(seen.begin(), seen.end(), s.role) != seen.end()) {
      return error(StrCat("duplicated selector role: ", s.role));
    }
    seen.push_back(s.role);
    const std::vector<std::string_view> allowed = AllowedSelectorRoles(c->role);
    if (std::find(allowed.begin(), allowed.end(), s.role) == allowed.end()) {
      std::string list;
      for (std::string_view r : allowed) StrAppend(&list, list.empty() ? "" : ", ", r);
      return error(StrCat(c->role, " role supports only ", list, " selectors"));
    }
    RETURN_IF_ERROR(ValidateFieldSelector(s.field));
  }
  return absl::OkStatus();
}

void EncodeStaticConfigs(Encoder& e, const std::vector<StaticConfig>& configs) {
  if (configs.empty()) return;
  e.Key("static_configs");
  e.out() << YAML::BeginSeq;
  for (const StaticConfig& c : configs) {
    e.BeginMap();
    e.Key("targets");
    e.out() << YAML::BeginSeq;
    for (const std::string& t : c.targets) e.out() << t;
    e.out() << YAML::EndSeq;
    e.OptMap("labels", c.labels);
    e.EndMap();
  }
  e.out() << YAML::EndSeq;
}

void EncodeKubernetes(Encoder& e, const KubernetesSdConfig& c) {
  e.BeginMap();
  e.OptString("api_server", c.api_server);
  e.String("role", c.role);
  e.OptString("kubeconfig_file", c.kubeconfig_file);
  EncodeHttpClientFields(e, c.http_client);
  e.Key("namespaces");
  e.BeginMap();
  e.Bool("own_namespace", c.namespaces.own_namespace);
  e.OptStrings("names", c.namespaces.names);
  e.EndMap();
  if (!c.selectors.empty()) {
    e.Key("selectors");
    e.out() << YAML::BeginSeq;
    for (const KubernetesSelector& s : c.selectors) {
      e.BeginMap();
      e.String("role", s.role);
      e.OptString("label", s.label);
      e.OptString("field", s.field);
      e.EndMap();
    }
    e.out() << YAML::EndSeq;
  }
  e.Key("attach_metadata");
  e.BeginMap();
  e.Bool("node", c.attach_metadata_node);
  e.EndMap();
  e.EndMap();
}

}  // namespace

// The decoders below are found by argument-dependent lookup from MapDecoder::Field, so they
// live in the internal namespace itself, not in the unnamed one.

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, StaticConfig* out) {
  MapDecoder d(node, ctx, "static_config");
  d.Field("targets", &out->targets).Field("labels", &out->labels);
  RETURN_IF_ERROR(d.Finish());
  for (const auto& [name, value] : out->labels) {
    if (!IsLegacyLabelName(name)) {
      return ctx.Error(node, StrCat("\"", name, "\" is not a valid label name"));
    }
  }
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, FileSdConfig* out) {
  MapDecoder d(node, ctx, "file_sd_config");
  d.Field("files", &out->files).Field("refresh_interval", &out->refresh_interval);
  RETURN_IF_ERROR(d.Finish());
  if (out->files.empty()) {
    return ctx.Error(node, "file service discovery config must contain at least one path name");
  }
  static const re2::RE2 kFileName(R"(^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$)");
  for (const std::string& file : out->files) {
    if (!re2::RE2::FullMatch(file, kFileName)) {
      return ctx.Error(node, StrCat("path name \"", file, "\" is not valid for file discovery"));
    }
  }
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, HttpSdConfig* out) {
  MapDecoder d(node, ctx, "http_sd_config");
  DecodeHttpClientFields(d, &out->http_client);
  d.Field("refresh_interval", &out->refresh_interval).Field("url", &out->url);
  RETURN_IF_ERROR(d.Finish());
  if (out->url.empty()) return ctx.Error(node, "URL is missing");
  std::string_view scheme, host;
  SplitUrl(out->url, &scheme, &host);
  if (scheme != "http" && scheme != "https") {
    return ctx.Error(node, "URL scheme must be 'http' or 'https'");
  }
  if (host.empty()) return ctx.Error(node, "host is missing in URL");
  absl::Status status = ValidateHttpClient(&out->http_client);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, DnsSdConfig* out) {
  MapDecoder d(node, ctx, "dns_sd_config");
  d.Field("names", &out->names)
      .Field("refresh_interval", &out->refresh_interval)
      .Field("type", &out->type)
      .Field("port", &out->port);
  RETURN_IF_ERROR(d.Finish());
  if (out->names.empty()) {
    return ctx.Error(node, "DNS-SD config must contain at least one SRV record name");
  }
  const std::string type(AsStd(absl::AsciiStrToUpper(AsAbsl(out->type))));
  if (type == "A" || type == "AAAA" || type == "MX" || type == "NS") {
    if (out->port == 0) {
      return ctx.Error(node,
                       "a port is required in DNS-SD configs for all record types except SRV");
    }
  } else if (type != "SRV") {
    return ctx.Error(node, StrCat("invalid DNS-SD records type ", out->type));
  }
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, KubernetesNamespaces* out) {
  MapDecoder d(node, ctx, "namespaces");
  d.Field("own_namespace", &out->own_namespace).Field("names", &out->names);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, KubernetesSelector* out) {
  MapDecoder d(node, ctx, "selector");
  d.Field("role", &out->role).Field("label", &out->label).Field("field", &out->field);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, KubernetesSdConfig* out) {
  MapDecoder d(node, ctx, "kubernetes_sd_config");
  AttachMetadata attach_metadata{out->attach_metadata_node};
  d.Field("api_server", &out->api_server)
      .Field("role", &out->role)
      .Field("kubeconfig_file", &out->kubeconfig_file)
      .Field("namespaces", &out->namespaces)
      .Field("selectors", &out->selectors);
  DecodeHttpClientFields(d, &out->http_client);
  d.Field("attach_metadata", &attach_metadata);
  RETURN_IF_ERROR(d.Finish());
  out->attach_metadata_node = attach_metadata.node;
  absl::Status status = ValidateKubernetes(out);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

void DecodeServiceDiscoveryFields(MapDecoder& d, ServiceDiscoveryConfigs* out) {
  d.Field("dns_sd_configs", &out->dns_sd_configs)
      .Field("file_sd_configs", &out->file_sd_configs)
      .Field("http_sd_configs", &out->http_sd_configs)
      .Field("kubernetes_sd_configs", &out->kubernetes_sd_configs)
      .Field("static_configs", &out->static_configs);
  UnsupportedSd unsupported;
  for (std::string_view key : kUnsupportedSd) d.Field(key, &unsupported);
}

absl::Status CheckStaticTargets(const ServiceDiscoveryConfigs& sd) {
  for (const StaticConfig& c : sd.static_configs) {
    for (const std::string& target : c.targets) {
      if (target.find('/') != std::string::npos) {
        return absl::InvalidArgumentError(StrCat("\"", target, "\" is not a valid hostname"));
      }
    }
  }
  return absl::OkStatus();
}

void EncodeServiceDiscoveryFields(Encoder& e, const ServiceDiscoveryConfigs& sd) {
  if (!sd.dns_sd_configs.empty()) {
    e.Key("dns_sd_configs");
    e.out() << YAML::BeginSeq;
    for (const DnsSdConfig& c : sd.dns_sd_configs) {
      e.BeginMap();
      e.OptStrings("names", c.names);
      e.Dur("refresh_interval", c.refresh_interval);
      e.String("type", c.type);
      e.Int("port", static_cast<int64_t>(c.port));
      e.EndMap();
    }
    e.out() << YAML::EndSeq;
  }
  if (!sd.file_sd_configs.empty()) {
    e.Key("file_sd_configs");
    e.out() << YAML::BeginSeq;
    for (const FileSdConfig& c : sd.file_sd_configs) {
      e.BeginMap();
      e.OptStrings("files", c.files);
      e.Dur("refresh_interval", c.refresh_interval);
      e.EndMap();
    }
    e.out() << YAML::EndSeq;
  }
  if (!sd.http_sd_configs.empty()) {
    e.Key("http_sd_configs");
    e.out() << YAML::BeginSeq;
    for (const HttpSdConfig& c : sd.http_sd_configs) {
      e.BeginMap();
      EncodeHttpClientFields(e, c.http_client);
      e.Dur("refresh_interval", c.refresh_interval);
      e.String("url", c.url);
      e.EndMap();
    }
    e.out() << YAML::EndSeq;
  }
  if (!sd.kubernetes_sd_configs.empty()) {
    e.Key("kubernetes_sd_configs");
    e.out() << YAML::BeginSeq;
    for (const KubernetesSdConfig& c : sd.kubernetes_sd_configs) EncodeKubernetes(e, c);
    e.out() << YAML::EndSeq;
  }
  EncodeStaticConfigs(e, sd.static_configs);
}

void ResolveServiceDiscoveryPaths(std::string_view dir, ServiceDiscoveryConfigs* sd) {
  for (FileSdConfig& c : sd->file_sd_configs) {
    for (std::string& file : c.files) file = JoinDir(dir, file);
  }
  for (HttpSdConfig& c : sd->http_sd_configs) ResolveHttpClientPaths(dir, &c.http_client);
  for (KubernetesSdConfig& c : sd->kubernetes_sd_configs) {
    c.kubeconfig_file = JoinDir(dir, c.kubeconfig_file);
    ResolveHttpClientPaths(dir, &c.http_client);
  }
}

}  // namespace sundial::config::internal
