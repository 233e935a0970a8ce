// AlertingConfig decoding, validation and printing.
#include "config/alerting_config.h"

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "config/internal/codec.h"

namespace sundial::config::internal {

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, AlertmanagerConfig* out) {
  if (node.IsNull()) return ctx.FieldError(node, "empty or null alertmanager config");
  MapDecoder d(node, ctx, "alertmanager_config");
  DecodeHttpClientFields(d, &out->http_client);
  d.Field("scheme", &out->scheme)
      .Field("path_prefix", &out->path_prefix)
      .Field("timeout", &out->timeout)
      .Field("api_version", &out->api_version)
      .Field("relabel_configs", &out->relabel_configs);
  DecodeServiceDiscoveryFields(d, &out->service_discovery);
  RETURN_IF_ERROR(d.Finish());
  if (out->api_version != "v1" && out->api_version != "v2") {
    return ctx.Error(node, StrCat("expected Alertmanager api version to be one of [v1 v2] but got ",
                                  out->api_version));
  }
  absl::Status status = ValidateHttpClient(&out->http_client);
  if (status.ok() && out->relabel_configs.empty()) {
    status = CheckStaticTargets(out->service_discovery);
  }
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, AlertingConfig* out) {
  MapDecoder d(node, ctx, "alerting");
  d.Field("alert_relabel_configs", &out->alert_relabel_configs)
      .Field("alertmanagers", &out->alertmanagers);
  return d.Finish();
}

void EncodeAlertingConfig(Encoder& e, const AlertingConfig& cfg) {
  e.BeginMap();
  EncodeRelabelConfigs(e, "alert_relabel_configs", cfg.alert_relabel_configs);
  if (!cfg.alertmanagers.empty()) {
    e.Key("alertmanagers");
    e.out() << YAML::BeginSeq;
    for (const AlertmanagerConfig& am : cfg.alertmanagers) {
      e.BeginMap();
      EncodeHttpClientFields(e, am.http_client);
      e.String("scheme", am.scheme);
      e.OptString("path_prefix", am.path_prefix);
      e.Dur("timeout", am.timeout);
      e.String("api_version", am.api_version);
      EncodeRelabelConfigs(e, "relabel_configs", am.relabel_configs);
      EncodeServiceDiscoveryFields(e, am.service_discovery);
      e.EndMap();
    }
    e.out() << YAML::EndSeq;
  }
  e.EndMap();
}

}  // namespace sundial::config::internal
