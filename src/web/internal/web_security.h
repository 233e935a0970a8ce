// WebSecurity: what --web.config.file asks of incoming connections (TLS, basic auth, extra
// response headers). Like the exporter toolkit, Sundial re-reads it while it runs: each accepted
// connection checks the modification time and size of the file and of the certificate, key and
// CA files it names, and reloads when any changed, so renewed certificates and changed users
// apply without a restart. A changed file
// that does not load keeps the previous settings and logs the error. Whether the listener speaks
// TLS at all is fixed by the file as it was at start. Thread-safe.
#ifndef SUNDIAL_WEB_INTERNAL_WEB_SECURITY_H_
#define SUNDIAL_WEB_INTERNAL_WEB_SECURITY_H_

#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "config/web_config.h"
#include "web/internal/basic_auth.h"

namespace sundial::web::internal {

class WebSecurity {
 public:
  // The settings one connection uses from accept to close.
  struct Settings {
    std::shared_ptr<boost::asio::ssl::context> tls;            // null: plain HTTP
    std::shared_ptr<BasicAuthChecker> basic_auth;              // null: no users, no authentication
    std::vector<std::pair<std::string, std::string>> headers;  // set on every response
  };

  // Loads the file; its errors fail here (the server refuses to start).
  static absl::StatusOr<std::unique_ptr<WebSecurity>> Load(std::string path);

  // The settings for a new connection, reloaded first if the file changed.
  std::shared_ptr<const Settings> Current();

 private:
  struct FileIdentity {
    timespec mtime{};
    off_t size = -1;
    bool operator==(const FileIdentity& o) const {
      return mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec && size == o.size;
    }
  };

  WebSecurity(std::string path, bool tls) : path_(std::move(path)), tls_(tls) {}
  static absl::StatusOr<std::shared_ptr<const Settings>> Build(const config::WebConfig& config);
  // The identities of the config file and the TLS files it names.
  std::vector<FileIdentity> Identify() const;

  const std::string path_;
  const bool tls_;
  std::mutex mu_;
  std::vector<std::string> files_;           // GUARDED_BY(mu_): path_ and its TLS files
  std::vector<FileIdentity> identity_;       // GUARDED_BY(mu_): of files_ when last tried
  std::shared_ptr<const Settings> current_;  // GUARDED_BY(mu_)
};

}  // namespace sundial::web::internal

#endif  // SUNDIAL_WEB_INTERNAL_WEB_SECURITY_H_
