// The HTTP adapter of the OTLP metrics receiver (remotewrite/otlp/receiver.h), served where
// Prometheus serves it:
//
//   web::OtlpHandlerOptions otlp;
//   otlp.config = [&config] { return config.Current()->otlp; };  // re-read on every request
//   web::RegisterOtlpHandler(&router, db.get(), enabled, std::move(otlp));
//
// registers POST /api/v1/otlp/v1/metrics. `enabled` is Prometheus 3.x's --web.enable-otlp-receiver
// or 2.47+'s --enable-feature=otlp-write-receiver; when false the route answers 404 with
// Prometheus' text. The handler answers synchronously on the io thread (decoding is CPU-bound but
// bounded by the body limits).
#ifndef SUNDIAL_WEB_OTLP_HANDLER_H_
#define SUNDIAL_WEB_OTLP_HANDLER_H_

#include <functional>

#include "config/config.h"
#include "remotewrite/otlp/receiver.h"
#include "tsdb/storage.h"
#include "web/router.h"

namespace sundial::web {

inline constexpr std::string_view kOtlpMetricsPath = "/api/v1/otlp/v1/metrics";

struct OtlpHandlerOptions {
  // Limits and lookback delta; its `config` is replaced by config() when that is set.
  remotewrite::otlp::OtlpOptions receiver;
  // The current `otlp:` configuration block, called once per request (thread-safe, cheap).
  std::function<config::OtlpConfig()> config;
};

// A handler that feeds each request to remotewrite::otlp::HandleOtlp. `appendable` is not owned
// and must outlive the router.
Handler OtlpHandler(tsdb::Appendable* appendable, OtlpHandlerOptions options = {});

// Registers POST kOtlpMetricsPath: OtlpHandler when enabled, else a 404 "otlp write receiver
// needs to be enabled with --web.enable-otlp-receiver". REQUIRES: called before Server::Start().
void RegisterOtlpHandler(Router* router, tsdb::Appendable* appendable, bool enabled,
                         OtlpHandlerOptions options = {});

}  // namespace sundial::web

#endif  // SUNDIAL_WEB_OTLP_HANDLER_H_
