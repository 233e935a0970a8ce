#include "web/internal/web_security.h"

#include "base/log.h"
#include "web/internal/tls_server_context.h"

namespace sundial::web::internal {
namespace {

const Logger kLog("web");

std::vector<std::string> FilesOf(const std::string& path, const config::WebConfig& config) {
  std::vector<std::string> files = {path};
  if (const auto& tls = config.tls_server_config) {
    for (const std::string* f : {&tls->cert_file, &tls->key_file, &tls->client_ca_file}) {
      if (!f->empty()) files.push_back(*f);
    }
  }
  return files;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WebSecurity>> WebSecurity::Load(std::string path) {
  absl::StatusOr<config::WebConfig> config = config::LoadWebConfigFile(path);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::shared_ptr<const Settings>> settings = Build(*config);
  if (!settings.ok()) return settings.status();
  bool tls = config->tls_server_config.has_value();
  std::unique_ptr<WebSecurity> security(new WebSecurity(std::move(path), tls));
  security->files_ = FilesOf(security->path_, *config);
  security->identity_ = security->Identify();
  security->current_ = *std::move(settings);
  return security;
}

std::shared_ptr<const WebSecurity::Settings> WebSecurity::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FileIdentity> now = Identify();
  if (now == identity_) return current_;
  absl::StatusOr<config::WebConfig> config = config::LoadWebConfigFile(path_);
  if (config.ok()) files_ = FilesOf(path_, *config);
  identity_ = Identify();
  absl::StatusOr<std::shared_ptr<const Settings>> settings =
      config.ok() ? Build(*config)
                  : absl::StatusOr<std::shared_ptr<const Settings>>(config.status());
  if (settings.ok() && config->tls_server_config.has_value() != tls_) {
    settings = absl::FailedPreconditionError(
        "turning TLS on or off needs a restart; keeping the previous web config");
  }
  if (!settings.ok()) {
    kLog.Error("Error reloading web config", {{"file", path_}, {"err", settings.status()}});
    return current_;
  }
  current_ = *std::move(settings);
  kLog.Info("Reloaded web config", {{"file", path_}});
  return current_;
}

absl::StatusOr<std::shared_ptr<const WebSecurity::Settings>> WebSecurity::Build(
    const config::WebConfig& config) {
  auto settings = std::make_shared<Settings>();
  if (config.tls_server_config) {
    absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> tls =
        MakeTlsServerContext(*config.tls_server_config);
    if (!tls.ok()) return tls.status();
    settings->tls = *std::move(tls);
  }
  if (!config.basic_auth_users.empty()) {
    settings->basic_auth = std::make_shared<BasicAuthChecker>(config.basic_auth_users);
  }
  for (const auto& [name, value] : config.http_server_config.headers) {
    settings->headers.emplace_back(name, value);
  }
  return settings;
}

std::vector<WebSecurity::FileIdentity> WebSecurity::Identify() const {
  std::vector<FileIdentity> out;
  for (const std::string& file : files_) {
    struct stat st;
    out.push_back(stat(file.c_str(), &st) == 0 ? FileIdentity{st.st_mtim, st.st_size}
                                               : FileIdentity{});
  }
  return out;
}

}  // namespace sundial::web::internal
