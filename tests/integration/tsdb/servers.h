// Starting and stopping the two servers of the migration tests on a data directory, remote
// write, and comparing the answers of the query API.
#ifndef SUNDIAL_TESTS_INTEGRATION_TSDB_SERVERS_H_
#define SUNDIAL_TESTS_INTEGRATION_TSDB_SERVERS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "integration/process.h"

namespace sundial::testing::tsdb_migration {

inline constexpr char kPrometheusBinary[] = "/usr/bin/prometheus";
inline constexpr char kPromtoolBinary[] = "/usr/bin/promtool";

struct Server {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
};

// Starts /usr/bin/prometheus on data_dir with an empty scrape config (written to config_dir) and
// the extra flags; waits until it is ready. On failure returns no process and sets *error.
Server StartPrometheus(const std::string& config_dir, const std::string& data_dir,
                       const std::vector<std::string>& flags, std::string* error);
// The same with the sundial binary.
Server StartSundial(const std::string& config_dir, const std::string& data_dir,
                    const std::vector<std::string>& flags, std::string* error);
// SIGTERM, then the exit code (-1 when it did not exit within a minute).
int Stop(Server* server);

// POSTs a snappy-compressed remote write 1.0 body; "" on 204, else the status and body.
std::string RemoteWrite(int port, const std::string& body);

// One request to compare: GET path?params.
struct QueryCase {
  std::string name;
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;
};

// Sends every case to both ports and returns one line per difference (status or JSON, with both
// bodies); empty when all answers are equivalent. Result vectors/matrices and series lists are
// compared as multisets, sample values within 1e-9 relative.
std::vector<std::string> CompareAnswers(int want_port, int got_port,
                                        const std::vector<QueryCase>& cases);

// The body of GET path?params from port ("" on a non-200 answer, with *error set).
std::string Get(int port, const std::string& path,
                const std::vector<std::pair<std::string, std::string>>& params, std::string* error);

// Copies a directory tree.
bool CopyDir(const std::string& from, const std::string& to, std::string* error);

}  // namespace sundial::testing::tsdb_migration

#endif  // SUNDIAL_TESTS_INTEGRATION_TSDB_SERVERS_H_
