// The server-side TLS context for tls_server_config of --web.config.file (the exporter-toolkit
// format): certificate and key, protocol versions, the client certificate policy by Go's
// tls.ClientAuthType names, the client CA, allowed client SANs, and TLS 1.2 cipher suites and
// curves by their Go names.
#ifndef SUNDIAL_WEB_INTERNAL_TLS_SERVER_CONTEXT_H_
#define SUNDIAL_WEB_INTERNAL_TLS_SERVER_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "absl/status/statusor.h"
#include "config/web_config.h"

namespace sundial::web::internal {

// Fails with a message naming the file or setting that is wrong (unreadable certificate, key
// that does not match it, unknown cipher or curve).
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeTlsServerContext(
    const config::TlsServerConfig& tls);

}  // namespace sundial::web::internal

#endif  // SUNDIAL_WEB_INTERNAL_TLS_SERVER_CONTEXT_H_
