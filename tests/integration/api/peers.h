// The two servers of the API differential tests: the Debian Prometheus 2.42 and Sundial, each
// started once per test process on an ephemeral port with the remote write receiver on, and
// loaded with the same dataset through remote_write 1.0.
//
// The dataset (see peers.cc) is RED metrics of three services on a 15 s grid for 30 minutes
// ending a few minutes before the process started: http_requests_total counters (with one
// counter reset), http_request_duration_seconds classic histograms, gauges, up, and a gauge that
// ends with a stale marker. Every test asks questions about times relative to BaseMs().
#ifndef SUNDIAL_TESTS_INTEGRATION_API_PEERS_H_
#define SUNDIAL_TESTS_INTEGRATION_API_PEERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "integration/process.h"
#include "testing/temp_dir.h"

namespace sundial::testing::api {

inline constexpr int64_t kStepMs = 15'000;
inline constexpr int kPoints = 121;  // samples per series: 30 minutes at 15 s
inline constexpr char kPrometheusBinary[] = "/usr/bin/prometheus";
inline constexpr char kPromtoolBinary[] = "/usr/bin/promtool";

// The time of every series' first sample, in Unix milliseconds: a minute boundary between 35 and
// 36 minutes before the first call, fixed for the life of the process.
int64_t BaseMs();
// Unix seconds as the API takes them: "1700000000", "1700000007.5".
std::string Seconds(int64_t ms);
// Seconds(BaseMs() + offset_ms).
std::string At(int64_t offset_ms);

// application/x-www-form-urlencoded encoding of one component ('+' for space is not used;
// everything but unreserved characters is %XX-escaped).
std::string Escape(std::string_view s);
// "k1=v1&k2=v2", escaped; usable as a query string or a form body.
std::string Form(const std::vector<std::pair<std::string, std::string>>& params);

class Peers {
 public:
  // Starts both servers and loads the dataset on the first call; later calls return the same
  // instance. Returns nullptr with *skip set when /usr/bin/prometheus is not installed, and
  // nullptr with *error set when something did not start or load.
  // With admin_api both start with --web.enable-admin-api, with exemplar_storage with
  // --enable-feature=exemplar-storage; the first call of the process decides.
  static Peers* Get(std::string* skip, std::string* error, bool admin_api = false,
                    bool exemplar_storage = false);

  int prometheus_port() const { return prometheus_port_; }
  int sundial_port() const { return sundial_port_; }
  // Sundial's --storage.tsdb.path.
  std::string sundial_data_dir() const { return dir_.File("sundial-data"); }

 private:
  Peers() = default;
  std::string Start(bool admin_api, bool exemplar_storage);

  TempDir dir_;  // outlives the servers
  std::unique_ptr<ChildProcess> prometheus_;
  std::unique_ptr<ChildProcess> sundial_;
  int prometheus_port_ = 0;
  int sundial_port_ = 0;
};

// For the bench drivers that name it here.
using sundial::testing::PickFreePort;

// POSTs a snappy-compressed remote write 1.0 payload to 127.0.0.1:port/api/v1/write; returns
// the HTTP status (0 when the connection failed) and appends the raw response to *response.
int RemoteWrite(int port, const std::string& payload, std::string* response);

// True when Sundial answers a GET of path (no parameters) with its router's plain 404, i.e. the
// endpoint is not served yet; an API error in JSON is not "missing".
bool SundialLacks(int sundial_port, const std::string& path);

}  // namespace sundial::testing::api

#endif  // SUNDIAL_TESTS_INTEGRATION_API_PEERS_H_
