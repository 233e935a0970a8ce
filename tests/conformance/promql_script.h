// Runner for the PromQL test-script language (.test files, see the corpus' FORMAT.md): load
// series into a fresh tsdb Head, evaluate queries with the engine, compare with expectations.
//
//   ScriptReport r = RunScriptFile("/path/aggregators.test");
//   for (const EvalOutcome& e : r.evals) if (e.status == EvalStatus::kFail) ...
#ifndef SUNDIAL_TESTS_CONFORMANCE_PROMQL_SCRIPT_H_
#define SUNDIAL_TESTS_CONFORMANCE_PROMQL_SCRIPT_H_

#include <string>
#include <string_view>
#include <vector>

#include "promql/engine.h"

namespace sundial::promql::conformance {

enum class EvalStatus { kPass, kFail, kSkip };

struct EvalOutcome {
  int line = 0;  // 1-based line of the eval command
  EvalStatus status = EvalStatus::kPass;
  std::string message;  // why it failed or was skipped
};

struct ScriptReport {
  std::string file;  // base name
  std::vector<EvalOutcome> evals;
  std::string error;  // a script error that stopped the file (its evals are then missing)
};

// Runs the script text (name is used for reports and feature skips). `split` is the engine's
// EngineOptions::split_range_queries (kAlways splits every range query it can, to check that
// the halves answer what the whole does).
ScriptReport RunScript(std::string_view name, std::string_view text,
                       SplitRangeQueries split = SplitRangeQueries::kWhenCoreFree);
// Reads and runs a file; a read error is reported in ScriptReport::error.
ScriptReport RunScriptFile(const std::string& path,
                           SplitRangeQueries split = SplitRangeQueries::kWhenCoreFree);

}  // namespace sundial::promql::conformance

#endif  // SUNDIAL_TESTS_CONFORMANCE_PROMQL_SCRIPT_H_
