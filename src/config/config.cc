// Config: the top-level sections, inheritance from `global`, loading and printing.
#include "config/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "config/internal/codec.h"
#include "model/names.h"
#include "re2/re2.h"

namespace sundial::config {
namespace internal {
namespace {

absl::Status ValidateExternalLabels(const std::map<std::string, std::string>& labels) {
  for (const auto& [name, value] : labels) {
    if (!IsLegacyLabelName(name)) {
      return absl::InvalidArgumentError(StrCat("\"", name, "\" is not a valid label name"));
    }
    if (!IsValidUtf8(value)) {
      return absl::InvalidArgumentError(StrCat(GoQuote(value), " is not a valid label value"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTracing(const TracingConfig& t) {
  if (t.client_type != "grpc" && t.client_type != "http") {
    return absl::InvalidArgumentError(StrCat(
        "expected tracing client type to be one of [grpc http] but got \"", t.client_type, "\""));
  }
  if (!t.compression.empty() && t.compression != "gzip") {
    return absl::InvalidArgumentError(
        StrCat("invalid compression type ", t.compression, " provided, valid options: gzip"));
  }
  if (t.sampling_fraction < 0 || t.sampling_fraction > 1) {
    return absl::InvalidArgumentError("tracing sampling_fraction must be between 0 and 1");
  }
  return absl::OkStatus();
}

absl::Status ValidateOtlp(const OtlpConfig& o) {
  constexpr std::string_view kStrategies[] = {"UnderscoreEscapingWithSuffixes",
                                              "UnderscoreEscapingWithoutSuffixes",
                                              "NoUTF8EscapingWithSuffixes", "NoTranslation"};
  if (std::find(std::begin(kStrategies), std::end(kStrategies), o.translation_strategy) ==
      std::end(kStrategies)) {
    return absl::InvalidArgumentError(
        StrCat("unsupported OTLP translation strategy \"", o.translation_strategy, "\""));
  }
  absl::flat_hash_set<std::string> seen;
  for (const std::string& attr : o.promote_resource_attributes) {
    if (attr.empty()) return absl::InvalidArgumentError("empty promoted OTel resource attribute");
    if (!seen.insert(attr).second) {
      return absl::InvalidArgumentError(
          StrCat("duplicated promoted OTel resource attribute \"", attr, "\""));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, GlobalConfig* out) {
  // Unset intervals are defaulted below, relative to each other, as Prometheus does.
  out->scrape_interval = out->scrape_timeout = out->evaluation_interval = Duration::zero();
  MapDecoder d(node, ctx, "global");
  d.Field("scrape_interval", &out->scrape_interval)
      .Field("scrape_timeout", &out->scrape_timeout)
      .Field("evaluation_interval", &out->evaluation_interval)
      .Field("query_log_file", &out->query_log_file)
      .Field("external_labels", &out->external_labels);
  DecodeScrapeLimitFields(d, &out->limits);
  RETURN_IF_ERROR(d.Finish());
  absl::Status status = ValidateExternalLabels(out->external_labels);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  const GlobalConfig defaults;
  if (out->scrape_interval == Duration::zero()) out->scrape_interval = defaults.scrape_interval;
  if (out->scrape_timeout > out->scrape_interval) {
    return ctx.Error(node, "global scrape timeout greater than scrape interval");
  }
  if (out->scrape_timeout == Duration::zero()) {
    out->scrape_timeout = std::min(defaults.scrape_timeout, out->scrape_interval);
  }
  if (out->evaluation_interval == Duration::zero()) {
    out->evaluation_interval = defaults.evaluation_interval;
  }
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, TsdbConfig* out) {
  MapDecoder d(node, ctx, "tsdb");
  d.Field("out_of_order_time_window", &out->out_of_order_time_window);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, ExemplarsConfig* out) {
  MapDecoder d(node, ctx, "exemplars");
  d.Field("max_exemplars", &out->max_exemplars);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, StorageConfig* out) {
  MapDecoder d(node, ctx, "storage");
  d.Field("tsdb", &out->tsdb).Field("exemplars", &out->exemplars);
  return d.Finish();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, TracingConfig* out) {
  MapDecoder d(node, ctx, "tracing");
  d.Field("client_type", &out->client_type)
      .Field("endpoint", &out->endpoint)
      .Field("sampling_fraction", &out->sampling_fraction)
      .Field("insecure", &out->insecure)
      .Field("tls_config", &out->tls_config)
      .Field("headers", &out->headers)
      .Field("compression", &out->compression)
      .Field("timeout", &out->timeout);
  RETURN_IF_ERROR(d.Finish());
  absl::Status status = ValidateTracing(*out);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

absl::Status DecodeYaml(const YAML::Node& node, DecodeContext& ctx, OtlpConfig* out) {
  MapDecoder d(node, ctx, "otlp");
  d.Field("promote_resource_attributes", &out->promote_resource_attributes)
      .Field("translation_strategy", &out->translation_strategy)
      .Field("keep_identifying_resource_attributes", &out->keep_identifying_resource_attributes)
      .Field("convert_histograms_to_nhcb", &out->convert_histograms_to_nhcb);
  RETURN_IF_ERROR(d.Finish());
  absl::Status status = ValidateOtlp(*out);
  if (!status.ok()) return ctx.Error(node, AsStd(status.message()));
  return absl::OkStatus();
}

namespace {

// Job defaults that come from `global`, applied once everything is read.
absl::Status InheritGlobal(const YAML::Node& list, DecodeContext& ctx, Config* cfg) {
  const GlobalConfig& global = cfg->global;
  absl::flat_hash_set<std::string> job_names;
  for (size_t i = 0; i < cfg->scrape_configs.size(); ++i) {
    ScrapeConfig& job = cfg->scrape_configs[i];
    const YAML::Node node = list[i];
    if (job.scrape_interval == Duration::zero()) job.scrape_interval = global.scrape_interval;
    if (job.scrape_timeout > job.scrape_interval) {
      return ctx.Error(node, StrCat("scrape timeout greater than scrape interval for scrape config "
                                    "with job name \"",
                                    job.job_name, "\""));
    }
    if (job.scrape_timeout == Duration::zero()) {
      job.scrape_timeout = std::min(global.scrape_timeout, job.scrape_interval);
    }
    ScrapeLimits& l = job.limits;
    const ScrapeLimits& g = global.limits;
    for (auto field :
         {&ScrapeLimits::sample_limit, &ScrapeLimits::target_limit, &ScrapeLimits::label_limit,
          &ScrapeLimits::label_name_length_limit, &ScrapeLimits::label_value_length_limit,
          &ScrapeLimits::keep_dropped_targets}) {
      if (l.*field == 0) l.*field = g.*field;
    }
    if (l.body_size_limit == 0) l.body_size_limit = g.body_size_limit;
    if (!job_names.insert(job.job_name).second) {
      return ctx.Error(
          node, StrCat("found multiple scrape configs with job name \"", job.job_name, "\""));
    }
  }
  return absl::OkStatus();
}

template <typename Remote>
absl::Status CheckUniqueNames(const YAML::Node& list, DecodeContext& ctx,
                              const std::vector<Remote>& remotes, std::string_view kind) {
  absl::flat_hash_set<std::string> names;
  for (size_t i = 0; i < remotes.size(); ++i) {
    const std::string& name = remotes[i].name;
    if (!name.empty() && !names.insert(name).second) {
      return ctx.Error(
          list[i], StrCat("found multiple remote ", kind, " configs with job name \"", name, "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status DecodeConfig(const YAML::Node& root, DecodeContext& ctx, Config* cfg) {
  MapDecoder d(root, ctx, "config");
  d.Field("global", &cfg->global)
      .Field("alerting", &cfg->alerting)
      .Field("rule_files", &cfg->rule_files)
      .Field("scrape_configs", &cfg->scrape_configs)
      .Field("storage", &cfg->storage)
      .Field("tracing", &cfg->tracing)
      .Field("remote_write", &cfg->remote_write)
      .Field("remote_read", &cfg->remote_read)
      .Field("otlp", &cfg->otlp);
  RETURN_IF_ERROR(d.Finish());
  static const re2::RE2 kRulePath(R"(^[^*]*(\*[^/]*)?$)");
  for (const std::string& pattern : cfg->rule_files) {
    if (!re2::RE2::FullMatch(pattern, kRulePath)) {
      return ctx.Error(root["rule_files"], StrCat("invalid rule file path \"", pattern, "\""));
    }
  }
  RETURN_IF_ERROR(InheritGlobal(root["scrape_configs"], ctx, cfg));
  RETURN_IF_ERROR(CheckUniqueNames(root["remote_write"], ctx, cfg->remote_write, "write"));
  return CheckUniqueNames(root["remote_read"], ctx, cfg->remote_read, "read");
}

void EncodeGlobal(Encoder& e, const GlobalConfig& g) {
  e.Key("global");
  e.BeginMap();
  e.Dur("scrape_interval", g.scrape_interval);
  e.Dur("scrape_timeout", g.scrape_timeout);
  e.Dur("evaluation_interval", g.evaluation_interval);
  e.OptString("query_log_file", g.query_log_file);
  e.OptMap("external_labels", g.external_labels);
  EncodeScrapeLimitFields(e, g.limits);
  e.EndMap();
}

void EncodeStorage(Encoder& e, const StorageConfig& s) {
  if (s == StorageConfig{}) return;
  e.Key("storage");
  e.BeginMap();
  if (s.tsdb) {
    e.Key("tsdb");
    e.BeginMap();
    e.OptDur("out_of_order_time_window", s.tsdb->out_of_order_time_window);
    e.EndMap();
  }
  if (s.exemplars) {
    e.Key("exemplars");
    e.BeginMap();
    e.Int("max_exemplars", s.exemplars->max_exemplars);
    e.EndMap();
  }
  e.EndMap();
}

void EncodeTracing(Encoder& e, const TracingConfig& t) {
  if (t == TracingConfig{}) return;
  e.Key("tracing");
  e.BeginMap();
  e.String("client_type", t.client_type);
  e.OptString("endpoint", t.endpoint);
  if (t.sampling_fraction != 0) {
    e.Key("sampling_fraction");
    e.out() << t.sampling_fraction;
  }
  e.OptBool("insecure", t.insecure);
  EncodeTls(e, "tls_config", t.tls_config);
  e.OptMap("headers", t.headers);
  e.OptString("compression", t.compression);
  e.OptDur("timeout", t.timeout);
  e.EndMap();
}

void EncodeOtlp(Encoder& e, const OtlpConfig& o) {
  if (o == OtlpConfig{}) return;
  e.Key("otlp");
  e.BeginMap();
  e.OptStrings("promote_resource_attributes", o.promote_resource_attributes);
  e.String("translation_strategy", o.translation_strategy);
  e.OptBool("keep_identifying_resource_attributes", o.keep_identifying_resource_attributes);
  e.OptBool("convert_histograms_to_nhcb", o.convert_histograms_to_nhcb);
  e.EndMap();
}

}  // namespace
}  // namespace internal

absl::StatusOr<Config> Parse(std::string_view yaml, std::string_view filename) {
  internal::DecodeContext ctx(filename);
  Config cfg;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    RETURN_IF_ERROR(internal::DecodeConfig(root, ctx, &cfg));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return absl::InvalidArgumentError(StrCat(filename, ": yaml: ", e.msg));
    return absl::InvalidArgumentError(StrCat(filename, ":", e.mark.line + 1, ": yaml: ", e.msg));
  }
  return cfg;
}

absl::StatusOr<Config> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat("open ", path, ": ", std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::InternalError(StrCat("read ", path, ": ", std::strerror(errno)));
  ASSIGN_OR_RETURN(Config cfg, Parse(text.str(), path));
  const size_t slash = path.rfind('/');
  ResolvePaths(slash == std::string::npos ? "" : std::string_view(path).substr(0, slash + 1), &cfg);
  return cfg;
}

void ResolvePaths(std::string_view dir, Config* cfg) {
  using internal::JoinDir;
  cfg->global.query_log_file = JoinDir(dir, cfg->global.query_log_file);
  for (std::string& pattern : cfg->rule_files) pattern = JoinDir(dir, pattern);
  for (ScrapeConfig& job : cfg->scrape_configs) {
    internal::ResolveHttpClientPaths(dir, &job.http_client);
    internal::ResolveServiceDiscoveryPaths(dir, &job.service_discovery);
  }
  for (AlertmanagerConfig& am : cfg->alerting.alertmanagers) {
    internal::ResolveHttpClientPaths(dir, &am.http_client);
    internal::ResolveServiceDiscoveryPaths(dir, &am.service_discovery);
  }
  for (RemoteWriteConfig& rw : cfg->remote_write) {
    internal::ResolveHttpClientPaths(dir, &rw.http_client);
  }
  for (RemoteReadConfig& rr : cfg->remote_read) {
    internal::ResolveHttpClientPaths(dir, &rr.http_client);
  }
  internal::ResolveTlsPaths(dir, &cfg->tracing.tls_config);
}

std::string ToYaml(const Config& cfg, Secrets secrets) {
  internal::Encoder e(secrets);
  e.BeginMap();
  internal::EncodeGlobal(e, cfg.global);
  if (cfg.alerting != AlertingConfig{}) {
    e.Key("alerting");
    internal::EncodeAlertingConfig(e, cfg.alerting);
  }
  e.OptStrings("rule_files", cfg.rule_files);
  if (!cfg.scrape_configs.empty()) {
    e.Key("scrape_configs");
    e.out() << YAML::BeginSeq;
    for (const ScrapeConfig& job : cfg.scrape_configs) internal::EncodeScrapeConfig(e, job);
    e.out() << YAML::EndSeq;
  }
  internal::EncodeStorage(e, cfg.storage);
  internal::EncodeTracing(e, cfg.tracing);
  if (!cfg.remote_write.empty()) {
    e.Key("remote_write");
    e.out() << YAML::BeginSeq;
    for (const RemoteWriteConfig& rw : cfg.remote_write) internal::EncodeRemoteWriteConfig(e, rw);
    e.out() << YAML::EndSeq;
  }
  if (!cfg.remote_read.empty()) {
    e.Key("remote_read");
    e.out() << YAML::BeginSeq;
    for (const RemoteReadConfig& rr : cfg.remote_read) internal::EncodeRemoteReadConfig(e, rr);
    e.out() << YAML::EndSeq;
  }
  internal::EncodeOtlp(e, cfg.otlp);
  e.EndMap();
  return e.Text() + "\n";
}

}  // namespace sundial::config
