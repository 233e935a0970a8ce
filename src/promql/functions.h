// The PromQL function table, shared by the parser (argument checking) and the engine.
//
//   const Function* f = FindFunction("rate");   // f->arg_types == {kMatrix}, returns kVector
#ifndef SUNDIAL_PROMQL_FUNCTIONS_H_
#define SUNDIAL_PROMQL_FUNCTIONS_H_

#include <span>
#include <string_view>
#include <vector>

#include "promql/ast.h"

namespace sundial::promql {

struct Function {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments. n > 0: the last argument is optional and may repeat
  // so that at most arg_types.size() - 1 + n are given. -1: the last one repeats without limit.
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  // Needs ParseOptions::enable_experimental_functions.
  bool experimental = false;
};

// The function called `name` (case-sensitive), or nullptr.
const Function* FindFunction(std::string_view name);

// Every function, sorted by name.
std::span<const Function> AllFunctions();

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_FUNCTIONS_H_
