// Every `eval` expression of the upstream PromQL test scripts must parse (with every feature
// flag on, as upstream runs them) and print to a form that parses back to the same text.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/parser.h"
#include "promql/printer.h"

namespace sundial::promql {
namespace {

std::filesystem::path TestdataDir() {
  const char* src = std::getenv("SUNDIAL_SOURCE_DIR");
  return std::filesystem::path(src ? src : ".") / ".." / "shared" / "conformance" / "promql" /
         "testdata";
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The expression of an eval command line (FORMAT.md 5.1), or "" if the line is not one.
std::string EvalExpression(const std::string& line) {
  std::istringstream in(line);
  std::string cmd, kind, w;
  in >> cmd >> kind;
  if (cmd.rfind("eval", 0) != 0) return "";
  int skip = kind == "instant" ? 2 : kind == "range" ? 6 : -1;  // at T | from A to B step S
  if (skip < 0) return "";
  for (int i = 0; i < skip; ++i) in >> w;
  std::string rest;
  std::getline(in, rest);
  return Trim(rest);
}

struct Eval {
  std::string file;
  int line;
  std::string expr;
};

std::vector<Eval> AllEvals() {
  std::vector<Eval> out;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(TestdataDir())) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::string expr = EvalExpression(Trim(line));
      if (!expr.empty()) out.push_back({path.filename().string(), n, expr});
    }
  }
  return out;
}

TEST(ConformanceParseTest, EveryEvalExpressionParsesAndRoundTrips) {
  std::vector<Eval> evals = AllEvals();
  ASSERT_GT(evals.size(), 2000u) << "scripts not found under " << TestdataDir();
  int parsed = 0, round_tripped = 0;
  for (const Eval& e : evals) {
    absl::StatusOr<ExprPtr> ast = Parse(e.expr, ParseOptions::AllEnabled());
    EXPECT_TRUE(ast.ok()) << e.file << ":" << e.line << ": " << e.expr << "\n  "
                          << ast.status().message();
    if (!ast.ok()) continue;
    ++parsed;
    std::string printed = ToString(**ast);
    absl::StatusOr<ExprPtr> again = Parse(printed, ParseOptions::AllEnabled());
    EXPECT_TRUE(again.ok()) << e.expr << " printed as " << printed << ": "
                            << again.status().message();
    if (!again.ok()) continue;
    EXPECT_EQ(ToString(**again), printed) << e.expr;
    std::string pretty = Prettify(**ast);
    absl::StatusOr<ExprPtr> from_pretty = Parse(pretty, ParseOptions::AllEnabled());
    EXPECT_TRUE(from_pretty.ok()) << pretty;
    if (from_pretty.ok() && ToString(**from_pretty) == printed) ++round_tripped;
  }
  std::cout << "upstream eval expressions: " << evals.size() << ", parsed: " << parsed
            << ", round-tripped (print and pretty-print): " << round_tripped << "\n";
  EXPECT_EQ(parsed, static_cast<int>(evals.size()));
  EXPECT_EQ(round_tripped, parsed);
}

}  // namespace
}  // namespace sundial::promql
