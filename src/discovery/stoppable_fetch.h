// A blocking HTTP request for discovery threads that gives up when their stop is requested.
#ifndef SUNDIAL_DISCOVERY_STOPPABLE_FETCH_H_
#define SUNDIAL_DISCOVERY_STOPPABLE_FETCH_H_

#include <stop_token>

#include "absl/status/statusor.h"
#include "net/http_client.h"

namespace sundial::discovery {

// client.Do, waited for; on a stop request returns Cancelled("discovery stopped") at once and
// abandons the request (its callback still runs later, on state this call no longer shares).
absl::StatusOr<net::Response> StoppableFetch(net::HttpClient& client, net::Request request,
                                             std::stop_token stop);

}  // namespace sundial::discovery

#endif  // SUNDIAL_DISCOVERY_STOPPABLE_FETCH_H_
