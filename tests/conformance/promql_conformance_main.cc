// promql_conformance: runs every PromQL test script of a directory and compares the failing
// evals with a checked-in list of known failures.
//
//   promql_conformance [--dir=DIR] [--known=FILE] [--update] [--verbose] [--split_always]
//
// --split_always has the engine evaluate every range query it can split as two halves of its
// steps on two threads (SplitRangeQueries::kAlways), so the scripts check that the halves answer
// what the whole does.
//
// Defaults: DIR = $SUNDIAL_PROMQL_TEST_DIR, else $SUNDIAL_SOURCE_DIR/../shared/conformance/
// promql/testdata; FILE = $SUNDIAL_SOURCE_DIR/tests/conformance/promql_known_failures.txt for the
// default DIR, none otherwise (every failure counts). --update rewrites FILE with the current
// failures. Exits non-zero if an eval fails that is not listed, if a listed eval passes, or if a
// script has an error. The last line printed is
// `promql conformance: N passed, M failed, K skipped`.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "conformance/promql_script.h"

namespace {

using sundial::promql::conformance::EvalStatus;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string source = Env("SUNDIAL_SOURCE_DIR");
  if (source.empty()) source = ".";
  std::string dir = Env("SUNDIAL_PROMQL_TEST_DIR");
  std::string known_path;
  bool update = false, verbose = false;
  auto split = sundial::promql::SplitRangeQueries::kWhenCoreFree;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--dir=", 0) == 0) dir = a.substr(6);
    if (a.rfind("--known=", 0) == 0) known_path = a.substr(8);
    if (a == "--update") update = true;
    if (a == "--verbose") verbose = true;
    if (a == "--split_always") split = sundial::promql::SplitRangeQueries::kAlways;
  }
  if (dir.empty()) {
    dir = source + "/../shared/conformance/promql/testdata";
    if (known_path.empty()) known_path = source + "/tests/conformance/promql_known_failures.txt";
  }

  std::set<std::string> known;
  if (!known_path.empty() && !update) {
    std::ifstream in(known_path);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line[0] != '#') known.insert(line);
    }
  }

  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().string());
  }
  if (ec) {
    std::printf("cannot list %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  std::sort(files.begin(), files.end());

  int passed = 0, failed = 0, skipped = 0, problems = 0;
  std::set<std::string> failing;
  for (const std::string& path : files) {
    auto report = sundial::promql::conformance::RunScriptFile(path, split);
    int p = 0, f = 0, s = 0;
    for (const auto& e : report.evals) {
      std::string id = report.file + ":" + std::to_string(e.line);
      if (e.status == EvalStatus::kPass) {
        ++p;
        if (known.count(id)) {
          std::printf("  NOW PASSING (remove from known failures): %s\n", id.c_str());
          ++problems;
        }
      } else if (e.status == EvalStatus::kFail) {
        ++f;
        failing.insert(id);
        if (!known.count(id) && !update) {
          std::printf("  NEW FAILURE %s: %s\n", id.c_str(), e.message.c_str());
          ++problems;
        } else if (verbose) {
          std::printf("  known failure %s: %s\n", id.c_str(), e.message.c_str());
        }
      } else {
        ++s;
        if (verbose) std::printf("  skip %s: %s\n", id.c_str(), e.message.c_str());
      }
    }
    std::printf("%-28s %4d passed, %4d failed, %4d skipped\n", report.file.c_str(), p, f, s);
    if (!report.error.empty()) {
      std::printf("  SCRIPT ERROR %s: %s\n", report.file.c_str(), report.error.c_str());
      ++problems;
    }
    passed += p;
    failed += f;
    skipped += s;
  }
  if (update && !known_path.empty()) {
    std::ofstream out(known_path, std::ios::trunc);
    out << "# Conformance evals (file:line) the engine fails today; see "
           "promql_conformance_main.cc.\n";
    for (const std::string& id : failing) out << id << "\n";
  }
  std::printf("promql conformance: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return problems == 0 || update ? 0 : 1;
}
