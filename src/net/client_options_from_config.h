// Maps a config::HttpClientConfig (the http_config block of scrape configs, SD configs,
// Alertmanagers, remote write) onto net::ClientOptions.
//
//   ASSIGN_OR_RETURN(ClientOptions opts, ClientOptionsFromConfig(job.http_client,
//                                                                job.scrape_timeout));
//   ASSIGN_OR_RETURN(auto client, HttpClient::Create(std::move(opts), &pool));
#ifndef SUNDIAL_NET_CLIENT_OPTIONS_FROM_CONFIG_H_
#define SUNDIAL_NET_CLIENT_OPTIONS_FROM_CONFIG_H_

#include <chrono>

#include "absl/status/statusor.h"
#include "config/http_client_config.h"
#include "net/client_options.h"

namespace sundial::net {

// request_timeout becomes ClientOptions::request_timeout (0 = none). basic_auth.username_file is
// read here (trimmed). Fails with Unimplemented for what the client cannot do yet: oauth2,
// proxy_from_environment, no_proxy, proxy_connect_header and tls max_version.
absl::StatusOr<ClientOptions> ClientOptionsFromConfig(const config::HttpClientConfig& config,
                                                      std::chrono::milliseconds request_timeout);

}  // namespace sundial::net

#endif  // SUNDIAL_NET_CLIENT_OPTIONS_FROM_CONFIG_H_
