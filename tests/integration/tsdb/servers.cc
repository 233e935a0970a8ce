#include "integration/tsdb/servers.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "integration/api/json.h"
#include "integration/api/peers.h"

namespace sundial::testing::tsdb_migration {
namespace {

using namespace std::chrono_literals;

std::string WriteConfig(const std::string& config_dir) {
  const std::string config = config_dir + "/prometheus.yml";
  // No scrape configs: the only data is what the test put in the directory.
  std::ofstream(config) << "global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n";
  return config;
}

}  // namespace

Server StartPrometheus(const std::string& config_dir, const std::string& data_dir,
                       const std::vector<std::string>& flags, std::string* error) {
  const std::string config = WriteConfig(config_dir);
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int port = PickFreePort();
    std::vector<std::string> argv = {kPrometheusBinary, "--config.file=" + config,
                                     "--storage.tsdb.path=" + data_dir,
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto child = std::make_unique<ChildProcess>(argv);
    if (child->WaitForStderr("Server is ready to receive web requests.", 120s)) {
      return {std::move(child), port};
    }
    if (child->Stderr().find("address already in use") == std::string::npos) {
      *error = "prometheus did not start:\n" + child->Stderr();
      return {};
    }
  }
  *error = "prometheus found no free port";
  return {};
}

Server StartSundial(const std::string& config_dir, const std::string& data_dir,
                    const std::vector<std::string>& flags, std::string* error) {
  const std::string config = WriteConfig(config_dir);
  std::vector<std::string> argv = {SUNDIAL_BINARY, "--config.file=" + config,
                                   "--storage.tsdb.path=" + data_dir,
                                   "--web.listen-address=127.0.0.1:0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto child = std::make_unique<ChildProcess>(argv);
  if (!child->WaitForStderr("Server is ready to receive web requests.", 120s)) {
    *error = "sundial did not start:\n" + child->Stderr();
    return {};
  }
  std::smatch m;
  const std::string log = child->Stderr();
  if (!std::regex_search(
          log, m, std::regex("msg=\"Start listening for connections\" address=127.0.0.1:(\\d+)"))) {
    *error = "no listen address in sundial's log:\n" + log;
    return {};
  }
  return {std::move(child), std::stoi(m[1])};
}

int Stop(Server* server) {
  if (!server->process) return -1;
  server->process->Signal(SIGTERM);
  return server->process->Wait(60s);
}

std::string RemoteWrite(int port, const std::string& body) {
  HttpResult r = HttpRequest(port, "POST", "/api/v1/write", body,
                             {"Content-Type: application/x-protobuf", "Content-Encoding: snappy",
                              "X-Prometheus-Remote-Write-Version: 0.1.0"});
  if (r.status == 204) return "";
  return "remote write answered " + std::to_string(r.status) + ": " + r.body;
}

std::string Get(int port, const std::string& path,
                const std::vector<std::pair<std::string, std::string>>& params,
                std::string* error) {
  const std::string form = api::Form(params);
  HttpResult r = HttpRequest(port, "GET", form.empty() ? path : path + "?" + form);
  if (r.status != 200) {
    *error = path + " answered " + std::to_string(r.status) + ": " + r.body;
    return "";
  }
  return r.body;
}

std::vector<std::string> CompareAnswers(int want_port, int got_port,
                                        const std::vector<QueryCase>& cases) {
  std::vector<std::string> diffs;
  for (const QueryCase& c : cases) {
    const std::string form = api::Form(c.params);
    const std::string target = form.empty() ? c.path : c.path + "?" + form;
    HttpResult want = HttpRequest(want_port, "GET", target);
    HttpResult got = HttpRequest(got_port, "GET", target);
    const std::string bodies =
        "\n  want: " + want.body.substr(0, 2000) + "\n  got:  " + got.body.substr(0, 2000);
    if (want.status != 200) {
      diffs.push_back(c.name + ": the reference answered " + std::to_string(want.status) + bodies);
      continue;
    }
    if (got.status != want.status) {
      diffs.push_back(c.name + ": status " + std::to_string(got.status) + bodies);
      continue;
    }
    json::Value want_json, got_json;
    std::string error;
    if (!json::Parse(want.body, &want_json, &error) || !json::Parse(got.body, &got_json, &error)) {
      diffs.push_back(c.name + ": bad JSON: " + error + bodies);
      continue;
    }
    json::DiffOptions options;
    options.ignored_keys = {"infos"};
    const bool list = c.path == "/api/v1/series";
    options.unordered = [list](const std::string& path) {
      return list ? path == "$.data" : path == "$.data.result";
    };
    const std::string diff = json::Diff(want_json, got_json, options);
    if (!diff.empty()) diffs.push_back(c.name + ": " + diff + bodies);
  }
  return diffs;
}

bool CopyDir(const std::string& from, const std::string& to, std::string* error) {
  std::error_code ec;
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive, ec);
  if (ec) *error = "copy " + from + " to " + to + ": " + ec.message();
  return !ec;
}

}  // namespace sundial::testing::tsdb_migration
